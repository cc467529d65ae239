// Required-literal extraction for pattern tables (see detail/required_literal.hpp). The
// pattern is read left to right as a sequence of atoms, each maybe followed by a
// quantifier; a run of plain characters that no quantifier makes optional is text every
// match contains. Groups and classes are skipped whole (what is inside them is never
// used), so alternation inside a group is harmless; '|' outside any group gives up.
#include "maps/detail/required_literal.hpp"

#include <string.h>

#include <cstring>
#include <optional>

namespace correio::maps::detail {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

class Reader {
 public:
  Reader(std::string_view re, RegexDialect dialect, bool caseless)
      : re_(re), pcre_(dialect == RegexDialect::kPcre), caseless_(caseless) {}

  // nullopt: the pattern holds something this reader does not understand.
  std::optional<std::string> longest() {
    while (i_ < re_.size()) {
      std::optional<Atom> atom = next_atom();
      if (!atom) return std::nullopt;
      std::optional<Repeat> repeat = quantifier();
      if (!repeat) return std::nullopt;
      if (atom->zero_width || !atom->literal) {
        end_run();
        continue;
      }
      if (*repeat == Repeat::kOptional) {
        end_run();
      } else {
        run_ += *atom->literal;
        if (*repeat == Repeat::kSome) end_run();  // "ab+c": "ab" is there, "abc" need not be
      }
    }
    end_run();
    return best_;
  }

 private:
  struct Atom {
    std::optional<char> literal;  // the character, for a plain one
    bool zero_width = false;      // an anchor or word boundary
  };
  enum class Repeat { kOnce, kOptional, kSome };

  // On a tie the later run wins: in header_checks the first run is usually the header
  // name ("subject:"), which many rules share and most keys of that header contain.
  void end_run() {
    if (!run_.empty() && run_.size() >= best_.size()) best_ = run_;
    run_.clear();
  }

  // A plain character; under caseless matching only ASCII, whose folding every engine
  // agrees on (a locale could fold other bytes).
  std::optional<Atom> plain(char c) {
    if (caseless_ && static_cast<unsigned char>(c) >= 0x80) return Atom{};
    return Atom{caseless_ ? lower(c) : c};
  }

  std::optional<Atom> next_atom() {
    char c = re_[i_++];
    switch (c) {
      case '^':
      case '$':
        return Atom{std::nullopt, true};
      case '.':
        return Atom{};
      case '|':  // alternation at the top level: no single literal is required
        return std::nullopt;
      case '*':
      case '+':
      case '?':
      case '{':
      case ')':
        return std::nullopt;  // a quantifier or ')' with nothing before it
      case '[':
        return skip_class() ? std::optional<Atom>(Atom{}) : std::nullopt;
      case '(':
        return skip_group() ? std::optional<Atom>(Atom{}) : std::nullopt;
      case '\\':
        return escape();
      default:
        return plain(c);
    }
  }

  std::optional<Atom> escape() {
    if (i_ >= re_.size()) return std::nullopt;
    char c = re_[i_++];
    if (!is_alnum(c)) return plain(c);  // "\." is a '.'
    if (!pcre_) return Atom{};          // glibc: \w, \b, \1 ... each one unknown atom
    // PCRE escapes that stand for one character or position and take no argument.
    if (c == 'N' && i_ < re_.size() && re_[i_] == '{') return std::nullopt;
    if (std::strchr("dDwWsShHvVRNXCntrfeabBAZzGK", c)) return Atom{};
    return std::nullopt;  // \x41, \0, \1, \cX, \Q...\E, \p{..}, \k<n>, \g{1}, ...
  }

