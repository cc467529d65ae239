// cleanup: hop counting, Message-Id/Date insertion, header_size_limit, streaming pieces.
#include <gtest/gtest.h>

#include <string>

#include "cleanup/header_cleanup.hpp"
#include "cleanup/received.hpp"

namespace correio::cleanup {
namespace {

std::string run(const std::string& message, HeaderOptions options = {}, size_t piece = 0) {
  if (options.queue_id.empty()) options.queue_id = "ABCDE1";
  if (options.myhostname.empty()) options.myhostname = "mx.example";
  HeaderCleanup cleanup(options);
  std::string out;
  if (piece == 0) {
    cleanup.feed(message, out);
  } else {
    for (size_t i = 0; i < message.size(); i += piece) cleanup.feed(message.substr(i, piece), out);
  }
  cleanup.finish(out);
  return out;
}

TEST(HeaderCleanup, KeepsExistingHeadersAndBody) {
  std::string msg = "Message-ID: <a@b>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nSubject: x\n\nbody\n";
  EXPECT_EQ(run(msg), msg);
}

TEST(HeaderCleanup, AddsMissingMessageIdAndDateBeforeTheBody) {
  std::string out = run("Subject: x\n\nbody\n");
  EXPECT_EQ(out.rfind("Subject: x\nMessage-Id: <", 0), 0u) << out;
  EXPECT_NE(out.find(".ABCDE1@mx.example>\nDate: "), std::string::npos) << out;
  EXPECT_NE(out.find("\n\nbody\n"), std::string::npos);
}

TEST(HeaderCleanup, MessageWithoutHeadersGetsASeparator) {
  std::string out = run("just a body line\n");
  EXPECT_EQ(out.rfind("Message-Id: <", 0), 0u);
  EXPECT_NE(out.find("\n\njust a body line\n"), std::string::npos) << out;
}

TEST(HeaderCleanup, SameResultInAnyPieces) {
  std::string msg = "Subject: folded\n continued\nMessage-Id: <m@x>\nDate: d\n\nbody\nmore\n";
  std::string whole = run(msg);
  for (size_t piece : {1u, 2u, 5u, 13u}) EXPECT_EQ(run(msg, {}, piece), whole) << piece;
}

TEST(HeaderCleanup, FindsMessageIdForTheLog) {
  HeaderCleanup cleanup({"ID1", "mx", 102400, 50, {}, "", {}});
  std::string out;
  cleanup.feed("Message-ID:  <abc@example>  \n\nbody\n", out);
  cleanup.finish(out);
  EXPECT_EQ(cleanup.message_id(), "<abc@example>");
}

TEST(HeaderCleanup, CountsHops) {
  std::string headers;
  for (int i = 0; i < 3; ++i) headers += "Received: from a\n\tby b\n";
  HeaderOptions options;
  options.queue_id = "ID";
  options.myhostname = "mx";
  options.hopcount_limit = 2;
  HeaderCleanup cleanup(options);
  std::string out;
  cleanup.feed(headers + "\nbody\n", out);
  cleanup.finish(out);
  EXPECT_TRUE(cleanup.too_many_hops());
  options.hopcount_limit = 3;
  HeaderCleanup enough(options);
  enough.feed(headers + "\nbody\n", out);
  enough.finish(out);
  EXPECT_FALSE(enough.too_many_hops());
}

TEST(HeaderCleanup, HeaderSizeLimitDiscardsTheExcess) {
  HeaderOptions options;
  options.header_size_limit = 100;
  std::string long_header = "X-Long: " + std::string(500, 'a') + "\n";
  std::string out = run(long_header + "Message-Id: <m@x>\nDate: d\n\nbody\n", options);
  size_t end = out.find('\n');
  EXPECT_LE(end, 101u);
  EXPECT_NE(out.find("\nMessage-Id: <m@x>\nDate: d\n\nbody\n"), std::string::npos) << out;
}

TEST(HeaderCleanup, LocalSubmissionGetsFromOnlyWhenMissing) {
  HeaderOptions options;
  options.missing_from = "Jane Doe <jane@example.org>";
  std::string with = "From: other@example.org\nMessage-ID: <a@b>\nDate: x\n\nbody\n";
  EXPECT_EQ(run(with, options), with);
  EXPECT_EQ(run("Message-ID: <a@b>\nDate: x\n\nbody\n", options),
            "Message-ID: <a@b>\nDate: x\nFrom: Jane Doe <jane@example.org>\n\nbody\n");
}

TEST(Received, PickupLayout) {
  PickupReceivedInfo info;
  info.myhostname = "mx.example.org";
  info.uid = 1000;
  info.queue_id = "4F1A2B3C4D";
  info.when = std::chrono::system_clock::from_time_t(1717502400);
  std::string h = pickup_received_header(info);
  EXPECT_EQ(h.substr(0, h.find(';') + 1),
            "Received: by mx.example.org (Correio, from userid 1000)\n\tid 4F1A2B3C4D;");
  EXPECT_EQ(h.back(), '\n');
}

TEST(Received, PostfixLayout) {
  ReceivedInfo info;
  info.helo = "client.example";
  info.client_name = "unknown";
  info.client_address = "192.0.2.1";
  info.myhostname = "mx.example";
  info.protocol = "ESMTP";
  info.queue_id = "ABC";
  info.recipient = "a@b.example";
  std::string h = received_header(info);
  EXPECT_EQ(h.rfind("Received: from client.example (unknown [192.0.2.1])\n"
                    "\tby mx.example (Correio) with ESMTP id ABC\n"
                    "\tfor <a@b.example>; ",
                    0),
            0u)
      << h;
  info.client_address = "::1";
  info.recipient.clear();
  h = received_header(info);
  EXPECT_NE(h.find("(unknown [IPv6:::1])"), std::string::npos);
  EXPECT_NE(h.find("id ABC; "), std::string::npos);
}

}  // namespace
}  // namespace correio::cleanup
