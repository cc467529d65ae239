// SEARCH support: decoded header and body text, and a simple Unicode case fold.
#include "mail/message_search.hpp"

#include "mail/encoded_words.hpp"
#include "mail/header_fields.hpp"
#include "mail/transfer_encoding.hpp"

namespace correio::mail {
namespace {

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// Simple lowercase mapping for the scripts mail in Western and Eastern Europe uses most
// (Unicode simple case folding restricted to these blocks).
char32_t fold(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0x80) return c;
  if ((c >= 0xc0 && c <= 0xde && c != 0xd7)) return c + 32;  // Latin-1 À..Þ
  if (c == 0xb5) return 0x3bc;                               // micro sign -> mu
  if (c >= 0x100 && c <= 0x17f) {                            // Latin Extended-A
    if (c == 0x130) return 'i';
    if (c == 0x178) return 0xff;
    if (c == 0x17f) return 's';
    bool odd_lower = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e);
    if (odd_lower) return (c % 2 == 1) ? c + 1 : c;
    if (c == 0x138 || c == 0x149) return c;
    return (c % 2 == 0) ? c + 1 : c;
  }
  if (c >= 0x391 && c <= 0x3ab && c != 0x3a2) return c + 32;  // Greek capitals
  if (c == 0x3c2) return 0x3c3;                               // final sigma
  if (c >= 0x410 && c <= 0x42f) return c + 32;                // Cyrillic А..Я
  if (c >= 0x400 && c <= 0x40f) return c + 80;                // Cyrillic Ѐ..Џ
  return c;
}

void collect_text(std::string_view raw, const MimePart& part, std::size_t max_bytes,
                  std::string& out) {
  if (out.size() >= max_bytes) return;
  if (!part.children.empty()) {
    for (const MimePart& child : part.children) {
      if (part.is_message_rfc822()) {
        // The embedded message's header is searchable text too (Dovecot's BODY/TEXT
        // search covers it through the body of the outer message).
        out += decoded_header_text(raw.substr(child.header_offset, child.header_size));
      }
      collect_text(raw, child, max_bytes, out);
    }
    return;
  }
  if (part.type != "text") return;
  std::string_view body = raw.substr(part.body_offset, part.body_size);
  std::optional<std::string> decoded = decode_transfer_encoding(body, part.transfer_encoding);
  if (!decoded) return;
  const MimeParam* charset = part.type_param("charset");
  std::string text =
      charset_to_utf8(*decoded, charset ? std::string_view(charset->value) : "us-ascii");
  if (!out.empty()) out.push_back('\n');
  out.append(text, 0, max_bytes - std::min(max_bytes, out.size()));
}

}  // namespace

std::vector<std::string> decoded_header_values(std::string_view header, std::string_view name) {
  std::vector<std::string> out;
  for (const std::string& v : header_values(header, name)) out.push_back(decode_encoded_words(v));
  return out;
}

std::string decoded_header_text(std::string_view header) {
  std::string out;
  for (const HeaderField& f : split_header_fields(header)) {
    out += sanitize_utf8(f.name);
    out += ": ";
    out += decode_encoded_words(unfold(f.value));
    out.push_back('\n');
  }
  return out;
}

std::string decoded_body_text(std::string_view raw, const MimePart& root, std::size_t max_bytes) {
  std::string out;
  collect_text(raw, root, max_bytes, out);
  return out;
}

std::string ascii_casemap(std::string text) {
  for (char& c : text)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - ('a' - 'A'));
  return text;
}

std::string utf8_casefold(std::string_view text) {
  std::string valid = sanitize_utf8(text);
  std::string out;
  out.reserve(valid.size());
  for (std::size_t i = 0; i < valid.size();) {
    unsigned char c = static_cast<unsigned char>(valid[i]);
    if (c < 0x80) {  // ASCII runs in one go
      std::size_t end = i;
      while (end < valid.size() && static_cast<unsigned char>(valid[end]) < 0x80) ++end;
      std::size_t at = out.size();
      out.append(valid, i, end - i);
      for (std::size_t k = at; k < out.size(); ++k)
        if (out[k] >= 'A' && out[k] <= 'Z') out[k] = static_cast<char>(out[k] + 32);
      i = end;
      continue;
    }
    std::size_t n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
    for (std::size_t k = 1; k < n; ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(valid[i + k]) & 0x3f);
    append_utf8(out, fold(cp));
    i += n;
  }
  return out;
}

bool folded_contains(std::string_view folded_haystack, std::string_view folded_needle) {
  return folded_haystack.find(folded_needle) != std::string_view::npos;
}

bool utf8_contains_ci(std::string_view haystack, std::string_view needle) {
  return folded_contains(utf8_casefold(haystack), utf8_casefold(needle));
}

}  // namespace correio::mail
