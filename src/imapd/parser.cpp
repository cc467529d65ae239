#include "imapd/parser.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace correio::imapd {
namespace {

bool is_atom_char(char c, bool allow_bracket) {
  auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7f) return false;
  switch (c) {
    case '(':
    case ')':
    case '{':
    case '%':
    case '*':
    case '"':
    case '\\':
      return false;
    case ']':
      return allow_bracket;
    default:
      return true;
  }
}

constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};

// Days from 1970-01-01 to the given civil date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool SequenceSet::contains(uint32_t value, uint32_t largest) const {
  for (const Range& r : ranges) {
    auto [a, b] = r.bounds(largest);
    if (value >= a && value <= b) return true;
  }
  return false;
}

bool Parser::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
  return false;
}

bool Parser::at_end() const {
  std::string_view r = rest();
  return r == "\r\n" || r == "\n" || r.empty();
}

bool Parser::consume(char c) {
  if (!peek(c)) return false;
  ++pos_;
  return true;
}

bool Parser::consume_word(std::string_view word) {
  if (input_.size() - pos_ < word.size()) return false;
  if (!iequals(input_.substr(pos_, word.size()), word)) return false;
  size_t after = pos_ + word.size();
  if (after < input_.size() && is_atom_char(input_[after], false) &&
      std::isalnum(static_cast<unsigned char>(word.back())))
    return false;
  pos_ = after;
  return true;
}

bool Parser::space() {
  if (consume(' ')) return true;
  return fail("Missing space");
}

std::optional<std::string> Parser::tag() {
  size_t start = pos_;
  while (pos_ < input_.size() && is_atom_char(input_[pos_], true) && input_[pos_] != '+') ++pos_;
  if (pos_ == start) {
    fail("Invalid tag");
    return std::nullopt;
  }
  return std::string(input_.substr(start, pos_ - start));
}

std::optional<std::string> Parser::atom(bool allow_bracket) {
  size_t start = pos_;
  while (pos_ < input_.size() && is_atom_char(input_[pos_], allow_bracket)) ++pos_;
  if (pos_ == start) {
    fail("Expected an atom");
    return std::nullopt;
  }
  return std::string(input_.substr(start, pos_ - start));
}

std::optional<std::string> Parser::quoted() {
  size_t save = pos_;
  if (!consume('"')) return std::nullopt;
  std::string out;
  while (pos_ < input_.size()) {
    char c = input_[pos_++];
    if (c == '"') return out;
    if (c == '\r' || c == '\n' || c == '\0') break;
    if (c == '\\') {
      if (pos_ >= input_.size()) break;
      char next = input_[pos_++];
      if (next != '"' && next != '\\') {
        pos_ = save;
        fail("Invalid escape in quoted string");
        return std::nullopt;
      }
      c = next;
    }
    out += c;
  }
  pos_ = save;
  fail("Unterminated quoted string");
  return std::nullopt;
}

std::optional<std::string> Parser::literal(bool allow_literal8) {
  size_t save = pos_;
  if (allow_literal8) consume('~');
  if (!consume('{')) {
    pos_ = save;
    return std::nullopt;
  }
  size_t start = pos_;
  while (pos_ < input_.size() && std::isdigit(static_cast<unsigned char>(input_[pos_]))) ++pos_;
  size_t size = 0;
  auto [p, ec] = std::from_chars(input_.data() + start, input_.data() + pos_, size);
  (void)p;
  if (pos_ == start || ec != std::errc{}) {
    pos_ = save;
    fail("Invalid literal size");
    return std::nullopt;
  }
  if (!consume('+')) consume('-');
  if (!consume('}')) {
    pos_ = save;
    fail("Invalid literal");
    return std::nullopt;
  }
  consume('\r');
  if (!consume('\n') || input_.size() - pos_ < size) {
    pos_ = save;
    fail("Literal not followed by its data");
    return std::nullopt;
  }
  std::string out(input_.substr(pos_, size));
  pos_ += size;
  if (!allow_literal8 && out.find('\0') != std::string::npos) {
    pos_ = save;
    fail("NUL in literal");
    return std::nullopt;
  }
  return out;
}

std::optional<std::string> Parser::string(bool allow_literal8) {
  if (peek('"')) return quoted();
  if (peek('{') || (allow_literal8 && peek('~'))) return literal(allow_literal8);
  fail("Expected a string");
  return std::nullopt;
}

std::optional<std::string> Parser::astring() {
  if (peek('"') || peek('{')) return string();
  return atom(true);
}

std::optional<std::string> Parser::nstring() {
  if (consume_word("NIL")) return std::string();
  return string();
}

std::optional<std::string> Parser::mailbox() {
  auto name = astring();
  if (!name) return name;
  // Only INBOX is case-insensitive (RFC 9051 §5.1).
  if (iequals(*name, "INBOX")) return std::string("INBOX");
  return name;
}

std::optional<std::string> Parser::list_mailbox() {
  if (peek('"') || peek('{')) return string();
  size_t start = pos_;
  while (pos_ < input_.size() &&
         (is_atom_char(input_[pos_], true) || input_[pos_] == '%' || input_[pos_] == '*'))
    ++pos_;
  if (pos_ == start) {
    fail("Expected a mailbox pattern");
    return std::nullopt;
  }
  return std::string(input_.substr(start, pos_ - start));
}

