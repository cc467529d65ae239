// Content-Type, Content-Disposition and the other RFC 2045/2183/3066/2557/1864 fields of a
// MIME part; RFC 2231 parameter continuations merged the way Dovecot merges them.
#include "mail/detail/content_fields.hpp"

#include <algorithm>
#include <string>

#include "mail/detail/rfc822_tokens.hpp"
#include "mail/encoded_words.hpp"
#include "mail/header_fields.hpp"

namespace correio::mail::detail {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

struct RawParam {
  std::string key;          // lowercased, before any '*'
  std::string written_key;  // as written (Dovecot prints plain parameter names so)
  std::string value;
  unsigned index = 0;
  bool extended = false;
  bool rfc2231 = false;
  std::size_t order = 0;
};

// RFC 2231 §4: a value written with the extended syntax by a non-first segment that is not
// itself extended is percent-escaped, so the joined value stays in one encoding (Dovecot).
void append_escaped(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || is_mime_tspecial(c) || c == '*' || c == '\'' || c == '%') {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    } else {
      out.push_back(c);
    }
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes an extended value "charset'language'%xx..." into `param`.
void decode_extended(MimeParam& param) {
  std::string_view v = param.wire_value;
  std::size_t q1 = v.find('\'');
  std::size_t q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
  std::string_view text = v;
  if (q2 != std::string_view::npos) {
    param.charset = std::string(v.substr(0, q1));
    param.language = std::string(v.substr(q1 + 1, q2 - q1 - 1));
    text = v.substr(q2 + 1);
  }
  std::string bytes;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() + 0 && hex_value(text[i + 1]) >= 0 &&
        hex_value(text[i + 2]) >= 0) {
      bytes.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      bytes.push_back(text[i]);
    }
  }
  param.value = charset_to_utf8(bytes, param.charset.empty() ? "us-ascii" : param.charset);
}

MimeParam plain_param(std::string name, std::string value) {
  MimeParam p;
  p.wire_name = name;
  p.name = std::move(name);
  p.wire_value = value;
  p.value = std::move(value);
  return p;
}

}  // namespace

std::vector<MimeParam> parse_mime_params(std::string_view text) {
  Rfc822Lexer lex(text);
  std::vector<RawParam> raw;
  while (!lex.at_end()) {
    lex.skip_cfws();
    if (lex.peek() != ';') {
      // Garbage between parameters: skip to the next ';' (Dovecot tries to continue too).
      while (!lex.at_end() && lex.peek() != ';') {
        if (lex.peek() == '"') {
          (void)lex.quoted_string();
        } else {
          lex.advance();
        }
      }
      if (lex.at_end()) break;
    }
    lex.advance();  // ';'
    lex.skip_cfws();
    std::string_view key = lex.mime_token();
    lex.skip_cfws();
    if (key.empty() || lex.peek() != '=') continue;
    lex.advance();
    lex.skip_cfws();
    std::string value;
    if (lex.peek() == '"') {
      value = lex.quoted_string();
    } else {
      value = std::string(lex.mime_token());
    }
    RawParam p;
    p.order = raw.size();
    std::size_t star = key.find('*');
    if (star == std::string_view::npos) {
      p.key = lower(key);
    } else {
      // name*  |  name*N  |  name*N*  (RFC 2231 §3, §4)
      std::string_view rest = key.substr(star + 1);
      std::size_t digits = 0;
      unsigned index = 0;
      while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9' && digits < 6)
        index = index * 10 + static_cast<unsigned>(rest[digits++] - '0');
      rest.remove_prefix(digits);
      bool extended = false;
      if (digits == 0 && rest.empty()) {
        extended = true;  // "name*": a single extended value
      } else if (digits > 0 && !rest.empty() && rest.front() == '*') {
        extended = true;  // "name*N*"
        rest.remove_prefix(1);
      }
      if (!rest.empty() || (digits == 0 && !extended)) {
        p.key = lower(key);  // not RFC 2231 syntax: an ordinary (odd) name
      } else {
        p.key = lower(key.substr(0, star));
        p.index = index;
        p.extended = extended;
        p.rfc2231 = true;
      }
    }
    p.written_key = std::string(key);
    p.value = std::move(value);
    raw.push_back(std::move(p));
  }

  std::vector<MimeParam> out;
  std::vector<RawParam> continued;
  for (RawParam& p : raw) {
    if (p.rfc2231) {
      continued.push_back(std::move(p));
    } else {
      out.push_back(plain_param(p.written_key, p.value));
      out.back().name = p.key;
    }
  }
  // Like Dovecot: RFC 2231 parameters follow the plain ones, sorted by name then index.
  std::stable_sort(continued.begin(), continued.end(), [](const RawParam& a, const RawParam& b) {
    return a.key != b.key ? a.key < b.key : a.index < b.index;
  });
  for (std::size_t i = 0; i < continued.size();) {
    const RawParam& first = continued[i];
    if (first.index != 0) {
      // A segment without its *0: kept under its written name, not merged.
      std::string name =
          first.key + "*" + std::to_string(first.index) + (first.extended ? "*" : "");
      out.push_back(plain_param(name, first.value));
      ++i;
      continue;
    }
    MimeParam merged;
    merged.name = first.key;
    merged.extended = first.extended;
    merged.wire_name = first.key + (first.extended ? "*" : "");
    std::size_t j = i;
    unsigned next = 0;
    while (j < continued.size() && continued[j].key == first.key && continued[j].index == next) {
      if (merged.extended && !continued[j].extended && j != i) {
        append_escaped(merged.wire_value, continued[j].value);
      } else {
        merged.wire_value += continued[j].value;
      }
      ++next;
      ++j;
    }
    if (merged.extended) {
      decode_extended(merged);
    } else {
      merged.value = merged.wire_value;
    }
    out.push_back(std::move(merged));
    i = j;
  }
  return out;
}

