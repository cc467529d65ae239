// Relational conditionals ${{a} OP {b} ? {x} : {y}} (see relation.hpp), after Postfix
// 3.6's mac_expand.c and compat_level.c.
#include "config/detail/relation.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <vector>

#include "base/strings.hpp"

namespace correio::config::detail {
namespace {

// Takes one "{...}" group (braces balanced) from the front of `text` into `group`.
bool take_braced(std::string_view& text, std::string_view& group) {
  text = base::trim_left(text);
  if (text.empty() || text.front() != '{') return false;
  int depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{') ++depth;
    if (text[i] == '}' && --depth == 0) {
      group = text.substr(1, i - 1);
      text = text.substr(i + 1);
      return true;
    }
  }
  return false;
}

// Longest operators first so that "<=level" is not read as "<".
constexpr std::array<std::string_view, 10> kOperators = {
    "<=level", ">=level", "<level", ">level", "==", "!=", "<=", ">=", "<", ">"};

Result<long long> parse_number(std::string_view text) {
  text = base::trim(text);
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    return Error{fmt::format("bad numerical argument \"{}\"", text)};
  return value;
}

// Postfix's compat_level_from_string(): major[.minor[.patch]], each a decimal number.
Result<std::vector<long long>> parse_level(std::string_view text) {
  text = base::trim(text);
  std::vector<long long> parts;
  for (std::string_view rest = text;;) {
    size_t dot = rest.find('.');
    auto n = parse_number(rest.substr(0, dot));
    if (!n || *n < 0 || parts.size() == 3)
      return Error{fmt::format("bad compatibility level \"{}\"", text)};
    parts.push_back(*n);
    if (dot == std::string_view::npos) break;
    rest = rest.substr(dot + 1);
  }
  parts.resize(3, 0);
  return parts;
}

}  // namespace

bool is_relation(std::string_view inner) {
  inner = base::trim_left(inner);
  return !inner.empty() && inner.front() == '{';
}

Result<Relation> parse_relation(std::string_view inner) {
  Relation r;
  std::string_view rest = inner;
  auto bad = [&](std::string_view what) {
    return Error{fmt::format("{} in \"${{{}}}\"", what, inner)};
  };
  if (!take_braced(rest, r.left)) return bad("missing '{' or '}' around the first operand");
  rest = base::trim_left(rest);
  for (auto op : kOperators) {
    if (rest.starts_with(op)) {
      r.op = op;
      rest = rest.substr(op.size());
      break;
    }
  }
  if (r.op.empty()) return bad("unknown relational operator");
  if (!take_braced(rest, r.right)) return bad("missing '{' or '}' around the second operand");
  rest = base::trim_left(rest);
  // "? {then}", ": {else}" or both, in that order.
  if (!rest.empty() && rest.front() == '?') {
    rest = rest.substr(1);
    if (!take_braced(rest, r.when_true)) return bad("missing '{' or '}' after '?'");
    rest = base::trim_left(rest);
  } else if (rest.empty() || rest.front() != ':') {
    return bad("'?' or ':' expected after the relational expression");
  }
  if (!rest.empty() && rest.front() == ':') {
    rest = rest.substr(1);
    if (!take_braced(rest, r.when_false)) return bad("missing '{' or '}' after ':'");
    rest = base::trim_left(rest);
  }
  if (!rest.empty()) return bad("unexpected text after the conditional");
  return r;
}

Result<bool> evaluate_relation(std::string_view left, std::string_view op, std::string_view right) {
  if (op == "==") return left == right;
  if (op == "!=") return left != right;
  int order = 0;
  if (op.ends_with("level")) {
    auto a = parse_level(left);
    if (!a) return a.error();
    auto b = parse_level(right);
    if (!b) return b.error();
    order = *a < *b ? -1 : *a > *b ? 1 : 0;
    op = op.substr(0, op.size() - 5);
  } else {
    auto a = parse_number(left);
    if (!a) return a.error();
    auto b = parse_number(right);
    if (!b) return b.error();
    order = *a < *b ? -1 : *a > *b ? 1 : 0;
  }
  if (op == "<") return order < 0;
  if (op == "<=") return order <= 0;
  if (op == ">") return order > 0;
  return order >= 0;  // ">="
}

}  // namespace correio::config::detail
