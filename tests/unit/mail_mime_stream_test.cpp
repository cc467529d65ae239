// mail::MimeStream: which table sees each header and line (header_checks(5)), on
// multipart and nested messages fed whole and a few bytes at a time.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "mail/mime_stream.hpp"

namespace correio::mail {
namespace {

struct Recorder final : MimeStreamHandler {
  std::vector<std::string> events;
  std::string rebuilt;
  void header(HeaderClass c, std::string_view text) override {
    const char* tag = c == HeaderClass::primary ? "P:" : c == HeaderClass::mime ? "M:" : "N:";
    events.push_back(tag + std::string(text));
    rebuilt += std::string(text) + "\n";
  }
  void body(std::string_view text, bool line_end, uint64_t offset) override {
    // Pieces of one line are joined so that events do not depend on how bytes arrived.
    if (pending_.empty()) pending_offset_ = offset;
    pending_ += text;
    if (!line_end) return;
    events.push_back("B:" + pending_ + "@" + std::to_string(pending_offset_));
    rebuilt += pending_ + "\n";
    pending_.clear();
  }
  void flush() {
    if (pending_.empty()) return;
    events.push_back("B:" + pending_ + "@" + std::to_string(pending_offset_));
    rebuilt += pending_;
    pending_.clear();
  }
  uint64_t pending_offset_ = 0;
  std::string pending_;
};

std::vector<std::string> classify(const std::string& msg, size_t piece = 0,
                                  MimeStreamOptions options = {}) {
  MimeStream stream(options);
  Recorder r;
  if (piece == 0) {
    stream.feed(msg, r);
  } else {
    for (size_t i = 0; i < msg.size(); i += piece) stream.feed(msg.substr(i, piece), r);
  }
  stream.finish(r);
  r.flush();
  EXPECT_EQ(r.rebuilt, msg);
  return r.events;
}

const std::string kMultipart =
    "From: a@example.org\n"
    "Subject: hello\n"
    " world\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed;\n"
    "\tboundary=\"XX\"\n"
    "\n"
    "preamble\n"
    "--XX\n"
    "Content-Type: text/plain\n"
    "X-Part: one\n"
    "\n"
    "part one\n"
    "--XX\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "Subject: inner\n"
    "Content-Type: text/plain\n"
    "\n"
    "inner body\n"
    "--XX--\n"
    "epilogue\n";

const std::vector<std::string> kMultipartEvents = {
    "P:From: a@example.org",
    "P:Subject: hello\n world",
    "M:MIME-Version: 1.0",
    "M:Content-Type: multipart/mixed;\n\tboundary=\"XX\"",
    "B:@0",
    "B:preamble@1",
    "B:--XX@0",
    "M:Content-Type: text/plain",
    "M:X-Part: one",
    "B:@0",
    "B:part one@1",
    "B:--XX@0",
    "M:Content-Type: message/rfc822",
    "B:@0",
    "N:Subject: inner",
    "M:Content-Type: text/plain",
    "B:@0",
    "B:inner body@1",
    "B:--XX--@0",
    "B:epilogue@0",
};

TEST(MimeStream, ClassifiesHeadersAndBodyOfAMultipartMessage) {
  EXPECT_EQ(classify(kMultipart), kMultipartEvents);
}

TEST(MimeStream, SameAnswerWhenFedAFewBytesAtATime) {
  for (size_t piece : {1, 2, 3, 5, 7, 13})
    EXPECT_EQ(classify(kMultipart, piece), kMultipartEvents) << piece;
}

TEST(MimeStream, DisableMimeMakesEverythingAfterTheHeadersBody) {
  MimeStreamOptions options;
  options.disable_mime = true;
  auto events = classify(kMultipart, 0, options);
  ASSERT_GE(events.size(), 6u);
  EXPECT_EQ(events[3], "M:Content-Type: multipart/mixed;\n\tboundary=\"XX\"");
  for (size_t i = 4; i < events.size(); ++i) EXPECT_EQ(events[i].substr(0, 2), "B:") << events[i];
}

TEST(MimeStream, NestedMultipartAndUnclosedInnerPart) {
  std::string msg =
      "Content-Type: multipart/mixed; boundary=outer\n"
      "\n"
      "--outer\n"
      "Content-Type: multipart/alternative; boundary=inner\n"
      "\n"
      "--inner\n"
      "\n"
      "alt\n"
      "--outer--\n";
  std::vector<std::string> want = {
      "M:Content-Type: multipart/mixed; boundary=outer",
      "B:@0",
      "B:--outer@0",
      "M:Content-Type: multipart/alternative; boundary=inner",
      "B:@0",
      "B:--inner@0",
      "B:@0",
      "B:alt@1",
      "B:--outer--@0",
  };
  EXPECT_EQ(classify(msg), want);
  EXPECT_EQ(classify(msg, 3), want);
}

TEST(MimeStream, EncodedMessageRfc822IsBody) {
  std::string msg =
      "Content-Type: message/rfc822\n"
      "Content-Transfer-Encoding: base64\n"
      "\n"
      "U3ViamVjdDogeA==\n";
  auto events = classify(msg);
  EXPECT_EQ(events.back(), "B:U3ViamVjdDogeA==@1");
}

TEST(MimeStream, DigestPartsDefaultToMessageRfc822) {
  std::string msg =
      "Content-Type: multipart/digest; boundary=d\n"
      "\n"
      "--d\n"
      "\n"
      "Subject: digest entry\n"
      "\n"
      "text\n"
      "--d--\n";
  auto events = classify(msg);
  EXPECT_NE(std::find(events.begin(), events.end(), "N:Subject: digest entry"), events.end());
}

TEST(MimeStream, NonHeaderLineEndsTheHeaders) {
  std::string msg = "Subject: x\nnot a header\nmore\n";
  std::vector<std::string> want = {"P:Subject: x", "B:not a header@0", "B:more@13"};
  EXPECT_EQ(classify(msg), want);
}

TEST(MimeStream, LongBodyLinesComeInLineLengthPieces) {
  MimeStreamOptions options;
  options.line_length_limit = 10;
  MimeStream stream(options);
  struct Pieces final : MimeStreamHandler {
    std::vector<std::string> got;
    void header(HeaderClass, std::string_view) override {}
    void body(std::string_view text, bool line_end, uint64_t offset) override {
      got.push_back(std::string(text) + (line_end ? "$" : "") + std::to_string(offset));
    }
  } pieces;
  std::string msg = "S: x\n\n" + std::string(25, 'a') + "\n";
  for (char c : msg) stream.feed(std::string_view(&c, 1), pieces);
  stream.finish(pieces);
  std::vector<std::string> want = {"$0", "aaaaaaaaaa1", "aaaaaaaaaa11", "aaaaa$21"};
  EXPECT_EQ(pieces.got, want);
}

TEST(MimeStream, OverlongHeaderIsCut) {
  MimeStreamOptions options;
  options.header_size_limit = 16;
  MimeStream stream(options);
  struct Headers final : MimeStreamHandler {
    std::vector<std::string> got;
    void header(HeaderClass, std::string_view text) override { got.emplace_back(text); }
    void body(std::string_view, bool, uint64_t) override {}
  } headers;
  std::string msg = "Subject: " + std::string(100, 'x') + "\n continued\nTo: b\n\n";
  for (size_t i = 0; i < msg.size(); i += 4) stream.feed(msg.substr(i, 4), headers);
  stream.finish(headers);
  std::vector<std::string> want = {"Subject: xxxxxxx", "To: b"};
  EXPECT_EQ(headers.got, want);
}

TEST(MimeStream, LastLineWithoutNewline) {
  MimeStream stream({});
  Recorder r;
  stream.feed("Subject: x\n\nno newline", r);
  stream.finish(r);
  r.flush();
  EXPECT_EQ(r.events.back(), "B:no newline@1");
}

}  // namespace
}  // namespace correio::mail
