// main.cf syntax: comments, continuations, name = value, errors and warnings with FILE:LINE.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config/main_cf.hpp"

namespace correio::config {
namespace {

MainCf parse_ok(std::string_view text, std::vector<std::string>* warnings = nullptr) {
  auto r = MainCf::parse(text, "main.cf", warnings);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : MainCf{};
}

std::string parse_error(std::string_view text) {
  auto r = MainCf::parse(text, "/etc/correio/main.cf");
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.error().message;
}

TEST(MainCf, NameEqualsValueWithOptionalSpaces) {
  auto m = parse_ok("a = 1\nb=2\nc   =3\nd=   4   \n");
  ASSERT_EQ(m.entries().size(), 4u);
  EXPECT_EQ(m.find("a")->value, "1");
  EXPECT_EQ(m.find("b")->value, "2");
  EXPECT_EQ(m.find("c")->value, "3");
  EXPECT_EQ(m.find("d")->value, "4");
  EXPECT_EQ(m.find("d")->line, 4);
  EXPECT_EQ(m.find("zz"), nullptr);
}

TEST(MainCf, EmptyValue) {
  auto m = parse_ok("smtp_sasl_security_options =\nx=\n");
  EXPECT_EQ(m.find("smtp_sasl_security_options")->value, "");
  EXPECT_EQ(m.find("x")->value, "");
}

TEST(MainCf, CommentsAndBlankLines) {
  auto m = parse_ok("# comment\n\n   # indented comment\n\t\na = 1\n#b = 2\n");
  ASSERT_EQ(m.entries().size(), 1u);
  EXPECT_EQ(m.find("a")->line, 5);
  EXPECT_EQ(m.find("b"), nullptr);
}

TEST(MainCf, HashInsideValueIsData) {
  auto m = parse_ok("smtpd_banner = $myhostname # not a comment\n");
  EXPECT_EQ(m.find("smtpd_banner")->value, "$myhostname # not a comment");
}

TEST(MainCf, ContinuationKeepsLeadingWhitespaceAndDeletesNewline) {
  auto m = parse_ok("mydestination = a,\n    b,\n\tc\nnext = 1\n");
  EXPECT_EQ(m.find("mydestination")->value, "a,    b,\tc");
  EXPECT_EQ(m.find("mydestination")->line, 1);
  EXPECT_EQ(m.find("next")->line, 4);
}

TEST(MainCf, ValueMayStartOnContinuationLine) {
  auto m = parse_ok("debugger_command =\n\t PATH=/bin\n\t ddd x\n");
  EXPECT_EQ(m.find("debugger_command")->value, "PATH=/bin\t ddd x");
}

TEST(MainCf, CommentLinesDoNotBreakContinuation) {
  auto m = parse_ok("a = one\n# comment in between\n  # indented comment\n\n two\n");
  EXPECT_EQ(m.find("a")->value, "one two");
}

TEST(MainCf, CrLfLineEndings) {
  auto m = parse_ok("a = 1\r\nb = 2\r\n");
  EXPECT_EQ(m.find("a")->value, "1");
  EXPECT_EQ(m.find("b")->value, "2");
}

TEST(MainCf, NoFinalNewline) {
  auto m = parse_ok("a = 1\nb = 2");
  EXPECT_EQ(m.find("b")->value, "2");
}

TEST(MainCf, MissingEquals) {
  EXPECT_EQ(parse_error("a = 1\nfoo\n"),
            "/etc/correio/main.cf:2: error: missing '=' after parameter name: \"foo\"");
  EXPECT_EQ(parse_error("foo bar = 1\n"),
            "/etc/correio/main.cf:1: error: missing '=' after parameter name: \"foo\"");
}

TEST(MainCf, BadParameterName) {
  EXPECT_EQ(parse_error("\n\nfoo$bar = 1\n"),
            "/etc/correio/main.cf:3: error: bad parameter name: \"foo$bar\"");
  EXPECT_EQ(parse_error("= value\n"), "/etc/correio/main.cf:1: error: bad parameter name: \"\"");
}

TEST(MainCf, ServiceDependentNamesAreValid) {
  auto m = parse_ok("127.0.0.1:10025_time_limit = 1\nrelay-out_destination_concurrency_limit=2\n");
  EXPECT_EQ(m.entries().size(), 2u);
}

TEST(MainCf, ContinuationAtFileStartIsAnError) {
  std::string e = parse_error("# comment\n  indented = 1\n");
  EXPECT_EQ(e.rfind("/etc/correio/main.cf:2: error: continuation line", 0), 0u) << e;
}

TEST(MainCf, DuplicateWarnsAndLastWins) {
  std::vector<std::string> warnings;
  auto m = parse_ok("a = 1\nb = x\na = 2\n", &warnings);
  EXPECT_EQ(m.find("a")->value, "2");
  EXPECT_EQ(m.find("a")->line, 3);
  EXPECT_EQ(m.entries().size(), 3u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "main.cf:3: warning: overriding earlier entry: a=2");
}

TEST(MainCf, FedOneByteAtATimeGivesTheSameEntries) {
  // Dovecot's habit: a parser's result must not depend on how its input was split.
  std::string text = "a = 1\n  continued\n# c\nb=2\n";
  auto whole = parse_ok(text);
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    std::string joined = text.substr(0, cut) + text.substr(cut);
    auto again = parse_ok(joined);
    ASSERT_EQ(again.entries().size(), whole.entries().size());
  }
}

TEST(MainCf, LoadMissingFileIsEmpty) {
  auto r = MainCf::load("/nonexistent-correio-dir/main.cf");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->entries().empty());
}

TEST(MainCf, LoadReportsPathInErrors) {
  auto dir = std::filesystem::temp_directory_path() / "correio-main-cf-test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "main.cf") << "ok = 1\nbroken\n";
  auto r = MainCf::load(dir / "main.cf");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            (dir / "main.cf").string() + ":2: error: missing '=' after parameter name: \"broken\"");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace correio::config
