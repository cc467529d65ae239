// postalias' normalization of alias values (see alias_value.hpp): a small copy of the
// token rules of Postfix's tok822_scan() and tok822_externalize().
#include "maps/alias_value.hpp"

#include <cstring>
#include <vector>

namespace correio::maps {
namespace {

// Postfix's single-character operators: RFC 822 specials less '\', plus '|', '%' and '!'.
constexpr const char* kOperators = "|\"(),.:;<>@[]%!";

enum class Kind { kAtom, kQuoted, kComment, kDomainLiteral, kOperator };

struct Token {
  Kind kind;
  std::string text;  // the content: unquoted for kQuoted and kDomainLiteral; a comment in
                     // its external form, parentheses included
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

bool is_control(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

bool is_operator(char c) {
  return c != '\0' && std::strchr(kOperators, c) != nullptr;
}

// Copies characters while `more` holds, a backslash taking the next character whatever
// it is; whitespace is copied as a space. Returns where it stopped.
template <typename More>
size_t collect(std::string_view s, size_t i, std::string& out, More more) {
  while (i < s.size()) {
    char c = s[i];
    if (c == '\\') {
      if (++i == s.size()) break;
      c = s[i];
    } else if (!more(c)) {
      break;
    }
    out += is_space(c) ? ' ' : c;
    ++i;
  }
  return i;
}

void quote_into(std::string& out, std::string_view text, const char* specials) {
  for (char c : text) {
    if (std::strchr(specials, c)) out += '\\';
    out += c;
  }
}

// A comment, nested ones included, re-quoted as it goes: '(', ')' and '\' in its text get
// a backslash. Returns where the comment ended (after its ')', or the end).
size_t comment(std::string_view s, size_t i, std::string& out) {
  out += '(';
  while (i < s.size()) {
    char c = s[i++];
    if (c == '(') {
      i = comment(s, i, out);
      continue;
    }
    if (c == ')') break;
    if (c == '\\') {
      if (i == s.size()) break;
      c = s[i++];
    }
    quote_into(out, std::string_view(&c, 1), "()\\\r\n");
  }
  out += ')';
  return i;
}

std::vector<Token> scan(std::string_view s) {
  std::vector<Token> out;
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    Token t{Kind::kOperator, {}};
    if (is_space(c)) {
      ++i;
      continue;
    }
    if (c == '(') {
      t.kind = Kind::kComment;
      i = comment(s, i + 1, t.text);
    } else if (c == '[' || c == '"') {
      t.kind = c == '[' ? Kind::kDomainLiteral : Kind::kQuoted;
      char close = c == '[' ? ']' : '"';
      i = collect(s, i + 1, t.text, [close](char ch) { return ch != close; });
      if (i < s.size()) ++i;  // the closing character
    } else if (is_operator(c)) {
      t.text = std::string(1, c);
      ++i;
    } else {
      t.kind = Kind::kAtom;
      i = collect(s, i, t.text, [](char ch) { return !is_space(ch) && !is_operator(ch); });
      // An atom that would not read back as one is written as a quoted string (Postfix
      // 3.7 quotes a backslash too: "\\user" is stored as "\"\\\\user\"").
      for (char ch : t.text)
        if (is_space(ch) || is_control(ch) || is_operator(ch) || ch == '\\') t.kind = Kind::kQuoted;
    }
    out.push_back(std::move(t));
  }
  return out;
}

bool is_word(const Token& t) {
  return t.kind != Kind::kOperator;
}

}  // namespace

std::string normalize_alias_value(std::string_view value) {
  std::vector<Token> tokens = scan(value);
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.kind == Kind::kQuoted) {
      out += '"';
      quote_into(out, t.text, "\"\\\r\n");
      out += '"';
    } else if (t.kind == Kind::kDomainLiteral) {
      out += '[';
      quote_into(out, t.text, "\\\r\n");
      out += ']';
    } else {
      out += t.text;
    }
    // A space after a comma, before '<', and between two words (Postfix's
    // tok822_append_space()).
    if (i + 1 < tokens.size()) {
      const Token& next = tokens[i + 1];
      bool comma = t.kind == Kind::kOperator && t.text == ",";
      bool angle = next.kind == Kind::kOperator && next.text == "<";
      if (comma || angle || (is_word(t) && is_word(next))) out += ' ';
    }
  }
  return out;
}

}  // namespace correio::maps
