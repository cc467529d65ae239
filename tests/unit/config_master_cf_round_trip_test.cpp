// master.cf entries print (postconf -M, to_line) as lines that parse again to the same
// entry (issue 20 item 6); control characters are refused with FILE:LINE.
#include <gtest/gtest.h>

#include <string>

#include "config/master_cf.hpp"

namespace correio::config {
namespace {

std::string parse_error(std::string_view text) {
  auto r = parse_master_cf(text, "/etc/correio/master.cf");
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? "" : r.error().message;
}

// Parses `text` (one entry), prints it, parses the print and compares every field.
void expect_round_trip(std::string_view text) {
  auto first = parse_master_cf(text, "master.cf");
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_EQ(first->size(), 1u);
  const MasterService& s = first->front();
  for (bool fold : {false, true}) {
    std::string line = s.format(fold);
    auto again = parse_master_cf(line + "\n", "master.cf");
    ASSERT_TRUE(again.ok()) << line << ": " << again.error().message;
    ASSERT_EQ(again->size(), 1u) << line;
    const MasterService& r = again->front();
    EXPECT_EQ(r.key(), s.key()) << line;
    EXPECT_EQ(r.command, s.command) << line;
    EXPECT_EQ(r.overrides, s.overrides) << line;
    EXPECT_EQ(r.args, s.args) << line;
  }
}

TEST(MasterCfRoundTrip, ControlCharactersAreRefused) {
  // The fuzz inputs (fuzz/seeds/master_cf_fuzz/control-bytes-*): a form feed inside
  // "{ ... }" printed bare split the value in two when read back.
  EXPECT_EQ(parse_error("a inet - - - - - s -o { a = x\fy }\n"),
            "/etc/correio/master.cf:1: error: control character 0x0c in column 30");
  EXPECT_EQ(parse_error("# c\n\na inet - - - - - s\n  -o a=\x1f\n"),
            "/etc/correio/master.cf:4: error: control character 0x1f in column 8");
  EXPECT_EQ(parse_error(std::string_view("a inet - - - - - s \0\n", 21)),
            "/etc/correio/master.cf:1: error: control character 0x00 in column 20");
  EXPECT_EQ(parse_error("a inet - - - - - s x\x7f\n"),
            "/etc/correio/master.cf:1: error: control character 0x7f in column 21");
  // TAB separates columns, CRLF line ends are accepted, and comments are not looked at.
  EXPECT_TRUE(parse_master_cf("# \f\x01\na inet - - - - - s\n", "master.cf").ok());
  EXPECT_TRUE(parse_master_cf("a\tinet\t-\t-\t-\t-\t-\ts\r\n", "master.cf").ok());
}

TEST(MasterCfRoundTrip, BracesInsideBareWords) {
  expect_round_trip("a inet - - - - - s a{b c}d\n");
  expect_round_trip("a inet - - - - - s -o a=x{ -o b=}\n");
  expect_round_trip("a inet - - - - - s -o { a = {x y} }\n");
}

TEST(MasterCfRoundTrip, BracedWordsThatLookLikeOptions) {
  expect_round_trip("a inet - - - - - s { -o } x=y\n");
  expect_round_trip("a inet - - - - - s { -oa=b }\n");
  expect_round_trip("a inet - - - - - s { {x} } { } -v\n");
}

TEST(MasterCfRoundTrip, EmptyAndSpacedValues) {
  expect_round_trip("a inet - - - - - s -o a= -o { b = } -o { c = d  e }\n");
  expect_round_trip(
      "submission inet n - y - - smtpd -v -o a=b -o { c = d e } flags=R { x y } "
      "-o { smtpd_client_restrictions = permit_sasl_authenticated, reject }\n");
}

}  // namespace
}  // namespace correio::config