std::optional<uint64_t> Parser::number() {
  size_t start = pos_;
  while (pos_ < input_.size() && std::isdigit(static_cast<unsigned char>(input_[pos_]))) ++pos_;
  uint64_t value = 0;
  auto [p, ec] = std::from_chars(input_.data() + start, input_.data() + pos_, value);
  (void)p;
  if (pos_ == start || ec != std::errc{}) {
    pos_ = start;
    fail("Expected a number");
    return std::nullopt;
  }
  return value;
}

std::optional<uint32_t> Parser::nz_number() {
  size_t start = pos_;
  auto n = number();
  if (!n || *n == 0 || *n > UINT32_MAX) {
    pos_ = start;
    fail("Expected a non-zero 32-bit number");
    return std::nullopt;
  }
  return static_cast<uint32_t>(*n);
}

std::optional<SequenceSet> Parser::sequence_set() {
  SequenceSet set;
  size_t start = pos_;
  auto seq_number = [&]() -> std::optional<uint64_t> {
    if (consume('*')) return SequenceSet::kStar;
    auto n = nz_number();
    if (!n) return std::nullopt;
    return uint64_t{*n};
  };
  if (consume('$')) {
    set.saved_result = true;
    return set;
  }
  for (;;) {
    auto first = seq_number();
    if (!first) {
      pos_ = start;
      error_.clear();
      fail("Invalid sequence set");
      return std::nullopt;
    }
    SequenceSet::Range range{*first, *first};
    if (consume(':')) {
      auto last = seq_number();
      if (!last) {
        pos_ = start;
        error_.clear();
        fail("Invalid sequence set");
        return std::nullopt;
      }
      range.last = *last;
      if (range.first != SequenceSet::kStar && range.last != SequenceSet::kStar &&
          range.first > range.last)
        std::swap(range.first, range.last);
    }
    set.ranges.push_back(range);
    if (!consume(',')) break;
  }
  return set;
}

std::optional<std::vector<std::string>> Parser::flag_list(bool parenthesised_optional) {
  std::vector<std::string> flags;
  bool paren = consume('(');
  if (!paren && !parenthesised_optional) {
    fail("Expected a flag list");
    return std::nullopt;
  }
  if (paren && consume(')')) return flags;
  for (;;) {
    std::string flag;
    if (consume('\\')) flag = "\\";
    auto name = atom();
    if (!name) {
      fail("Invalid flag");
      return std::nullopt;
    }
    flag += *name;
    flags.push_back(std::move(flag));
    if (!consume(' ')) break;
  }
  if (paren && !consume(')')) {
    fail("Missing ')' after flag list");
    return std::nullopt;
  }
  return flags;
}

std::optional<time_t> Parser::date() {
  size_t start = pos_;
  bool quoted_date = consume('"');
  auto fail_date = [&]() -> std::optional<time_t> {
    pos_ = start;
    fail("Invalid date");
    return std::nullopt;
  };
  auto day = number();
  if (!day || *day < 1 || *day > 31 || !consume('-')) return fail_date();
  if (input_.size() - pos_ < 3) return fail_date();
  std::string mon = std::string(input_.substr(pos_, 3));
  for (char& c : mon) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto it = std::find(kMonths.begin(), kMonths.end(), mon);
  if (it == kMonths.end()) return fail_date();
  pos_ += 3;
  if (!consume('-')) return fail_date();
  auto year = number();
  if (!year || *year < 1000 || *year > 9999) return fail_date();
  if (quoted_date && !consume('"')) return fail_date();
  error_.clear();
  unsigned month = static_cast<unsigned>(it - kMonths.begin()) + 1;
  return static_cast<time_t>(
      days_from_civil(static_cast<int64_t>(*year), month, static_cast<unsigned>(*day)) * 86400);
}

std::optional<time_t> Parser::date_time() {
  size_t start = pos_;
  auto fail_dt = [&]() -> std::optional<time_t> {
    pos_ = start;
    fail("Invalid date-time");
    return std::nullopt;
  };
  if (!consume('"')) return fail_dt();
  consume(' ');  // date-day-fixed may start with SP
  auto day = date();
  if (!day || !consume(' ')) return fail_dt();
  auto two = [&](int max) -> std::optional<int> {
    if (input_.size() - pos_ < 2) return std::nullopt;
    char a = input_[pos_], b = input_[pos_ + 1];
    if (!std::isdigit(static_cast<unsigned char>(a)) ||
        !std::isdigit(static_cast<unsigned char>(b)))
      return std::nullopt;
    int v = (a - '0') * 10 + (b - '0');
    if (v > max) return std::nullopt;
    pos_ += 2;
    return v;
  };
  auto h = two(23);
  if (!h || !consume(':')) return fail_dt();
  auto m = two(59);
  if (!m || !consume(':')) return fail_dt();
  auto s = two(60);
  if (!s || !consume(' ')) return fail_dt();
  int sign = consume('+') ? 1 : (consume('-') ? -1 : 0);
  if (sign == 0) return fail_dt();
  auto zh = two(99);
  auto zm = zh ? two(59) : std::nullopt;
  if (!zm || !consume('"')) return fail_dt();
  error_.clear();
  return *day + *h * 3600 + *m * 60 + *s - sign * (*zh * 3600 + *zm * 60);
}

std::optional<std::vector<std::string>> Parser::astring_list() {
  std::vector<std::string> out;
  if (!consume('(')) {
    fail("Expected '('");
    return std::nullopt;
  }
  if (consume(')')) return out;
  for (;;) {
    auto item = astring();
    if (!item) return std::nullopt;
    out.push_back(std::move(*item));
    if (consume(')')) return out;
    if (!space()) return std::nullopt;
  }
}

}  // namespace correio::imapd
