// A streaming view of a message's MIME structure for content inspection (what Postfix's
// mime_state does for cleanup's header_checks and body_checks): every logical header
// with its class and every body line with its place in its body segment, from bytes fed
// in pieces of any size. It holds one logical header (at most header_size_limit bytes),
// one line piece (at most line_length_limit bytes) and the open multipart boundaries (at
// most nesting_limit), never the message. One instance per message; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace correio::mail {

// Postfix's header classes (MIME_HDR_PRIMARY, MIME_HDR_MULTIPART, MIME_HDR_NESTED):
// primary: the message's own headers; nested: the headers of an attached message/rfc822;
// mime: MIME-Version and Content-* anywhere, and every header of a multipart body part.
enum class HeaderClass { primary, mime, nested };

class MimeStreamHandler {
 public:
  virtual ~MimeStreamHandler() = default;
  // One logical header: its physical lines joined by "\n" (folding kept, as Postfix gives
  // header_checks), without the final line end. Cut at header_size_limit.
  virtual void header(HeaderClass header_class, std::string_view text) = 0;
  // One body line without its LF, or a piece of at most line_length_limit bytes of a
  // longer one; `line_end`: the piece ends its line (false for the pieces before and for
  // a last line without LF). The blank line that ends a header section, preambles,
  // boundary lines and epilogues are body lines too. `offset`: bytes of the current body
  // segment (one part's body) before this piece, for body_checks_size_limit.
  virtual void body(std::string_view text, bool line_end, uint64_t offset) = 0;
};

struct MimeStreamOptions {
  bool disable_mime = false;  // disable_mime_input_processing: all after the headers is body
  size_t header_size_limit = 102400;
  size_t line_length_limit = 2048;
  size_t nesting_limit = 100;  // mime_nesting_limit: open multiparts tracked at most
};

class MimeStream {
 public:
  explicit MimeStream(MimeStreamOptions options) : options_(options) {}

  // Content with LF line ends, in pieces of any size; calls `handler` for what completed.
  void feed(std::string_view bytes, MimeStreamHandler& handler);
  // End of the message: passes on an unfinished last line and header.
  void finish(MimeStreamHandler& handler);

 private:
  enum class Section { primary_header, part_header, nested_header, body };
  struct Boundary {
    std::string text;  // without the leading "--"
    bool digest = false;
  };

  void line(std::string_view text, bool line_end, MimeStreamHandler& handler);
  void header_line(std::string_view text, bool line_end, MimeStreamHandler& handler);
  void body_line(std::string_view text, bool line_end, bool line_start, MimeStreamHandler& handler);
  bool boundary_line(std::string_view text);
  void flush_header(MimeStreamHandler& handler);
  void end_headers();
  bool in_headers() const { return section_ != Section::body; }

  MimeStreamOptions options_;
  Section section_ = Section::primary_header;
  bool at_line_start_ = true;
  bool dropping_ = false;        // the rest of a header line beyond header_size_limit
  std::string partial_;          // the current line, until its LF (bounded, see feed())
  std::string header_;           // the logical header being collected
  bool header_full_ = false;     // header_ reached header_size_limit: the rest is dropped
  std::string content_fields_;   // this section's Content-Type and -Transfer-Encoding
  bool default_rfc822_ = false;  // the section is a part of multipart/digest
  std::vector<Boundary> boundaries_;
  uint64_t offset_ = 0;  // in the current body segment
};

// RFC 2045 §3, §4: MIME-Version and Content-*, the headers mime_header_checks sees in
// every section (Postfix's HDR_OPT_MIME headers). `name` without the colon.
bool is_mime_header_name(std::string_view name);

}  // namespace correio::mail
