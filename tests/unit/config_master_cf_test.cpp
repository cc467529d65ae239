// master.cf: columns, continuation lines, -o forms, { } groups, validation, postconf -M output.
#include <gtest/gtest.h>

#include "config/master_cf.hpp"

namespace correio::config {
namespace {

std::vector<MasterService> parse_ok(std::string_view text) {
  auto r = parse_master_cf(text, "master.cf");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : std::vector<MasterService>{};
}

std::string parse_error(std::string_view text) {
  auto r = parse_master_cf(text, "/etc/correio/master.cf");
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.error().message;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(MasterCf, StockEntries) {
  auto s = parse_ok(
      "# ==========\n"
      "# service type  private unpriv  chroot  wakeup  maxproc command + args\n"
      "smtp      inet  n       -       y       -       -       smtpd\n"
      "pickup    unix  n       -       y       60      1       pickup\n"
      "tlsmgr    unix  -       -       y       1000?   1       tlsmgr\n"
      "127.0.0.1:10025 inet n  -       n       -       -       smtpd\n");
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].name, "smtp");
  EXPECT_EQ(s[0].type, "inet");
  EXPECT_EQ(s[0].private_, "n");
  EXPECT_EQ(s[0].unpriv, "-");
  EXPECT_EQ(s[0].chroot, "y");
  EXPECT_EQ(s[0].wakeup, "-");
  EXPECT_EQ(s[0].maxproc, "-");
  EXPECT_EQ(s[0].command, "smtpd");
  EXPECT_EQ(s[0].line, 3);
  EXPECT_EQ(s[0].key(), "smtp/inet");
  EXPECT_EQ(s[1].wakeup, "60");
  EXPECT_EQ(s[2].wakeup, "1000?");
  EXPECT_EQ(s[3].name, "127.0.0.1:10025");
}

TEST(MasterCf, ContinuationAndOverrideForms) {
  auto s = parse_ok(
      "submission inet  n       -       y       -       -       smtpd\n"
      "  -o syslog_name=postfix/submission\n"
      "# a comment between continuation lines\n"
      "  -o smtpd_tls_security_level=encrypt\n"
      "  -osmtpd_sasl_auth_enable=yes\n"
      "  -o { smtpd_client_restrictions = permit_sasl_authenticated, reject }\n"
      "  -o {milter_macro_daemon_name=ORIGINATING}\n"
      "  -v\n");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].overrides,
            (Pairs{{"syslog_name", "postfix/submission"},
                   {"smtpd_tls_security_level", "encrypt"},
                   {"smtpd_sasl_auth_enable", "yes"},
                   {"smtpd_client_restrictions", "permit_sasl_authenticated, reject"},
                   {"milter_macro_daemon_name", "ORIGINATING"}}));
  EXPECT_EQ(s[0].args, (std::vector<std::string>{"-v"}));
}

TEST(MasterCf, PipeArgumentsAndBraceGroups) {
  auto s = parse_ok(
      "dovecot   unix  -       n       n       -       -       pipe\n"
      "  flags=DRhu user=vmail:vmail argv=/usr/bin/deliver -f ${sender} -d ${recipient}\n"
      "x unix - n n - - pipe { a b c } d\n");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].args.front(), "flags=DRhu");
  EXPECT_EQ(s[0].args.back(), "${recipient}");
  EXPECT_EQ(s[1].args, (std::vector<std::string>{"a b c", "d"}));
}

TEST(MasterCf, AllTypes) {
  auto s = parse_ok(
      "a inet n - n - - x\nb unix n - n - - x\nc unix-dgram n - n - - x\n"
      "d fifo n - n 60 1 x\ne pass n - n - - x\n");
  EXPECT_EQ(s.size(), 5u);
}