  // "[...]": one character of a set. The first ']' (after an optional '^') is a member;
  // "[:alpha:]" and the like are skipped; PCRE also escapes with '\'.
  bool skip_class() {
    if (i_ < re_.size() && re_[i_] == '^') ++i_;
    if (i_ < re_.size() && re_[i_] == ']') ++i_;
    while (i_ < re_.size()) {
      char c = re_[i_++];
      if (c == ']') return true;
      if (c == '\\' && pcre_) {
        ++i_;
      } else if (c == '[' && i_ < re_.size() && std::strchr(":.=", re_[i_])) {
        char kind = re_[i_];
        size_t close = re_.find(std::string{kind, ']'}, i_ + 1);
        if (close == std::string_view::npos) return false;
        i_ = close + 2;
      }
    }
    return false;
  }

  // "(...)": skipped whole, nested groups and classes included. PCRE's "(?" forms other
  // than "(?:" can change how the rest reads ("(?i)", "(?x)"): no literal then.
  bool skip_group() {
    if (pcre_ && i_ < re_.size() && re_[i_] == '?' && !(i_ + 1 < re_.size() && re_[i_ + 1] == ':'))
      return false;
    int depth = 1;
    while (i_ < re_.size()) {
      char c = re_[i_++];
      if (c == '\\') {
        if (pcre_ && i_ < re_.size() && re_[i_] == 'Q') return false;
        ++i_;
      } else if (c == '[') {
        if (!skip_class()) return false;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')' && --depth == 0) {
        return true;
      }
    }
    return false;
  }

  // What follows an atom: nothing, '?', '*', '+', or "{n}", "{n,}", "{n,m}"; PCRE's lazy
  // and possessive markers after it are skipped.
  std::optional<Repeat> quantifier() {
    if (i_ >= re_.size()) return Repeat::kOnce;
    Repeat r;
    char c = re_[i_];
    if (c == '?' || c == '*') {
      r = Repeat::kOptional;
      ++i_;
    } else if (c == '+') {
      r = Repeat::kSome;
      ++i_;
    } else if (c == '{') {
      size_t j = i_ + 1, start = j;
      while (j < re_.size() && is_digit(re_[j])) ++j;
      if (j == start) return std::nullopt;  // "{" that is not a count: not understood
      bool zero = re_.substr(start, j - start).find_first_not_of('0') == std::string_view::npos;
      if (j < re_.size() && re_[j] == ',') {
        ++j;
        while (j < re_.size() && is_digit(re_[j])) ++j;
      }
      if (j >= re_.size() || re_[j] != '}') return std::nullopt;
      i_ = j + 1;
      r = zero ? Repeat::kOptional : Repeat::kSome;
    } else {
      return Repeat::kOnce;
    }
    if (pcre_ && i_ < re_.size() && (re_[i_] == '?' || re_[i_] == '+')) ++i_;
    // A second quantifier ("a**", POSIX) is not understood.
    if (i_ < re_.size() && std::strchr("?*+{", re_[i_])) return std::nullopt;
    return r;
  }

  std::string_view re_;
  bool pcre_;
  bool caseless_;
  size_t i_ = 0;
  std::string run_, best_;
};

}  // namespace

RequiredLiteral required_literal(const PatternText& pattern, RegexDialect dialect) {
  // Both engines start case-insensitive (Postfix: "i" toggles it) and "x" switches to a
  // syntax this reader does not know.
  bool caseless = true;
  for (char flag : pattern.flags) {
    if (flag == 'i') caseless = !caseless;
    if (flag == 'x') return {};
  }
  // A NUL ends the pattern for regcomp() (a C string) but not for PCRE2 (given a length):
  // no literal is sound for both readings.
  if (pattern.regex.find('\0') != std::string::npos) return {};
  Reader reader(pattern.regex, dialect, caseless);
  std::optional<std::string> text = reader.longest();
  if (!text) return {};
  return {std::move(*text), caseless};
}

bool may_match(const RequiredLiteral& literal, std::string_view key, std::string_view lowered_key) {
  if (literal.text.empty()) return true;
  std::string_view hay = literal.caseless ? lowered_key : key;
  return ::memmem(hay.data(), hay.size(), literal.text.data(), literal.text.size()) != nullptr;
}

}  // namespace correio::maps::detail
