// The streaming MIME classifier behind header_checks and body_checks (see the header):
// RFC 2046 §5.1 boundaries at every open level, §5.2.1 message/rfc822, §5.1.5 digest.
#include "mail/mime_stream.hpp"

#include "mail/detail/content_fields.hpp"
#include "mail/header_fields.hpp"

namespace correio::mail {
namespace {

// RFC 5322 §2.2: field-name is printable US-ASCII except ':' and space, then ':'. The
// same test as cleanup's header processing, so both agree where the headers end.
bool is_header_start(std::string_view line) {
  size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  for (size_t i = 0; i < colon; ++i) {
    auto c = static_cast<unsigned char>(line[i]);
    if (c <= 32 || c >= 127) return false;
  }
  return true;
}

// RFC 2045 §6.4: only an identity encoding lets the embedded message be parsed.
bool identity_encoding(std::string_view encoding) {
  return encoding.empty() || header_name_equals(encoding, "7bit") ||
         header_name_equals(encoding, "8bit") || header_name_equals(encoding, "binary");
}

void append_bounded(std::string& to, std::string_view text, size_t limit, bool& full) {
  if (to.size() + text.size() > limit) {
    full = true;
    text = text.substr(0, limit > to.size() ? limit - to.size() : 0);
  }
  to.append(text);
}

}  // namespace

bool is_mime_header_name(std::string_view name) {
  for (std::string_view mime : {"MIME-Version", "Content-Type", "Content-Transfer-Encoding",
                                "Content-Disposition", "Content-ID", "Content-Description"})
    if (header_name_equals(name, mime)) return true;
  return false;
}

void MimeStream::feed(std::string_view bytes, MimeStreamHandler& handler) {
  while (!bytes.empty()) {
    size_t lf = bytes.find('\n');
    bool ended = lf != std::string_view::npos;
    std::string_view piece = bytes.substr(0, ended ? lf : bytes.size());
    bytes.remove_prefix(ended ? lf + 1 : bytes.size());
    if (partial_.empty() && ended) {
      line(piece, true, handler);
      continue;
    }
    partial_.append(piece);
    if (ended) {
      std::string whole = std::move(partial_);
      partial_.clear();
      line(whole, true, handler);
      continue;
    }
    // An unfinished line is passed on once it is too long to be kept: a header line at
    // header_size_limit (the rest is dropped), a body line in line_length_limit pieces
    // (Postfix's body_checks see long lines that way).
    bool header_line = in_headers() && at_line_start_;
    size_t cap = header_line ? options_.header_size_limit : options_.line_length_limit;
    if (cap == 0 || partial_.size() < cap) continue;
    size_t take = header_line ? partial_.size() : partial_.size() - partial_.size() % cap;
    std::string head = partial_.substr(0, take);
    partial_.erase(0, take);
    line(head, false, handler);
  }
}

void MimeStream::finish(MimeStreamHandler& handler) {
  if (!partial_.empty()) {
    std::string last = std::move(partial_);
    partial_.clear();
    line(last, false, handler);
  }
  if (in_headers()) flush_header(handler);
}

void MimeStream::line(std::string_view text, bool line_end, MimeStreamHandler& handler) {
  if (!at_line_start_) {  // a later piece of a long line: it continues what it started
    if (!dropping_) body_line(text, line_end, false, handler);
  } else if (in_headers()) {
    header_line(text, line_end, handler);
  } else {
    body_line(text, line_end, true, handler);
  }
  at_line_start_ = line_end;
  if (line_end) dropping_ = false;
}

void MimeStream::header_line(std::string_view text, bool line_end, MimeStreamHandler& handler) {
  bool continuation = !text.empty() && (text.front() == ' ' || text.front() == '\t');
  if (continuation && !header_.empty()) {
    append_bounded(header_, "\n", options_.header_size_limit, header_full_);
    append_bounded(header_, text, options_.header_size_limit, header_full_);
    dropping_ = !line_end;
    return;
  }
  flush_header(handler);
  if (is_header_start(text)) {
    append_bounded(header_, text, options_.header_size_limit, header_full_);
    dropping_ = !line_end;
    return;
  }
  // The blank line, or a line that is no header: the section ends, the line is body.
  end_headers();
  body_line(text, line_end, true, handler);
}

void MimeStream::body_line(std::string_view text, bool line_end, bool line_start,
                           MimeStreamHandler& handler) {
  // RFC 2046 §5.1.1: a boundary delimiter line is "--" boundary at the start of a line.
  if (line_start && !boundaries_.empty() && text.starts_with("--") && boundary_line(text)) {
    handler.body(text, line_end, 0);
    return;
  }
  size_t limit = options_.line_length_limit;
  while (limit > 0 && text.size() > limit) {
    handler.body(text.substr(0, limit), false, offset_);
    offset_ += limit;
    text.remove_prefix(limit);
  }
  handler.body(text, line_end, offset_);
  offset_ += text.size() + (line_end ? 1 : 0);
}

bool MimeStream::boundary_line(std::string_view text) {
  std::string_view rest = text.substr(2);
  // Postfix's mime_state looks at every open level, innermost first: a part that never
  // closed ends with its parent's next boundary.
  for (size_t i = boundaries_.size(); i-- > 0;) {
    const std::string& b = boundaries_[i].text;
    if (!rest.starts_with(b)) continue;
    bool closing = rest.substr(b.size()).starts_with("--");
    boundaries_.resize(i + 1);
    content_fields_.clear();
    offset_ = 0;
    if (closing) {
      boundaries_.pop_back();  // the epilogue is body of the enclosing level
      section_ = Section::body;
    } else {
      section_ = Section::part_header;
      default_rfc822_ = boundaries_.back().digest;  // RFC 2046 §5.1.5
    }
    return true;
  }
  return false;
}

void MimeStream::flush_header(MimeStreamHandler& handler) {
  if (header_.empty()) return;
  std::string_view name = std::string_view(header_).substr(0, header_.find(':'));
  HeaderClass header_class = section_ == Section::part_header || is_mime_header_name(name)
                                 ? HeaderClass::mime
                             : section_ == Section::nested_header ? HeaderClass::nested
                                                                  : HeaderClass::primary;
  if ((header_name_equals(name, "Content-Type") ||
       header_name_equals(name, "Content-Transfer-Encoding")) &&
      content_fields_.size() < 2 * options_.header_size_limit) {
    content_fields_ += header_;
    content_fields_ += '\n';
  }
  handler.header(header_class, header_);
  header_.clear();
  header_full_ = false;
}

void MimeStream::end_headers() {
  bool digest_part = default_rfc822_;
  default_rfc822_ = false;
  offset_ = 0;
  section_ = Section::body;
  if (options_.disable_mime) {
    content_fields_.clear();
    boundaries_.clear();
    return;
  }
  MimePart part;
  detail::apply_content_fields(content_fields_, digest_part, part);
  content_fields_.clear();
  if (part.is_multipart()) {
    const MimeParam* boundary = part.type_param("boundary");
    if (boundary && !boundary->value.empty() && boundaries_.size() < options_.nesting_limit)
      boundaries_.push_back({boundary->value, part.subtype == "digest"});
    return;
  }
  if (part.is_message_rfc822() && identity_encoding(part.transfer_encoding))
    section_ = Section::nested_header;
}

}  // namespace correio::mail
