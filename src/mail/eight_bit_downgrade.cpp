// Converting 8-bit MIME bodies to quoted-printable for servers without 8BITMIME.
#include "mail/eight_bit_downgrade.hpp"

#include <vector>

#include "mail/mime_parser.hpp"

namespace correio::mail {
namespace {

bool has_8bit(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return true;
  return false;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// One leaf to convert: where its header and body are in the raw message.
struct Edit {
  size_t header_offset, header_size, body_offset, body_size;
};

void collect(const MimePart& part, std::string_view raw, std::vector<Edit>& edits) {
  if (part.is_multipart() || part.is_message_rfc822()) {
    for (const auto& child : part.children) collect(child, raw, edits);
    return;
  }
  std::string cte = lower(part.transfer_encoding);
  if (!cte.empty() && cte != "7bit" && cte != "8bit") return;  // already encoded, or binary
  if (part.body_offset + part.body_size > raw.size()) return;
  if (!has_8bit(raw.substr(part.body_offset, part.body_size))) return;
  edits.push_back({part.header_offset, part.header_size, part.body_offset, part.body_size});
}

// The header without its Content-Transfer-Encoding field(s), with a quoted-printable one
// before the blank line that ends it.
// RFC 2045 §4: a top-level header without MIME-Version gets one, or the new
// Content-Transfer-Encoding would not be read as MIME.
std::string relabelled(std::string_view header, bool add_mime_version) {
  std::string out;
  bool skipping = false;
  bool blank_seen = false;
  while (!header.empty()) {
    size_t nl = header.find('\n');
    std::string_view line = header.substr(0, nl == std::string_view::npos ? header.size() : nl + 1);
    header.remove_prefix(line.size());
    std::string_view text = line;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    if (text.empty()) {
      blank_seen = true;
      break;
    }
    bool continuation = text[0] == ' ' || text[0] == '\t';
    if (!continuation) skipping = lower(text.substr(0, 26)) == "content-transfer-encoding:";
    if (!skipping) {
      out.append(text);
      out += '\n';
    }
  }
  if (add_mime_version) out += "MIME-Version: 1.0\n";
  out += "Content-Transfer-Encoding: quoted-printable\n";
  if (blank_seen) out += '\n';
  return out;
}

}  // namespace

std::string encode_quoted_printable(std::string_view body) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(body.size() + body.size() / 8);
  while (!body.empty()) {
    size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body.remove_prefix(nl == std::string_view::npos ? body.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t column = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(line[i]);
      bool last = i + 1 == line.size();
      // §6.7 rules (1)-(3): printable ASCII but "=" literal; space and tab literal except
      // at the end of a line, where a transport might strip them.
      bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
      size_t width = literal ? 1 : 3;
      // Rule (5): at most 76 characters, "=" soft line break included.
      if (column + width > 75) {
        out += "=\n";
        column = 0;
      }
      if (literal) {
        out += static_cast<char>(c);
      } else {
        out += '=';
        out += hex[c >> 4];
        out += hex[c & 15];
      }
      column += width;
    }
    if (nl != std::string_view::npos) out += '\n';
  }
  return out;
}

std::string downgrade_8bit_bodies(std::string_view message) {
  MimePart root = parse_mime(message);
  std::vector<Edit> edits;
  collect(root, message, edits);
  std::string out;
  size_t copied = 0;
  for (const Edit& e : edits) {  // in message order: the parser walks it front to back
    if (e.header_offset < copied) continue;
    out.append(message.substr(copied, e.header_offset - copied));
    std::string_view header = message.substr(e.header_offset, e.header_size);
    bool top = e.header_offset == 0;
    bool has_version = false;
    for (size_t at = 0; top && at < header.size();) {
      size_t nl = header.find('\n', at);
      if (lower(header.substr(at, 13)) == "mime-version:") has_version = true;
      at = nl == std::string_view::npos ? header.size() : nl + 1;
    }
    out += relabelled(header, top && !has_version);
    // The part's body is followed by the line end before the next boundary, copied as is.
    out += encode_quoted_printable(message.substr(e.body_offset, e.body_size));
    copied = e.body_offset + e.body_size;
  }
  out.append(message.substr(copied));
  return out;
}

}  // namespace correio::mail