TEST(MasterCf, Errors) {
  EXPECT_EQ(parse_error("smtp inet n - y - -\n"),
            "/etc/correio/master.cf:1: error: too few fields (7 of 8) in \"smtp inet n - y - -\"");
  EXPECT_EQ(parse_error("\nsmtp tcp n - y - - smtpd\n"),
            "/etc/correio/master.cf:2: error: invalid type field \"tcp\" (expected inet, unix, "
            "unix-dgram, fifo or pass)");
  EXPECT_EQ(parse_error("smtp inet yes - y - - smtpd\n"),
            "/etc/correio/master.cf:1: error: invalid private field \"yes\" (expected y, n or -)");
  EXPECT_EQ(parse_error("smtp inet n x y - - smtpd\n"),
            "/etc/correio/master.cf:1: error: invalid unprivileged field \"x\" (expected y, n "
            "or -)");
  EXPECT_EQ(parse_error("smtp inet n - q - - smtpd\n"),
            "/etc/correio/master.cf:1: error: invalid chroot field \"q\" (expected y, n or -)");
  EXPECT_EQ(parse_error("smtp inet n - y 1m - smtpd\n"),
            "/etc/correio/master.cf:1: error: invalid wakeup field \"1m\"");
  EXPECT_EQ(parse_error("smtp inet n - y - many smtpd\n"),
            "/etc/correio/master.cf:1: error: invalid maxproc field \"many\"");
  EXPECT_EQ(parse_error("smtp inet n - y - - smtpd -o\n"),
            "/etc/correio/master.cf:1: error: -o option requires name=value");
  EXPECT_EQ(parse_error("smtp inet n - y - - smtpd\n  -o novalue\n"),
            "/etc/correio/master.cf:1: error: -o requires name=value: novalue");
  EXPECT_EQ(parse_error("smtp inet n - y - - smtpd -o { a = b\n"),
            "/etc/correio/master.cf:1: error: missing '}'");
  EXPECT_EQ(parse_error("smtp inet n - y - - smtpd -o {a=b}c\n"),
            "/etc/correio/master.cf:1: error: syntax error after '}' in \"{a=b}c\"");
  EXPECT_EQ(parse_error("host:25 unix n - y - - smtpd\n"),
            "/etc/correio/master.cf:1: error: service name \"host:25\": host:port is for inet "
            "services only");
  std::string e = parse_error("  smtp inet n - y - - smtpd\n");
  EXPECT_EQ(e.rfind("/etc/correio/master.cf:1: error: continuation line", 0), 0u) << e;
}

TEST(MasterCf, ToLineUsesPostfixColumns) {
  auto s = parse_ok(
      "smtp      inet  n       -       y       -       -       smtpd\n"
      "submission inet  n       -       y       -       -       smtpd\n"
      "  -o syslog_name=postfix/submission -o { smtpd_client_restrictions = a, b }\n"
      "pickup    unix  n       -       y       60      1       pickup\n");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].to_line(), "smtp       inet  n       -       y       -       -       smtpd");
  EXPECT_EQ(s[1].to_line(),
            "submission inet  n       -       y       -       -       smtpd -o "
            "syslog_name=postfix/submission -o { smtpd_client_restrictions = a, b }");
  EXPECT_EQ(s[1].format(true),
            "submission inet  n       -       y       -       -       smtpd\n"
            "    -o syslog_name=postfix/submission\n"
            "    -o { smtpd_client_restrictions = a, b }");
  EXPECT_EQ(s[2].to_line(), "pickup     unix  n       -       y       60      1       pickup");
  EXPECT_EQ(s[1].command_line(),
            "smtpd -o syslog_name=postfix/submission -o { smtpd_client_restrictions = a, b }");
}

TEST(MasterCf, ToLineRoundTrips) {
  auto s = parse_ok("submission inet n - y - - smtpd -v -o a=b -o { c = d e } flags=R { x y }\n");
  ASSERT_EQ(s.size(), 1u);
  auto again = parse_ok(s[0].to_line() + "\n");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].overrides, s[0].overrides);
  EXPECT_EQ(again[0].args, s[0].args);
  EXPECT_EQ(again[0].to_line(), s[0].to_line());
}

TEST(MasterCf, LoadMissingIsAnError) {
  auto r = load_master_cf("/nonexistent-correio-dir");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("/nonexistent-correio-dir/master.cf"), std::string::npos);
}

}  // namespace
}  // namespace correio::config
