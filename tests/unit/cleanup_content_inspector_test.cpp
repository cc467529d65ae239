// cleanup: header_checks(5) actions on messages fed a few bytes at a time — what is
// stored, what the verdict says, and the log lines — and the action parser.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "cleanup/check_action.hpp"
#include "cleanup/content_inspector.hpp"
#include "maps_test_support.hpp"

namespace correio::cleanup {
namespace {

class ContentInspectorTest : public maps::testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    base::Logger::Options lo;
    lo.process_name = "smtpd";
    lo.maillog_file = (root_ / "maillog").string();
    log_ = std::make_unique<base::Logger>(lo);
  }
  void table(CheckTable& slot, const std::string& parameter, const std::string& rules) {
    auto map = maps::open_map("pcre:" + write(parameter, rules));
    ASSERT_TRUE(map) << map.error().message;
    slot.parameter = parameter;
    slot.map = std::shared_ptr<maps::Map>(std::move(*map));
  }
  // Runs the message through an inspector, `piece` bytes at a time (0: all at once).
  std::string run(const std::string& message, size_t piece = 3) {
    CheckContext context{"4F00D1", "mx.example[192.0.2.1]", "s@example.org", "r@example.net",
                         "ESMTP",  "client.example"};
    ContentInspector inspector(tables_, context, *log_);
    std::string out;
    if (piece == 0) piece = message.size();
    for (size_t i = 0; i < message.size(); i += piece)
      inspector.feed(message.substr(i, piece), out);
    inspector.finish(out);
    verdict_ = inspector.verdict();
    return out;
  }
  std::string maillog() {
    std::ifstream in(root_ / "maillog");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  CheckTables tables_;
  CheckVerdict verdict_;
  std::unique_ptr<base::Logger> log_;
};

const std::string kMessage =
    "Subject: cheap pills\n"
    "X-Mailer: spamware\n"
    "Content-Type: multipart/mixed; boundary=b\n"
    "\n"
    "--b\n"
    "Content-Type: text/plain; name=\"x.exe\"\n"
    "\n"
    "hello\n"
    "--b\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "Subject: inner\n"
    "\n"
    "inner body\n"
    "--b--\n";

TEST_F(ContentInspectorTest, NothingMatchesNothingChanges) {
  table(tables_.header, "header_checks", "/^Nope:/ REJECT\n");
  table(tables_.body, "body_checks", "/^nope$/ REJECT\n");
  for (size_t piece : {0, 1, 2, 7}) EXPECT_EQ(run(kMessage, piece), kMessage);
  EXPECT_FALSE(verdict_.reject);
}

TEST_F(ContentInspectorTest, RejectLogsAsPostfixAndStops) {
  table(tables_.header, "header_checks", "/^Subject: .*pills/ REJECT No pills here\n");
  run(kMessage);
  ASSERT_TRUE(verdict_.reject);
  EXPECT_EQ(*verdict_.reject, "5.7.1 No pills here");
  EXPECT_NE(maillog().find("cleanup["), std::string::npos);
  EXPECT_NE(maillog().find("]: 4F00D1: reject: header Subject: cheap pills from "
                           "mx.example[192.0.2.1]; from=<s@example.org> to=<r@example.net> "
                           "proto=ESMTP helo=<client.example>: 5.7.1 No pills here"),
            std::string::npos)
      << maillog();
}

TEST_F(ContentInspectorTest, RejectKeepsItsOwnStatusCodeAndTemporaryCodesDefer) {
  table(tables_.header, "header_checks", "/^Subject:/ REJECT 4.7.0 later\n");
  run(kMessage);
  EXPECT_EQ(*verdict_.reject, "4.7.0 later");
  table(tables_.header, "header_checks", "/^Subject:/ reject\n");
  run(kMessage);
  EXPECT_EQ(*verdict_.reject, "5.7.1 message content rejected");
}

TEST_F(ContentInspectorTest, IgnoreReplacePrependEditTheStream) {
  table(tables_.header, "header_checks",
        "/^X-Mailer:/ IGNORE\n"
        "/^Subject: (.*)/ REPLACE Subject: [SPAM] $1\n"
        "/^Content-Type: multipart/ PREPEND X-Checked: yes\n");
  tables_.mime_header = tables_.header;  // main.cf's default: $header_checks
  table(tables_.body, "body_checks", "/^hello$/ REPLACE goodbye\n/^inner body$/ PREPEND note\n");
  std::string out = run(kMessage, 2);
  EXPECT_EQ(out.rfind("Subject: [SPAM] cheap pills\nX-Checked: yes\nContent-Type: multipart/mixed; "
                      "boundary=b\n\n--b\n",
                      0),
            0u)
      << out;
  EXPECT_EQ(out.find("X-Mailer"), std::string::npos);
  EXPECT_NE(out.find("\ngoodbye\n--b\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nnote\ninner body\n"), std::string::npos) << out;
  EXPECT_NE(maillog().find("4F00D1: replace: header Subject: cheap pills from"), std::string::npos);
  EXPECT_NE(maillog().find("4F00D1: prepend: body inner body from"), std::string::npos);
}

TEST_F(ContentInspectorTest, EachClassOfHeaderGoesToItsTable) {
  table(tables_.header, "header_checks", "/^/ WARN primary\n");
  table(tables_.mime_header, "mime_header_checks", "/^/ WARN mime\n");
  table(tables_.nested_header, "nested_header_checks", "/^/ WARN nested\n");
  table(tables_.body, "body_checks", "/^/ INFO body\n");
  run(kMessage, 1);
  std::string log = maillog();
  EXPECT_NE(log.find("warning: header Subject: cheap pills from"), std::string::npos);
  EXPECT_NE(log.find("helo=<client.example>: primary"), std::string::npos);
  EXPECT_NE(log.find("warning: header Content-Type: multipart/mixed; boundary=b from mx.example"
                     "[192.0.2.1]; from=<s@example.org> to=<r@example.net> proto=ESMTP "
                     "helo=<client.example>: mime"),
            std::string::npos);
  EXPECT_NE(log.find("warning: header Content-Type: text/plain; name=\"x.exe\" from"),
            std::string::npos);
  EXPECT_NE(log.find("warning: header Subject: inner from"), std::string::npos);
  EXPECT_NE(log.find("helo=<client.example>: nested"), std::string::npos);
  EXPECT_NE(log.find("info: body --b-- from"), std::string::npos);
  EXPECT_NE(log.find("info: body hello from"), std::string::npos);
  // Header lines are never body lines.
  EXPECT_EQ(log.find("info: body Subject"), std::string::npos);
  EXPECT_EQ(log.find("info: body Content-Type"), std::string::npos);
}

TEST_F(ContentInspectorTest, MessageActionsGoIntoTheVerdict) {
  table(tables_.header, "header_checks", "/^Subject:/ HOLD\n/^X-Mailer:/ BCC audit@example.org\n");
  table(tables_.body, "body_checks",
        "/^hello/ REDIRECT quarantine@example.org\n/^inner/ DISCARD\n");
  std::string out = run(kMessage);
  EXPECT_TRUE(verdict_.hold);
  EXPECT_EQ(verdict_.bcc, std::vector<std::string>{"audit@example.org"});
  EXPECT_EQ(verdict_.redirect, "quarantine@example.org");
  // REDIRECT ends the inspection: the DISCARD further down never fires.
  EXPECT_FALSE(verdict_.discard);
  EXPECT_EQ(out, kMessage);
  EXPECT_NE(maillog().find("4F00D1: hold: header Subject: cheap pills from"), std::string::npos);
  EXPECT_NE(maillog().find(": redirect: body hello from"), std::string::npos);
}

TEST_F(ContentInspectorTest, DiscardStopsTheStream) {
  table(tables_.body, "body_checks", "/^hello/ DISCARD spam\n");
  run(kMessage);
  EXPECT_TRUE(verdict_.discard);
  EXPECT_NE(maillog().find("4F00D1: discard: body hello from"), std::string::npos);
}

TEST_F(ContentInspectorTest, BadActionsAreLoggedAndIgnored) {
  table(tables_.header, "header_checks", "/^Subject:/ REPLACE not a header\n/^X-Mailer:/ FROB\n");
  EXPECT_EQ(run(kMessage), kMessage);
  EXPECT_NE(maillog().find("warning: bad REPLACE header text \"not a header\" in header_checks "
                           "map -- need \"headername: headervalue\""),
            std::string::npos);
  EXPECT_NE(maillog().find("warning: unknown command in header_checks map: FROB"),
            std::string::npos);
}

TEST_F(ContentInspectorTest, BodyChecksSizeLimitPerSegment) {
  table(tables_.body, "body_checks", "/^late/ REJECT\n");
  tables_.body_size_limit = 10;
  run("Subject: x\n\n0123456789\nlate\n");
  EXPECT_FALSE(verdict_.reject);
  run("Content-Type: multipart/mixed; boundary=b\n\n--b\n\n0123456789\n--b\n\nlate\n--b--\n");
  EXPECT_TRUE(verdict_.reject);
}

TEST_F(ContentInspectorTest, OwnHeaderIsCheckedAsPrimary) {
  table(tables_.header, "header_checks", "/^Received: from me/ REPLACE Received: hidden\n");
  CheckContext context{"Q1", "local", "", "", "", ""};
  ContentInspector inspector(tables_, context, *log_);
  std::string out;
  inspector.own_header("Received: from me\n\tby host\n", out);
  EXPECT_EQ(out, "Received: hidden\n");
}

TEST(CheckAction, ParsesEveryVerb) {
  EXPECT_EQ(parse_check_action("reject", true, "m").text, "5.7.1 message content rejected");
  EXPECT_EQ(parse_check_action("REJECT 5.7.0 go away", true, "m").text, "5.7.0 go away");
  EXPECT_EQ(parse_check_action("REJECT 5.7 no code", true, "m").text, "5.7.1 5.7 no code");
  auto two = parse_check_action("REJECT 2.0.0 fine", true, "m");
  EXPECT_EQ(two.verb, CheckVerb::defer);
  EXPECT_EQ(two.text, "4.0.0 fine");
  EXPECT_EQ(two.problem, "bad DSN action in 2.0.0 fine -- need 4.x.x or 5.x.x");
  EXPECT_EQ(parse_check_action("Warn  text ", true, "m").verb, CheckVerb::warn);
  EXPECT_EQ(parse_check_action("INFO", true, "m").verb, CheckVerb::info);
  EXPECT_EQ(parse_check_action("DISCARD", true, "m").verb, CheckVerb::discard);
  EXPECT_EQ(parse_check_action("HOLD why", true, "m").text, "why");
  EXPECT_EQ(parse_check_action("IGNORE extra", true, "m").verb, CheckVerb::ignore);
  EXPECT_EQ(parse_check_action("OK", true, "m").verb, CheckVerb::dunno);
  EXPECT_EQ(parse_check_action("DUNNO", true, "m").verb, CheckVerb::dunno);
  EXPECT_EQ(parse_check_action("FILTER smtp:[127.0.0.1]:10025", true, "m").verb, CheckVerb::filter);
  EXPECT_EQ(parse_check_action("FILTER nocolon", true, "m").problem,
            "bad FILTER command nocolon in m -- need transport:destination");
  EXPECT_EQ(parse_check_action("REDIRECT a@b", true, "m").verb, CheckVerb::redirect);
  EXPECT_EQ(parse_check_action("REDIRECT ab", true, "m").verb, CheckVerb::invalid);
  EXPECT_EQ(parse_check_action("BCC a@b", true, "m").text, "a@b");
  EXPECT_EQ(parse_check_action("PREPEND X-A: b", true, "m").verb, CheckVerb::prepend);
  EXPECT_EQ(parse_check_action("PREPEND any text", false, "m").verb, CheckVerb::prepend);
  EXPECT_EQ(parse_check_action("PREPEND any text", true, "m").verb, CheckVerb::invalid);
  EXPECT_EQ(parse_check_action("REPLACE", false, "m").problem,
            "REPLACE action without text in m map");
  EXPECT_EQ(parse_check_action("", true, "m").verb, CheckVerb::invalid);
}

}  // namespace
}  // namespace correio::cleanup

