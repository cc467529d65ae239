// RFC 2046 §5.1 multipart and §5.2.1 message/rfc822 structure, scanned the way Dovecot's
// message parser does: one pass, a stack of active boundaries, a delimiter line is any line
// starting with "--" + boundary (the longest matching boundary wins, the innermost on ties),
// and a boundary of an enclosing multipart ends every part inside it.
#include "mail/mime_parser.hpp"

#include "mail/detail/content_fields.hpp"
#include "mail/header_fields.hpp"

namespace correio::mail {
namespace {

struct Boundary {
  std::string_view text;  // without the leading "--"
};

// What stopped a scan: a delimiter line of boundaries[level] at line_start, or the end.
struct Stop {
  std::size_t line_start;  // raw.size() when the end was reached
  std::size_t next_line;   // start of the line after the delimiter
  int level = -1;          // index into the boundary stack, -1 = end of input
  bool close = false;      // "--boundary--"
};

class Parser {
 public:
  explicit Parser(std::string_view raw) : raw_(raw) {}

  // Parses an entity (header + body) starting at `pos`; returns what ended it.
  Stop parse_entity(std::size_t pos, int depth, bool default_rfc822, MimePart& part);

 private:
  std::size_t line_end(std::size_t pos) const {
    std::size_t lf = raw_.find('\n', pos);
    return lf == std::string_view::npos ? raw_.size() : lf + 1;
  }
  // The boundary level a line starting at `pos` delimits, or -1.
  int match_boundary(std::size_t pos, bool& close) const;
  // Scans lines from `pos` (a line start) for the next delimiter of any active boundary.
  Stop scan(std::size_t pos) const;
  // Body end for a part ended by `stop`: the line end before the delimiter belongs to it.
  std::size_t content_end(std::size_t body_start, const Stop& stop) const;
  void finish_sizes(MimePart& part) const;

