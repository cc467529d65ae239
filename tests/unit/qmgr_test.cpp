// qmgr pieces without processes: DSN reports, the delivery protocol.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "config/main_cf.hpp"
#include "delivery/protocol.hpp"
#include "qmgr/dsn_report.hpp"

namespace correio::qmgr {
namespace {

TEST(DsnReport, FailureReportParts) {
  DsnInput in;
  in.myhostname = "mx.example";
  in.queue_id = "ABC123";
  in.sender = "s@example.org";
  in.envid = "E1";
  in.recipients = {{"r@example.net", "rfc822;orig@example.net", "5.1.1", "unknown user"}};
  std::string original = "Subject: hi\nX-A: b\n\nbody text\n";
  in.original = original;
  std::string full = build_dsn(in);
  EXPECT_NE(full.find("To: s@example.org\n"), std::string::npos);
  EXPECT_NE(full.find("report-type=delivery-status"), std::string::npos);
  EXPECT_NE(full.find("Reporting-MTA: dns; mx.example\n"), std::string::npos);
  EXPECT_NE(full.find("Original-Envelope-Id: E1\n"), std::string::npos);
  EXPECT_NE(full.find("Final-Recipient: rfc822; r@example.net\n"
                      "Original-Recipient: rfc822; orig@example.net\n"
                      "Action: failed\nStatus: 5.1.1\n"),
            std::string::npos)
      << full;
  EXPECT_NE(full.find("Content-Type: message/rfc822\n\nSubject: hi\nX-A: b\n\nbody text\n"),
            std::string::npos);
  in.headers_only = true;
  std::string headers = build_dsn(in);
  EXPECT_NE(headers.find("Content-Type: text/rfc822-headers\n\nSubject: hi\nX-A: b\n"),
            std::string::npos);
  EXPECT_EQ(headers.find("body text"), std::string::npos);
  in.kind = DsnInput::Kind::delay;
  std::string delay = build_dsn(in);
  EXPECT_NE(delay.find("Action: delayed\n"), std::string::npos);
  EXPECT_NE(delay.find("\nWill-Retry-Until: "), std::string::npos);
  EXPECT_NE(delay.find("Subject: Delayed Mail (still being retried)\n"), std::string::npos);
  // notify_classes copies: Postfix's postmaster_subject of bounce(5)'s templates.
  in.postmaster_copy = true;
  EXPECT_NE(build_dsn(in).find("Subject: Postmaster Warning: Delayed Mail\n"), std::string::npos);
  in.kind = DsnInput::Kind::failure;
  EXPECT_NE(build_dsn(in).find("Subject: Postmaster Copy: Undelivered Mail\n"), std::string::npos);
}

TEST(DsnReport, SuccessReport) {
  DsnInput in;
  in.kind = DsnInput::Kind::success;
  in.myhostname = "mx.example";
  in.queue_id = "ABC123";
  in.sender = "s@example.org";
  in.recipients = {{"r@example.net", "", "2.0.0", "delivered to maildir"}};
  std::string original = "Subject: hi\n\nbody text\n";
  in.original = original;
  in.headers_only = true;
  std::string report = build_dsn(in);
  EXPECT_NE(report.find("Subject: Successful Mail Delivery Report\n"), std::string::npos);
  EXPECT_NE(report.find("Final-Recipient: rfc822; r@example.net\nAction: delivered\n"
                        "Status: 2.0.0\nDiagnostic-Code: X-Correio; delivered to maildir\n"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("Content-Description: Delivered Message Headers\n"), std::string::npos);
  EXPECT_EQ(report.find("body text"), std::string::npos);
  EXPECT_EQ(report.find("Will-Retry-Until"), std::string::npos);
}

TEST(DeliveryProtocol, RoundTrip) {
  delivery::DeliveryRequest r;
  r.queue_id = "ABC";
  r.queue_file = "/q/active/ABC";
  r.transport = "virtual";
  r.sender = "";
  r.arrival_us = 1;
  r.active_us = 2;
  r.recipients = {{42, "a b@x=y+z", "", "rfc822;a@x", 3}};
  auto back = delivery::decode_request(delivery::encode_request(r));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->recipients[0].address, "a b@x=y+z");
  EXPECT_EQ(back->recipients[0].original, "");
  EXPECT_EQ(back->recipients[0].offset, 42u);
  EXPECT_EQ(back->recipients[0].notify, 3);
  EXPECT_EQ(back->sender, "");
  std::vector<delivery::RecipientResult> results = {
      {42, delivery::DeliveryStatus::bounced, "5.1.1", "unknown user: \"x\""},
      {43, delivery::DeliveryStatus::sent, "2.0.0", ""}};
  auto decoded = delivery::decode_results(delivery::encode_results(results));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ((*decoded)[0].text, "unknown user: \"x\"");
  EXPECT_EQ((*decoded)[1].status, delivery::DeliveryStatus::sent);
  EXPECT_EQ((*decoded)[1].text, "");
}

TEST(DeliveryProtocol, ResultsCarryTheRemoteServer) {
  delivery::RecipientResult r{7,
                              delivery::DeliveryStatus::bounced,
                              "5.1.1",
                              "host mx[192.0.2.1] said: 550 5.1.1 no (in reply to RCPT TO command)",
                              "mx.example",
                              "smtp; 550 5.1.1 no"};
  auto decoded = delivery::decode_results(delivery::encode_results({r}));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ((*decoded)[0].remote_mta, "mx.example");
  EXPECT_EQ((*decoded)[0].diagnostic, "smtp; 550 5.1.1 no");
  EXPECT_EQ((*decoded)[0].text, r.text);
}

TEST(DsnReport, RemoteMtaAndSmtpDiagnostic) {
  DsnInput in;
  in.myhostname = "mail.example";
  in.queue_id = "ABC";
  in.sender = "s@example";
  in.recipients.push_back(
      {"r@remote", "", "5.1.1", "host mx said: 550 5.1.1 no", "mx.remote", "smtp; 550 5.1.1 no"});
  std::string report = build_dsn(in);
  EXPECT_NE(report.find("Status: 5.1.1\nRemote-MTA: dns; mx.remote\n"
                        "Diagnostic-Code: smtp; 550 5.1.1 no\n"),
            std::string::npos)
      << report;
}

TEST(DeliveryProtocol, RejectsMalformed) {
  EXPECT_FALSE(delivery::decode_request("queue_id=A\n").ok());
  EXPECT_FALSE(delivery::decode_request("bogus\n").ok());
  EXPECT_FALSE(
      delivery::decode_request("queue_id=A\nqueue_file=/x\nrecipient=notanumber 0 a b c\n").ok());
  EXPECT_FALSE(delivery::decode_request("queue_id=A+ZZ\nqueue_file=/x\n").ok());
  EXPECT_FALSE(delivery::decode_results("result=1 exploded 5.0.0 x\n").ok());
}

}  // namespace
}  // namespace correio::qmgr
