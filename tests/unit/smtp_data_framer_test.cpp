// DATA framing: end-of-data, dot-unstuffing, bare LF/CR handling (no SMTP smuggling).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "smtp/data_framer.hpp"

namespace correio::smtp {
namespace {

struct Framed {
  std::string content;
  bool ended = false;
  bool bare_newline_rejected = false;
};

// Feeds `input` split into lines (each with its LF), or into fixed-size pieces.
Framed frame(const std::string& input, bool reject = false, size_t piece_size = 0) {
  DataFramer framer(reject);
  Framed out;
  std::vector<std::string> pieces;
  size_t pos = 0;
  while (pos < input.size()) {
    size_t end;
    if (piece_size) {
      size_t lf = input.find('\n', pos);
      end = std::min(lf == std::string::npos ? input.size() : lf + 1, pos + piece_size);
    } else {
      size_t lf = input.find('\n', pos);
      end = lf == std::string::npos ? input.size() : lf + 1;
    }
    pieces.push_back(input.substr(pos, end - pos));
    pos = end;
  }
  for (const auto& piece : pieces) {
    auto event = framer.feed(piece, out.content);
    if (event == DataFramer::Event::end) {
      out.ended = true;
      break;
    }
    if (event == DataFramer::Event::bare_newline) {
      out.bare_newline_rejected = true;
      break;
    }
  }
  return out;
}

TEST(DataFramer, EndsOnlyOnCrLfDotCrLf) {
  auto f = frame("Subject: x\r\n\r\nbody\r\n.\r\n");
  EXPECT_TRUE(f.ended);
  EXPECT_EQ(f.content, "Subject: x\n\nbody\n");
}

TEST(DataFramer, EmptyMessage) {
  auto f = frame(".\r\n");
  EXPECT_TRUE(f.ended);
  EXPECT_EQ(f.content, "");
}

TEST(DataFramer, DotUnstuffing) {
  auto f = frame("..leading dot\r\n...\r\n.\r\n");
  EXPECT_TRUE(f.ended);
  EXPECT_EQ(f.content, ".leading dot\n..\n");
}

TEST(DataFramer, BareLfDotBareLfDoesNotEndMessage) {
  // CVE-2023-51764: <LF>.<LF> and <LF>.<CR><LF> must not end the message.
  auto f = frame("a\n.\nMAIL FROM:<evil@x>\r\n");
  EXPECT_FALSE(f.ended);
  auto g = frame("a\n.\r\nRCPT TO:<x@y>\r\n");
  EXPECT_FALSE(g.ended);
  auto h = frame("a\r\n.\nb\r\n");
  EXPECT_FALSE(h.ended);
}

TEST(DataFramer, BareCrDotDoesNotEndMessage) {
  auto f = frame("a\r.\r\nb\r\n");
  EXPECT_FALSE(f.ended);
  EXPECT_EQ(f.content, "a\r.\nb\n");
}

TEST(DataFramer, DotAfterBareLfLineDoesNotEndButNextCrlfDotDoes) {
  auto f = frame("x\n.\r\ny\r\n.\r\n");
  EXPECT_TRUE(f.ended);
  EXPECT_EQ(f.content, "x\n\ny\n");
}

TEST(DataFramer, RejectModeReportsBareLf) {
  auto f = frame("ok\r\nbare\nrest\r\n.\r\n", /*reject=*/true);
  EXPECT_TRUE(f.bare_newline_rejected);
  EXPECT_FALSE(f.ended);
}

TEST(DataFramer, EightBitBytesPassThrough) {
  std::string body = "Subject: \xc3\xa7\r\n\r\n\xff\xfe\x80\r\n.\r\n";
  auto f = frame(body);
  EXPECT_TRUE(f.ended);
  EXPECT_EQ(f.content, "Subject: \xc3\xa7\n\n\xff\xfe\x80\n");
}

TEST(DataFramer, LongLinesInPiecesKeepContentAndFraming) {
  std::string long_line(10000, 'x');
  std::string input = long_line + "\r\n.." + long_line + "\r\n.\r\n";
  // Pieces are whole lines or cuts of at least 3 bytes (read_segment never cuts shorter).
  for (size_t piece : {3u, 4u, 7u, 64u, 4096u}) {
    auto f = frame(input, false, piece);
    EXPECT_TRUE(f.ended) << piece;
    EXPECT_EQ(f.content, long_line + "\n." + long_line + "\n") << piece;
  }
}

TEST(DataFramer, CrLfSplitAcrossPieces) {
  auto f = frame("abc\r\n.\r\n", false, 4);  // "abc\r" then "\n" then ".\r\n"
  EXPECT_TRUE(f.ended);
  EXPECT_EQ(f.content, "abc\n");
}

}  // namespace
}  // namespace correio::smtp
