// RFC 5322 §3.2 lexical tokens and RFC 2045 §5.1 MIME tokens (detail/rfc822_tokens.hpp).
#include "mail/detail/rfc822_tokens.hpp"

#include <cstring>

namespace correio::mail::detail {

bool is_mime_tspecial(char c) {
  return c != '\0' && std::strchr("()<>@,;:\\\"/[]?=", c);
}

bool is_atext(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0x80) return true;  // UTF-8 in headers (RFC 6532): accept as atext
  if (u <= 0x20 || u == 0x7f) return false;
  return !std::strchr("()<>[]:;@\\,.\"", c);
}

void Rfc822Lexer::skip_cfws() {
  while (!at_end()) {
    char c = text_[pos_];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++pos_;
    } else if (c == '(') {
      comment();
    } else {
      break;
    }
  }
}

std::string_view Rfc822Lexer::mime_token() {
  std::size_t start = pos_;
  while (!at_end()) {
    unsigned char u = static_cast<unsigned char>(text_[pos_]);
    if (u <= 0x20 || u == 0x7f || is_mime_tspecial(text_[pos_])) break;
    ++pos_;
  }
  return text_.substr(start, pos_ - start);
}

std::string_view Rfc822Lexer::dot_atom() {
  std::size_t start = pos_;
  while (!at_end() && (is_atext(text_[pos_]) || text_[pos_] == '.')) ++pos_;
  return text_.substr(start, pos_ - start);
}

std::string Rfc822Lexer::quoted_string() {
  std::string out;
  if (peek() != '"') return out;
  ++pos_;
  while (!at_end()) {
    char c = text_[pos_++];
    if (c == '"') break;
    if (c == '\\' && !at_end()) c = text_[pos_++];
    // Folding inside a quoted string: CRLF is removed, the WSP kept (RFC 5322 §3.2.4).
    if (c == '\r' || c == '\n') continue;
    out.push_back(c);
  }
  return out;
}

std::string Rfc822Lexer::comment() {
  std::string out;
  if (peek() != '(') return out;
  ++pos_;
  int depth = 1;
  while (!at_end() && depth > 0) {
    char c = text_[pos_++];
    if (c == '\\' && !at_end()) {
      out.push_back(text_[pos_++]);
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')' && --depth == 0) break;
    out.push_back(c);
  }
  return out;
}

}  // namespace correio::mail::detail