  std::string_view raw_;
  std::vector<Boundary> boundaries_;
  std::size_t part_count_ = 0;
};

int Parser::match_boundary(std::size_t pos, bool& close) const {
  if (boundaries_.empty() || raw_.size() - pos < 2 || raw_[pos] != '-' || raw_[pos + 1] != '-')
    return -1;
  std::string_view line = raw_.substr(pos + 2, line_end(pos) - pos - 2);
  int best = -1;
  for (int i = static_cast<int>(boundaries_.size()) - 1; i >= 0; --i) {
    std::string_view b = boundaries_[static_cast<std::size_t>(i)].text;
    if (line.substr(0, b.size()) != b) continue;
    if (best < 0 || boundaries_[static_cast<std::size_t>(best)].text.size() < b.size()) best = i;
  }
  if (best >= 0) {
    std::string_view after = line.substr(boundaries_[static_cast<std::size_t>(best)].text.size());
    close = after.substr(0, 2) == "--";
  }
  return best;
}

Stop Parser::scan(std::size_t pos) const {
  while (pos < raw_.size()) {
    bool close = false;
    int level = match_boundary(pos, close);
    std::size_t next = line_end(pos);
    if (level >= 0) return Stop{pos, next, level, close};
    pos = next;
  }
  return Stop{raw_.size(), raw_.size(), -1, false};
}

std::size_t Parser::content_end(std::size_t body_start, const Stop& stop) const {
  std::size_t end = stop.line_start;
  if (stop.level < 0) return end;
  // RFC 2046 §5.1.1: the CRLF preceding the delimiter is part of the delimiter.
  if (end > body_start && raw_[end - 1] == '\n') {
    --end;
    if (end > body_start && raw_[end - 1] == '\r') --end;
  }
  return end;
}

void Parser::finish_sizes(MimePart& part) const {
  std::string_view header = raw_.substr(part.header_offset, part.header_size);
  std::string_view body = raw_.substr(part.body_offset, part.body_size);
  part.header_size_crlf = crlf_size(header);
  part.body_size_crlf = crlf_size(body);
  part.body_lines = count_lines(body);
}

Stop Parser::parse_entity(std::size_t pos, int depth, bool default_rfc822, MimePart& part) {
  ++part_count_;
  part.header_offset = pos;
  // The header ends at the blank line, or early at a delimiter line of an enclosing
  // multipart (a truncated part), or at the end of the input.
  std::size_t p = pos;
  Stop header_stop{raw_.size(), raw_.size(), -1, false};
  bool blank = false;
  while (p < raw_.size()) {
    bool close = false;
    int level = match_boundary(p, close);
    std::size_t next = line_end(p);
    if (level >= 0) {
      header_stop = Stop{p, next, level, close};
      break;
    }
    std::size_t len = next - p;
    bool is_blank =
        (len == 1 && raw_[p] == '\n') || (len == 2 && raw_[p] == '\r' && raw_[p + 1] == '\n');
    p = next;
    if (is_blank) {
      blank = true;
      break;
    }
  }
  part.header_size = p - pos;
  part.has_header_blank_line = blank;
  part.body_offset = p;
  detail::apply_content_fields(raw_.substr(pos, part.header_size), default_rfc822, part);

  if (!blank) {
    // No body at all: the entity ended inside its header.
    part.body_size = 0;
    if (header_stop.level >= 0 && part.header_size > 0) {
      // The line end before the delimiter belongs to the delimiter, not to the header.
      std::size_t end = content_end(pos, header_stop);
      part.header_size = end - pos;
      part.body_offset = end;
    }
    // A multipart or message/rfc822 without a body keeps its type and has no children
    // (the IMAP output prints Dovecot's placeholder for it).
    finish_sizes(part);
    return header_stop;
  }

  std::size_t body_start = p;
  const MimeParam* boundary = part.type_param("boundary");
  bool too_deep = depth >= kMaxMimeDepth || part_count_ >= kMaxMimeParts;
  Stop stop;
  if (part.is_multipart() && boundary != nullptr && !boundary->value.empty() && !too_deep) {
    boundaries_.push_back(Boundary{boundary->value});
    int own = static_cast<int>(boundaries_.size()) - 1;
    bool digest = part.subtype == "digest";
    stop = scan(body_start);  // the preamble
    while (stop.level == own && !stop.close && part_count_ < kMaxMimeParts) {
      MimePart child;
      stop = parse_entity(stop.next_line, depth + 1, digest, child);
      part.children.push_back(std::move(child));
    }
    // The epilogue (after the close delimiter, or after the part limit was reached) runs
    // to a delimiter of an enclosing multipart or to the end; our own delimiters in it
    // are ignored.
    boundaries_.pop_back();
    if (stop.level == own) stop = scan(stop.next_line);
  } else if (part.is_message_rfc822() && !too_deep) {
    MimePart child;
    stop = parse_entity(body_start, depth + 1, false, child);
    part.children.push_back(std::move(child));
  } else {
    // A leaf; also a multipart without a usable boundary and anything nested too deep:
    // like Dovecot, such a multipart keeps its type and gets no children.
    stop = scan(body_start);
  }
  part.body_size = content_end(body_start, stop) - body_start;
  finish_sizes(part);
  return stop;
}

const MimePart* find_child(const MimePart& part, unsigned number) {
  // RFC 3501 §6.4.5: inside message/rfc822 the numbers address the embedded message's
  // parts; a non-multipart message has a single part 1 (itself).
  const MimePart* p = &part;
  if (p->is_message_rfc822() && p->children.size() == 1) p = &p->children[0];
  if (p->is_multipart()) {
    if (number == 0 || number > p->children.size()) return nullptr;
    return &p->children[number - 1];
  }
  return number == 1 ? p : nullptr;
}

}  // namespace

const MimeParam* MimePart::type_param(std::string_view name) const {
  for (const MimeParam& p : type_params)
    if (p.name == name) return &p;
  return nullptr;
}

MimePart parse_mime(std::string_view raw) {
  MimePart root;
  Parser parser(raw);
  (void)parser.parse_entity(0, 0, false, root);
  return root;
}

const MimePart* find_part(const MimePart& root, const std::vector<unsigned>& path) {
  const MimePart* p = &root;
  bool first = true;
  for (unsigned n : path) {
    // The top level is a message, not a message/rfc822 part: address its body directly.
    if (first && !p->is_multipart()) {
      if (n != 1) return nullptr;
      first = false;
      continue;
    }
    first = false;
    p = find_child(*p, n);
    if (p == nullptr) return nullptr;
  }
  return p;
}

}  // namespace correio::mail
