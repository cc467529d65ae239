// access(5)'s result grammar. Keywords are case-insensitive and separated from their
// text by whitespace, as Postfix's smtpd_check.c compares them.
#include "smtpd/access/access_action.hpp"

#include <cctype>

#include "base/strings.hpp"

namespace correio::smtpd::access {
namespace {

struct Keyword {
  std::string_view word;
  ActionKind kind;
  bool needs_text;
};
constexpr Keyword kKeywords[] = {
    {"ok", ActionKind::ok, false},
    {"reject", ActionKind::reject, false},
    {"defer", ActionKind::defer, false},
    {"defer_if_reject", ActionKind::defer_if_reject, false},
    {"defer_if_permit", ActionKind::defer_if_permit, false},
    {"discard", ActionKind::discard, false},
    {"hold", ActionKind::hold, false},
    {"redirect", ActionKind::redirect, true},
    {"filter", ActionKind::filter, true},
    {"prepend", ActionKind::prepend, true},
    {"warn", ActionKind::warn, false},
    {"info", ActionKind::info, false},
    {"dunno", ActionKind::dunno, false},
    {"bcc", ActionKind::bcc, true},
};

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// RFC 3463 §2: class.subject.detail, class 2, 4 or 5, each part 1-3 digits.
bool enhanced_code(std::string_view s) {
  auto parts = base::split_any(s, ".");
  if (parts.size() != 3 || s.back() == '.' || s.find("..") != std::string_view::npos) return false;
  for (const auto& p : parts)
    if (!all_digits(p) || p.size() > 3) return false;
  return parts[0] == "2" || parts[0] == "4" || parts[0] == "5";
}

Result<AccessAction> numeric_reply(std::string_view value) {
  AccessAction a;
  a.kind = ActionKind::reply;
  a.code = (value[0] - '0') * 100 + (value[1] - '0') * 10 + (value[2] - '0');
  // access(5): "4NN text" and "5NN text"; other classes are configuration errors.
  if (value[0] != '4' && value[0] != '5')
    return Error{"access table result \"" + std::string(value) +
                 "\": reply code must be 4NN or 5NN"};
  std::string_view rest = base::trim(value.substr(3));
  size_t space = rest.find_first_of(" \t");
  std::string_view first = rest.substr(0, space);
  if (enhanced_code(first)) {
    if (first[0] != value[0])
      return Error{"access table result \"" + std::string(value) +
                   "\": enhanced status code class differs from the reply code"};
    a.enhanced = std::string(first);
    rest = space == std::string_view::npos ? std::string_view() : base::trim(rest.substr(space));
  }
  a.text = std::string(rest);
  return a;
}

}  // namespace

Result<AccessAction> parse_access_action(std::string_view value) {
  value = base::trim(value);
  AccessAction action;
  if (all_digits(value)) {
    action.kind = ActionKind::ok;
    return action;
  }
  // "4NN text": three digits then whitespace or the end.
  if (value.size() >= 3 && all_digits(value.substr(0, 3)) &&
      (value.size() == 3 || value[3] == ' ' || value[3] == '\t'))
    return numeric_reply(value);
  size_t space = value.find_first_of(" \t");
  std::string word = base::to_lower(value.substr(0, space));
  std::string_view text =
      space == std::string_view::npos ? std::string_view() : base::trim(value.substr(space));
  for (const Keyword& k : kKeywords) {
    if (k.word != word) continue;
    if (k.needs_text && text.empty())
      return Error{"access table result \"" + std::string(value) + "\": " + std::string(k.word) +
                   " needs an argument"};
    // OK and DUNNO ignore any text after them, as Postfix's smtpd_check.c compares only
    // the first word.
    if (k.kind == ActionKind::ok || k.kind == ActionKind::dunno) text = {};
    // REJECT and the DEFERs take an RFC 3463 code at the start of their text (Postfix's
    // dsn_split()): "REJECT 5.7.9 go away" answers 5.7.9, not 5.7.1.
    bool rejects = k.kind == ActionKind::reject || k.kind == ActionKind::defer ||
                   k.kind == ActionKind::defer_if_reject || k.kind == ActionKind::defer_if_permit;
    if (rejects) {
      size_t end = text.find_first_of(" \t");
      if (enhanced_code(text.substr(0, end))) {
        action.enhanced = std::string(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view() : base::trim(text.substr(end));
      }
    }
    action.kind = k.kind;
    action.text = std::string(text);
    if (k.kind == ActionKind::prepend) {
      // A header: name ":" (RFC 5322 §2.2, printable ASCII but ':').
      size_t colon = action.text.find(':');
      bool name_ok = colon != std::string::npos && colon > 0;
      for (size_t i = 0; name_ok && i < colon; ++i)
        name_ok = action.text[i] > 32 && action.text[i] < 127;
      if (!name_ok)
        return Error{"access table result \"" + std::string(value) +
                     "\": PREPEND needs a header \"name: value\""};
    }
    return action;
  }
  action.kind = ActionKind::restrictions;
  action.text = std::string(value);
  return action;
}

}  // namespace correio::smtpd::access
