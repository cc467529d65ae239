// Postfix's delivery log line and delay numbers (delivery/log_line.hpp), as the virtual
// agent and the other agents write them.
#include <gtest/gtest.h>

#include "delivery/log_line.hpp"

using namespace correio::delivery;

TEST(DeliveryLogLine, DelayNumbersLikePostfix) {
  EXPECT_EQ(format_delay(0), "0");
  EXPECT_EQ(format_delay(-5), "0");
  EXPECT_EQ(format_delay(4000), "0");     // below the 10 ms resolution
  EXPECT_EQ(format_delay(5000), "0.01");  // rounded up
  EXPECT_EQ(format_delay(10000), "0.01");
  EXPECT_EQ(format_delay(20000), "0.02");
  EXPECT_EQ(format_delay(50000), "0.05");
  EXPECT_EQ(format_delay(80000), "0.08");
  EXPECT_EQ(format_delay(123000), "0.12");
  EXPECT_EQ(format_delay(500000), "0.5");
  EXPECT_EQ(format_delay(999000), "1");
  EXPECT_EQ(format_delay(1000000), "1");
  EXPECT_EQ(format_delay(1200000), "1.2");
  EXPECT_EQ(format_delay(1234567), "1.2");
  EXPECT_EQ(format_delay(9960000), "10");
  EXPECT_EQ(format_delay(12000000), "12");
  EXPECT_EQ(format_delay(12400000), "12");
  EXPECT_EQ(format_delay(12600000), "13");
  EXPECT_EQ(format_delay(3600000000), "3600");
}

TEST(DeliveryLogLine, SentWithOrigTo) {
  RecipientLogLine l;
  l.queue_id = "4F3A2B1C";
  l.to = "bob@example.com";
  l.orig_to = "list@example.com";
  l.relay = "virtual";
  l.times = {1000000, 1020000, 1030000, 1030000, 1080000};
  l.dsn = "2.0.0";
  l.status = DeliveryStatus::sent;
  l.text = "delivered to maildir";
  EXPECT_EQ(format_recipient_log(l),
            "4F3A2B1C: to=<bob@example.com>, orig_to=<list@example.com>, relay=virtual, "
            "delay=0.08, delays=0.02/0.01/0/0.05, dsn=2.0.0, status=sent (delivered to maildir)");
}

TEST(DeliveryLogLine, OrigToOnlyWhenDifferent) {
  RecipientLogLine l;
  l.queue_id = "AB";
  l.to = "bob@example.com";
  l.orig_to = "Bob@Example.COM";
  l.relay = "virtual";
  l.dsn = "5.1.1";
  l.status = DeliveryStatus::bounced;
  l.text = "unknown user: \"bob@example.com\"";
  EXPECT_EQ(format_recipient_log(l),
            "AB: to=<bob@example.com>, relay=virtual, delay=0, delays=0/0/0/0, dsn=5.1.1, "
            "status=bounced (unknown user: \"bob@example.com\")");
  l.orig_to = "";
  l.status = DeliveryStatus::deferred;
  l.dsn = "4.2.0";
  l.text = "x";
  EXPECT_EQ(format_recipient_log(l),
            "AB: to=<bob@example.com>, relay=virtual, delay=0, delays=0/0/0/0, dsn=4.2.0, "
            "status=deferred (x)");
}

// soft_bounce: Postfix's bounce.c logs a would-be bounce as dsn=4.x.x, status=SOFTBOUNCE
// with the reason kept; other statuses are untouched.
TEST(DeliveryLogLine, SoftBounce) {
  RecipientLogLine l;
  l.queue_id = "4F3A2B1C";
  l.to = "bob@example.com";
  l.relay = "virtual";
  l.dsn = "5.2.2";
  l.status = DeliveryStatus::bounced;
  l.text = "mailbox full";
  l.soft_bounce = true;
  std::string line = format_recipient_log(l);
  EXPECT_NE(line.find(", dsn=4.2.2, status=SOFTBOUNCE (mailbox full)"), std::string::npos) << line;
  l.status = DeliveryStatus::deferred;
  l.dsn = "4.3.0";
  line = format_recipient_log(l);
  EXPECT_NE(line.find(", dsn=4.3.0, status=deferred (mailbox full)"), std::string::npos) << line;
  EXPECT_EQ(soft_bounce_dsn("5.1.1"), "4.1.1");
  EXPECT_EQ(soft_bounce_dsn("2.0.0"), "2.0.0");
}
