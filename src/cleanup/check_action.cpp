// Parsing header_checks/body_checks actions (see the header). Warnings are worded as
// Postfix's cleanup_act() words them, so log watchers keep working.
#include "cleanup/check_action.hpp"

#include <fmt/format.h>

#include <array>

#include "base/strings.hpp"

namespace correio::cleanup {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// RFC 3463 §2: class "." subject "." detail, 1-3 digits each, class 2, 4 or 5; followed
// by a space or the end (Postfix's dsn_valid()).
size_t dsn_length(std::string_view text) {
  if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.')
    return 0;
  size_t i = 2;
  for (int field = 0; field < 2; ++field) {
    size_t start = i;
    while (i < text.size() && is_digit(text[i]) && i - start < 4) ++i;
    if (i == start || i - start > 3) return 0;
    if (field == 0) {
      if (i >= text.size() || text[i] != '.') return 0;
      ++i;
    }
  }
  if (i < text.size() && !is_space(text[i])) return 0;
  return i;
}

CheckAction invalid(std::string problem) {
  return {CheckVerb::invalid, {}, std::move(problem)};
}

// REJECT's text with its status code: the one it starts with, else 5.7.1 (Postfix's
// dsn_prepend("5.7.1", text)); the generic text when there is none.
CheckAction reject(std::string_view text) {
  CheckAction a{CheckVerb::reject, {}, {}};
  if (text.empty()) {
    a.text = "5.7.1 message content rejected";
    return a;
  }
  a.text = dsn_length(text) > 0 ? std::string(text) : "5.7.1 " + std::string(text);
  if (a.text[0] == '2') {
    a.problem = fmt::format("bad DSN action in {} -- need 4.x.x or 5.x.x", text);
    a.text[0] = '4';
  }
  if (a.text[0] == '4') a.verb = CheckVerb::defer;
  return a;
}

}  // namespace

bool supported_in_delivery(CheckVerb verb) {
  switch (verb) {
    case CheckVerb::dunno:
    case CheckVerb::ignore:
    case CheckVerb::strip:
    case CheckVerb::info:
    case CheckVerb::prepend:
    case CheckVerb::replace:
    case CheckVerb::warn:
    case CheckVerb::invalid:
      return true;
    default:
      return false;
  }
}

bool is_header_label(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  for (size_t i = 0; i < colon; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c <= 32 || c >= 127) return false;
  }
  return true;
}

CheckAction parse_check_action(std::string_view value, bool header, std::string_view map) {
  size_t end = 0;
  while (end < value.size() && !is_space(value[end])) ++end;
  std::string_view word = value.substr(0, end);
  std::string_view text = value.substr(end);
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  auto is = [&](std::string_view name) { return base::iequals(word, name); };

  if (is("REJECT")) return reject(text);
  struct Plain {
    std::string_view name;
    CheckVerb verb;
  };
  // The actions whose text is optional and only logged.
  static constexpr std::array<Plain, 6> kLogged = {{{"WARN", CheckVerb::warn},
                                                    {"INFO", CheckVerb::info},
                                                    {"DISCARD", CheckVerb::discard},
                                                    {"HOLD", CheckVerb::hold},
                                                    {"STRIP", CheckVerb::strip},
                                                    {"PASS", CheckVerb::pass}}};
  for (const Plain& p : kLogged)
    if (is(p.name)) return {p.verb, std::string(text), {}};
  if (is("FILTER")) {
    if (text.empty()) return invalid(fmt::format("missing FILTER command argument in {} map", map));
    if (text.find(':') == std::string_view::npos)
      return invalid(
          fmt::format("bad FILTER command {} in {} -- need transport:destination", text, map));
    return {CheckVerb::filter, std::string(text), {}};
  }
  if (is("PREPEND") || is("REPLACE")) {
    std::string_view name = is("PREPEND") ? "PREPEND" : "REPLACE";
    if (text.empty()) return invalid(fmt::format("{} action without text in {} map", name, map));
    if (header && !is_header_label(text))
      return invalid(
          fmt::format("bad {} header text \"{}\" in {} map -- need \"headername: headervalue\"",
                      name, text, map));
    return {is("PREPEND") ? CheckVerb::prepend : CheckVerb::replace, std::string(text), {}};
  }
  if (is("REDIRECT") || is("BCC")) {
    if (text.find('@') == std::string_view::npos)
      return invalid(
          is("REDIRECT")
              ? fmt::format("bad REDIRECT target \"{}\" in {} map -- need user@domain", text, map)
              : fmt::format("bad BCC address \"{}\" in {} map -- need user@domain", text, map));
    return {is("REDIRECT") ? CheckVerb::redirect : CheckVerb::bcc, std::string(text), {}};
  }
  // Text after these is allowed and ignored (Postfix 2.x and later).
  if (is("IGNORE")) return {CheckVerb::ignore, {}, {}};
  if (is("DUNNO") || is("OK")) return {CheckVerb::dunno, {}, {}};
  return invalid(fmt::format("unknown command in {} map: {}", map, value));
}

}  // namespace correio::cleanup