void apply_content_fields(std::string_view header, bool default_rfc822, MimePart& part) {
  if (default_rfc822) {
    part.type = "message";
    part.subtype = "rfc822";
  }
  for (const HeaderField& f : split_header_fields(header)) {
    if (f.name.size() < 8 || !header_name_equals(f.name.substr(0, 8), "content-")) continue;
    std::string_view name = f.name.substr(8);
    if (header_name_equals(name, "type")) {
      if (part.has_content_type) continue;  // the first one counts
      Rfc822Lexer lex(f.value);
      lex.skip_cfws();
      std::string_view type = lex.mime_token();
      lex.skip_cfws();
      if (type.empty() || lex.peek() != '/') continue;  // invalid: keep the default
      lex.advance();
      lex.skip_cfws();
      std::string_view subtype = lex.mime_token();
      if (subtype.empty()) continue;
      part.type = lower(type);
      part.subtype = lower(subtype);
      part.has_content_type = true;
      part.type_params = parse_mime_params(lex.rest());
    } else if (header_name_equals(name, "transfer-encoding")) {
      Rfc822Lexer lex(f.value);
      lex.skip_cfws();
      part.transfer_encoding = std::string(lex.mime_token());
    } else if (header_name_equals(name, "id")) {
      part.id = unfold(f.value);
      part.has_id = true;
    } else if (header_name_equals(name, "description")) {
      part.description = unfold(f.value);
      part.has_description = true;
    } else if (header_name_equals(name, "disposition")) {
      Rfc822Lexer lex(f.value);
      lex.skip_cfws();
      std::string_view type = lex.mime_token();
      if (type.empty()) continue;
      part.disposition = std::string(type);
      part.disposition_params = parse_mime_params(lex.rest());
    } else if (header_name_equals(name, "language")) {
      // RFC 3282: a comma-separated list of language tags.
      part.has_language = true;
      part.language.clear();
      Rfc822Lexer lex(f.value);
      while (!lex.at_end()) {
        lex.skip_cfws();
        std::string_view tag = lex.mime_token();
        if (!tag.empty()) part.language.emplace_back(tag);
        lex.skip_cfws();
        if (!lex.at_end()) lex.advance();  // ',' or garbage
      }
    } else if (header_name_equals(name, "location")) {
      part.location = unfold(f.value);
      part.has_location = true;
    } else if (header_name_equals(name, "md5")) {
      part.md5 = unfold(f.value);
      part.has_md5 = true;
    }
  }
}

}  // namespace correio::mail::detail
