// The auth service's line protocol (auth/auth_protocol.hpp): Dovecot's lines and escapes,
// Correio's additions, and refusal of broken lines.
#include "auth/auth_protocol.hpp"

#include <gtest/gtest.h>

namespace correio::auth::protocol {
namespace {

TEST(AuthProtocolTest, TabEscapeRoundTrips) {
  std::string raw = "a\tb\rc\nd\001e";
  EXPECT_EQ(tab_escape(raw), "a\001tb\001rc\001nd\0011e");
  EXPECT_EQ(tab_unescape(tab_escape(raw)), raw);
  EXPECT_FALSE(tab_unescape("bad\001x"));
  EXPECT_FALSE(tab_unescape("end\001"));
}

TEST(AuthProtocolTest, ParsesDovecotAuthRequest) {
  // The line Postfix's xsasl_dovecot_server.c sends, with its base64 initial response.
  auto parsed = parse_client_line(
      "AUTH\t7\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=192.0.2.1\tsecured\t"
      "resp=AGRlbW8AcGFzcw==");
  ASSERT_TRUE(parsed) << parsed.error().message;
  auto& r = std::get<AuthStart>(*parsed);
  EXPECT_EQ(r.id, 7u);
  EXPECT_EQ(r.mechanism, "PLAIN");
  EXPECT_EQ(r.service, "smtp");
  EXPECT_EQ(r.remote_address, "192.0.2.1");
  EXPECT_EQ(r.local_address, "127.0.0.1");
  EXPECT_TRUE(r.secured);
  EXPECT_FALSE(r.no_penalty);
  ASSERT_TRUE(r.initial_response);
  EXPECT_EQ(*r.initial_response, std::string("\0demo\0pass", 10));
}

TEST(AuthProtocolTest, AuthRoundTripsWithCorreioParameters) {
  AuthStart r;
  r.id = 3;
  r.mechanism = "SCRAM-SHA-256-PLUS";
  r.service = "imap";
  r.remote_address = "::1";
  r.secured = r.no_penalty = r.no_plaintext = r.no_scram = true;
  r.initial_response = "";
  r.bindings.tls_exporter = std::string("\0\1\2", 3);
  std::string line = format_auth(r);
  ASSERT_EQ(line.back(), '\n');
  line.pop_back();
  auto parsed = parse_client_line(line);
  ASSERT_TRUE(parsed) << parsed.error().message;
  auto& back = std::get<AuthStart>(*parsed);
  EXPECT_EQ(back.id, 3u);
  EXPECT_EQ(back.mechanism, r.mechanism);
  EXPECT_TRUE(back.no_penalty && back.no_plaintext && back.no_scram && back.secured);
  EXPECT_EQ(back.initial_response, std::optional<std::string>(""));
  EXPECT_EQ(back.bindings.tls_exporter, r.bindings.tls_exporter);
  EXPECT_FALSE(back.bindings.tls_server_end_point);
}

TEST(AuthProtocolTest, RefusesBrokenClientLines) {
  EXPECT_FALSE(parse_client_line("AUTH\tx\tPLAIN"));
  EXPECT_FALSE(parse_client_line("AUTH\t1"));
  EXPECT_FALSE(parse_client_line("AUTH\t1\tPLAIN\tresp=!!!"));
  EXPECT_FALSE(parse_client_line("CONT\t1"));
  EXPECT_FALSE(parse_client_line("CONT\t1\tnot base64"));
  EXPECT_FALSE(parse_client_line("VERSION\t1"));
  EXPECT_FALSE(parse_client_line("HELLO"));
  EXPECT_FALSE(parse_client_line(""));
  auto cont = parse_client_line("CONT\t5\t");
  ASSERT_TRUE(cont);
  EXPECT_EQ(std::get<AuthContinue>(*cont).response, "");
}

TEST(AuthProtocolTest, ServerHandshakeParsesLineByLine) {
  std::string text =
      format_server_handshake({{"PLAIN", true}, {"SCRAM-SHA-256", false}}, 42, 1, "00ff");
  std::vector<ServerLine> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t lf = text.find('\n', start);
    auto parsed = parse_server_line(std::string_view(text).substr(start, lf - start));
    ASSERT_TRUE(parsed) << parsed.error().message;
    lines.push_back(*parsed);
    start = lf + 1;
  }
  ASSERT_EQ(lines.size(), 7u);  // VERSION, 2 MECH, SPID, CUID, COOKIE, DONE
  EXPECT_EQ(std::get<Version>(lines[0]).major, 1u);
  EXPECT_TRUE(std::get<Mech>(lines[1]).plaintext);
  EXPECT_FALSE(std::get<Mech>(lines[2]).plaintext);
  EXPECT_TRUE(std::holds_alternative<Ignored>(lines[3]));
  EXPECT_EQ(std::get<Cookie>(lines[5]).hex, "00ff");
  EXPECT_TRUE(std::holds_alternative<HandshakeDone>(lines[6]));
}

TEST(AuthProtocolTest, FailureKindsRoundTrip) {
  for (auto kind : {SaslStep::Failure::credentials, SaslStep::Failure::authorization,
                    SaslStep::Failure::malformed, SaslStep::Failure::temporary}) {
    Failure f;
    f.id = 9;
    f.kind = kind;
    f.user = "bob\tx";
    f.reason = "Password mismatch";
    std::string line = format_failure(f);
    line.pop_back();
    auto parsed = parse_server_line(line);
    ASSERT_TRUE(parsed) << parsed.error().message;
    auto& back = std::get<Failure>(*parsed);
    EXPECT_EQ(back.kind, kind);
    EXPECT_EQ(back.user, "bob\tx");
    EXPECT_EQ(back.reason, "Password mismatch");
    EXPECT_FALSE(back.locked_out);
  }
  Failure locked;
  locked.id = 1;
  locked.locked_out = true;
  locked.failures = 4;
  std::string line = format_failure(locked);
  line.pop_back();
  auto parsed = parse_server_line(line);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(std::get<Failure>(*parsed).locked_out);
  EXPECT_EQ(std::get<Failure>(*parsed).failures, 4);
}

TEST(AuthProtocolTest, SuccessNeedsUser) {
  EXPECT_FALSE(parse_server_line("OK\t1"));
  auto ok = parse_server_line(format_success(2, "alice@example.org").substr(0, 27));
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(std::get<Success>(*ok).user, "alice@example.org");
}

}  // namespace
}  // namespace correio::auth::protocol
