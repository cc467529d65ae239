// Private to the mail library: a small RFC 5322 / RFC 2045 lexer over a header value
// (comments, quoted strings, atoms, MIME tokens) shared by the Content-* and address
// parsers. Never reads past the end of its input.
#pragma once

#include <string>
#include <string_view>

namespace correio::mail::detail {

class Rfc822Lexer {
 public:
  explicit Rfc822Lexer(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void advance() {
    if (!at_end()) ++pos_;
  }
  std::size_t position() const { return pos_; }
  std::string_view rest() const { return text_.substr(pos_); }

  // Skips whitespace (incl. CR/LF from folding) and comments; comments are collected
  // into `last_comment` (the most recent one, unquoted) for callers that want them.
  void skip_cfws();
  // RFC 2045 token: 1*<any CHAR except SPACE, CTLs, or tspecials>. Empty when none.
  std::string_view mime_token();
  // RFC 5322 atom with '.' allowed (dot-atom-ish, lenient). Empty when none.
  std::string_view dot_atom();
  // A quoted-string starting at the current '"': returns its unescaped content; an
  // unterminated string runs to the end.
  std::string quoted_string();
  // A comment starting at '(' (nested, with quoted-pairs); returns its content.
  std::string comment();

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

bool is_mime_tspecial(char c);
bool is_atext(char c);

}  // namespace correio::mail::detail
