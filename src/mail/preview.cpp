// PREVIEW text (see preview.hpp).
#include "mail/preview.hpp"

#include <cstdint>
#include <cstdlib>

#include "mail/encoded_words.hpp"
#include "mail/transfer_encoding.hpp"

namespace correio::mail {
namespace {

const MimePart* first_text_part(const MimePart& part) {
  if (part.children.empty()) return part.type == "text" ? &part : nullptr;
  if (part.is_message_rfc822()) return nullptr;  // a forwarded message is not this one's text
  for (const MimePart& child : part.children)
    if (const MimePart* found = first_text_part(child)) return found;
  return nullptr;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x110000) {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if ((text[i] | 0x20) != prefix[i]) return false;
  return true;
}

// "&amp;" -> "&", "&#233;" -> "é"; unknown names are kept as written.
size_t decode_entity(std::string_view html, size_t at, std::string& out) {
  size_t end = html.find(';', at);
  if (end == std::string_view::npos || end - at > 10) {
    out += '&';
    return at + 1;
  }
  std::string_view name = html.substr(at + 1, end - at - 1);
  static constexpr struct {
    std::string_view name;
    uint32_t cp;
  } kNamed[] = {{"amp", '&'},  {"lt", '<'},    {"gt", '>'},
                {"quot", '"'}, {"apos", '\''}, {"nbsp", ' '}};
  for (const auto& e : kNamed) {
    if (name == e.name) {
      append_utf8(out, e.cp);
      return end + 1;
    }
  }
  if (!name.empty() && name[0] == '#') {
    bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
    std::string digits(name.substr(hex ? 2 : 1));
    char* stop = nullptr;
    unsigned long cp = std::strtoul(digits.c_str(), &stop, hex ? 16 : 10);
    if (!digits.empty() && stop && *stop == '\0' && cp > 0 && cp < 0x110000) {
      append_utf8(out, static_cast<uint32_t>(cp));
      return end + 1;
    }
  }
  out += '&';
  return at + 1;
}

}  // namespace

std::string html_to_text(std::string_view html) {
  std::string out;
  size_t i = 0;
  while (i < html.size()) {
    char c = html[i];
    if (c == '&') {
      i = decode_entity(html, i, out);
      continue;
    }
    if (c != '<') {
      out += c;
      ++i;
      continue;
    }
    // A tag: elements whose content is not text are skipped to their end tag.
    std::string_view rest = html.substr(i + 1);
    for (std::string_view skip : {"style", "script"}) {
      if (starts_with_ci(rest, skip)) {
        std::string close = "</" + std::string(skip);
        size_t found = std::string_view::npos;
        for (size_t k = i; k + close.size() <= html.size(); ++k) {
          if (starts_with_ci(html.substr(k), close)) {
            found = k;
            break;
          }
        }
        i = found == std::string_view::npos ? html.size() : found;
        break;
      }
    }
    size_t end = html.find('>', i);
    i = end == std::string_view::npos ? html.size() : end + 1;
    out += ' ';  // a tag separates words
  }
  return out;
}

std::string message_preview(std::string_view raw, const MimePart& root) {
  const MimePart* part = first_text_part(root);
  if (part == nullptr) return "";
  std::string_view body = raw.substr(part->body_offset, part->body_size);
  auto decoded = decode_transfer_encoding(body, part->transfer_encoding);
  if (!decoded) return "";
  const MimeParam* charset = part->type_param("charset");
  std::string text =
      charset_to_utf8(*decoded, charset ? std::string_view(charset->value) : "us-ascii");
  if (part->subtype == "html") text = html_to_text(text);

  std::string out;
  size_t characters = 0;
  bool pending_space = false;
  size_t line_start = 0;
  while (line_start < text.size() && characters < kPreviewCharacters) {
    size_t line_end = text.find('\n', line_start);
    if (line_end == std::string::npos) line_end = text.size();
    std::string_view line = std::string_view(text).substr(line_start, line_end - line_start);
    line_start = line_end + 1;
    if (!line.empty() && line[0] == '>') continue;  // a quotation (only at the line's start)
    for (size_t k = 0; k < line.size(); ++k) {
      unsigned char c = static_cast<unsigned char>(line[k]);
      bool continuation = (c & 0xc0) == 0x80;
      if (characters >= kPreviewCharacters && !continuation) break;
      if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        pending_space = !out.empty();
        continue;
      }
      if (pending_space) {
        out += ' ';
        ++characters;
        pending_space = false;
        if (characters >= kPreviewCharacters) break;
      }
      out += static_cast<char>(c);
      if (!continuation) ++characters;  // count characters, not bytes
    }
    pending_space = !out.empty();  // a line break is a space
  }
  // Do not end inside a UTF-8 sequence.
  while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xc0) == 0x80) {
    size_t lead = out.size() - 1;
    while (lead > 0 && (static_cast<unsigned char>(out[lead]) & 0xc0) == 0x80) --lead;
    unsigned char l = static_cast<unsigned char>(out[lead]);
    size_t need = l < 0xe0 ? 2 : l < 0xf0 ? 3 : 4;
    if (out.size() - lead >= need) break;
    out.resize(lead);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return sanitize_utf8(out);
}

}  // namespace correio::mail