namespace correio::cleanup {
namespace {

// CheckUse::delivery (smtp_header_checks & co.): line actions work and are logged in
// smtp(8)'s form by the agent; a message action from a table that could not be listed at
// start stops the inspection with a 4.3.5 verdict (the agent defers).
class DeliveryChecksTest : public ContentInspectorTest {};

TEST_F(DeliveryChecksTest, LineActionsAndSmtpLogLines) {
  tables_.use = CheckUse::delivery;
  table(tables_.header, "smtp_header_checks",
        "/^Subject: (.*)/ REPLACE Subject: [out] $1\n/^X-Mailer:/ IGNORE\n");
  table(tables_.body, "smtp_body_checks", "/^hello$/ WARN greeting seen\n");
  std::string out = run(kMessage);
  EXPECT_NE(out.find("Subject: [out] cheap pills\n"), std::string::npos);
  EXPECT_EQ(out.find("X-Mailer"), std::string::npos);
  EXPECT_NE(out.find("\nhello\n"), std::string::npos);
  EXPECT_FALSE(verdict_.reject);
  std::string log = maillog();
  EXPECT_NE(log.find("smtpd["), std::string::npos);
  EXPECT_NE(log.find("4F00D1: replace: header Subject: cheap pills: Subject: [out] cheap pills"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("4F00D1: warning: body hello: greeting seen"), std::string::npos) << log;
  EXPECT_EQ(log.find("cleanup["), std::string::npos) << log;
}

TEST_F(DeliveryChecksTest, MessageActionFoundPerLineDefers) {
  tables_.use = CheckUse::delivery;
  auto map = maps::open_map("static:REJECT no");
  ASSERT_TRUE(map);
  tables_.body.parameter = "smtp_body_checks";
  tables_.body.map = std::shared_ptr<maps::Map>(std::move(*map));
  run(kMessage);
  ASSERT_TRUE(verdict_.reject);
  EXPECT_EQ(*verdict_.reject, "4.3.5 Error: unsupported action in smtp_body_checks");
  EXPECT_NE(maillog().find("smtp_body_checks map: action REJECT no is not supported by the "
                           "smtp/lmtp client -- message deferred"),
            std::string::npos);
}

TEST(CheckAction, DeliverySubset) {
  for (auto verb : {CheckVerb::dunno, CheckVerb::ignore, CheckVerb::info, CheckVerb::prepend,
                    CheckVerb::replace, CheckVerb::warn})
    EXPECT_TRUE(supported_in_delivery(verb));
  for (auto verb : {CheckVerb::reject, CheckVerb::defer, CheckVerb::discard, CheckVerb::hold,
                    CheckVerb::filter, CheckVerb::redirect, CheckVerb::bcc})
    EXPECT_FALSE(supported_in_delivery(verb));
}

}  // namespace
}  // namespace correio::cleanup
