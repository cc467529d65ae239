// The SMTP client's reply parser (smtp/reply_reader.hpp): single and multi-line replies,
// enhanced status codes, and what a hostile or broken server may send.
#include <gtest/gtest.h>

#include "smtp/reply_reader.hpp"

namespace correio::smtp {
namespace {

TEST(SmtpReplyReader, SingleLineWithEnhancedCode) {
  ReplyReader reader;
  ASSERT_EQ(reader.add_line("550 5.1.1 <a@b>: Recipient address rejected"),
            ReplyReader::State::done);
  Reply r = reader.take();
  EXPECT_EQ(r.code, 550);
  EXPECT_EQ(r.enhanced, "5.1.1");
  EXPECT_EQ(reply_text(r), "550 5.1.1 <a@b>: Recipient address rejected");
}

TEST(SmtpReplyReader, MultiLineEhloKeepsEveryLine) {
  ReplyReader reader;
  EXPECT_EQ(reader.add_line("250-mx.example"), ReplyReader::State::more);
  EXPECT_EQ(reader.add_line("250-PIPELINING"), ReplyReader::State::more);
  EXPECT_EQ(reader.add_line("250 SIZE 1000"), ReplyReader::State::done);
  Reply r = reader.take();
  ASSERT_EQ(r.lines.size(), 3u);
  EXPECT_EQ(r.lines[1], "PIPELINING");
  EXPECT_EQ(r.enhanced, "");
  EXPECT_EQ(reply_text(r), "250-mx.example 250-PIPELINING 250 SIZE 1000");
}

TEST(SmtpReplyReader, BareCodeAndMismatchedCodes) {
  ReplyReader reader;
  EXPECT_EQ(reader.add_line("250"), ReplyReader::State::done);
  EXPECT_EQ(reader.take().lines.size(), 1u);
  EXPECT_EQ(reader.add_line("250-first"), ReplyReader::State::more);
  // RFC 5321 §4.2.1: all lines of a reply carry the same code.
  EXPECT_EQ(reader.add_line("251 second"), ReplyReader::State::bad);
}

TEST(SmtpReplyReader, GarbageIsBad) {
  for (const char* line : {"", "25", "abc hello", "250*x", "650 nope", "150 early"}) {
    ReplyReader reader;
    EXPECT_EQ(reader.add_line(line), ReplyReader::State::bad) << line;
  }
}

TEST(SmtpReplyReader, TooManyLinesIsBad) {
  ReplyReader reader;
  ReplyReader::State state = ReplyReader::State::more;
  for (size_t i = 0; i <= ReplyReader::kMaxLines && state == ReplyReader::State::more; ++i)
    state = reader.add_line("250-x");
  EXPECT_EQ(state, ReplyReader::State::bad);
}

TEST(SmtpReplyReader, EnhancedCodeMustMatchTheReplyClass) {
  EXPECT_EQ(enhanced_code_of(450, "4.2.0 busy"), "4.2.0");
  EXPECT_EQ(enhanced_code_of(450, "5.2.0 busy"), "");
  EXPECT_EQ(enhanced_code_of(250, "2.0.0"), "2.0.0");
  EXPECT_EQ(enhanced_code_of(550, "5.1.10 null MX"), "5.1.10");
  EXPECT_EQ(enhanced_code_of(550, "5.1.1x"), "");
  EXPECT_EQ(enhanced_code_of(550, "5.1234.1 x"), "");
}

}  // namespace
}  // namespace correio::smtp
