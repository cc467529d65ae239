// mailq's listing and postqueue -j's JSON lines, and qshape's table, from fixed data.
#include "cli/queue_listing.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

#include "cli/qshape_report.hpp"
#include "scoped_time_zone.hpp"

namespace correio::cli {
namespace {

class UtcTest : public ::testing::Test {
 protected:
  correio::testing::ScopedTimeZone utc_{"UTC"};
};

// Tue Jun  4 12:00:00 2024 UTC
constexpr int64_t kArrival = 1717502400LL * 1000000;

using QueueListing = UtcTest;

TEST_F(QueueListing, PostfixFormatWithReasonsAndMarks) {
  std::vector<ListedMessage> m(2);
  m[0] = {
      "active", "4F1A2B3C4D", kArrival, 1234, 3000, "alice@example.org", {{"bob@example.net", ""}}};
  m[1] = {"deferred",
          "5A6B7C8D9E1",
          kArrival,
          99,
          2000,
          "",
          {{"x@far.example", "connect to far.example[192.0.2.1]:25: Connection refused"},
           {"y@far.example", "connect to far.example[192.0.2.1]:25: Connection refused"},
           {"z@near.example", ""}}};
  EXPECT_EQ(format_mailq(m),
            "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
            "4F1A2B3C4D*    1234 Tue Jun  4 12:00:00  alice@example.org\n"
            "                                         bob@example.net\n"
            "\n"
            // An 11-digit ID and its status mark overflow the column, as in Postfix.
            "5A6B7C8D9E1       99 Tue Jun  4 12:00:00  MAILER-DAEMON\n"
            "                    (connect to far.example[192.0.2.1]:25: Connection refused)\n"
            "                                         x@far.example\n"
            "                                         y@far.example\n"
            "                                         z@near.example\n"
            "\n"
            "-- 4 Kbytes in 2 Requests.\n");
  m.resize(1);
  m[0].queue_name = "hold";
  std::string one = format_mailq(m);
  EXPECT_NE(one.find("\n4F1A2B3C4D!    1234 "), std::string::npos) << one;
  EXPECT_NE(one.find("-- 2 Kbytes in 1 Request.\n"), std::string::npos) << one;
  EXPECT_EQ(format_mailq({}), "Mail queue is empty\n");
}

TEST_F(QueueListing, JsonLines) {
  std::vector<ListedMessage> m(1);
  m[0] = {"deferred",
          "4F1A2B3C4D",
          kArrival,
          1234,
          3000,
          "a\"b@example.org",
          {{"x@far.example", "4.4.1 no\tway"}, {"y@far.example", ""}}};
  EXPECT_EQ(format_json(m),
            "{\"queue_name\":\"deferred\",\"queue_id\":\"4F1A2B3C4D\",\"arrival_time\":"
            "1717502400,\"message_size\":1234,\"forced_expire\":false,\"sender\":"
            "\"a\\\"b@example.org\",\"recipients\":[{\"address\":\"x@far.example\","
            "\"delay_reason\":\"4.4.1 no\\tway\"},{\"address\":\"y@far.example\"}]}\n");
  // Invalid UTF-8 from an old queue file: replaced, the line stays valid JSON.
  m[0].sender = "j\xf6rg@example.org";
  m[0].recipients = {{"\x01\\x@far.example", ""}};
  std::string line = format_json(m);
  EXPECT_NE(line.find("\"sender\":\"j\xef\xbf\xbdrg@example.org\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"address\":\"\\u0001\\\\x@far.example\""), std::string::npos) << line;
}

TEST(Qshape, BucketsDomainsAndParents) {
  int64_t now = kArrival + 30LL * 60 * 1000000;  // 30 minutes after arrival
  std::vector<QshapeMessage> m = {
      {now, "me@here.org", {"a@mx.Example.COM", "b@example.com"}},
      {kArrival, "", {"c@a.example.com"}},
  };
  QshapeOptions o;
  std::string table = qshape_report(m, o, now);
  EXPECT_EQ(table,
            "                                         T  5 10 20 40 80 160 320 640 1280 1280+\n"
            "                                  TOTAL  3  2  0  0  1  0   0   0   0    0     0\n"
            "                            example.com  1  1  0  0  0  0   0   0   0    0     0\n"
            "                          a.example.com  1  0  0  0  1  0   0   0   0    0     0\n"
            "                         mx.example.com  1  1  0  0  0  0   0   0   0    0     0\n");
  o.senders = true;
  o.buckets = 3;
  o.linear = true;
  EXPECT_EQ(qshape_report(m, o, now),
            "                                                                     T  5 10 10+\n"
            "                                                              TOTAL  2  1  0   1\n"
            "                                                           here.org  1  1  0   0\n"
            "                                                      MAILER-DAEMON  1  0  0   1\n");
  o = QshapeOptions{};
  o.parents = true;
  o.min_subdomains = 2;
  std::string parents = qshape_report(m, o, now);
  EXPECT_NE(parents.find("  .example.com  2  1  0  0  1"), std::string::npos) << parents;
}

}  // namespace
}  // namespace correio::cli
