#include "imapd/response.hpp"

#include <fmt/format.h>

#include "base/strings.hpp"

namespace correio::imapd {
namespace {

bool quotable(std::string_view s) {
  if (s.size() > 1024) return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u == '\r' || u == '\n' || u == 0 || u >= 0x80) return false;
  }
  return true;
}

bool is_atom(std::string_view s) {
  if (s.empty()) return false;
  if (s.size() == 3 && (s[0] == 'N' || s[0] == 'n') && (s[1] == 'I' || s[1] == 'i') &&
      (s[2] == 'L' || s[2] == 'l'))
    return false;
  for (char c : s) {
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
      default:
        break;
    }
  }
  return true;
}

}  // namespace

void append_string(std::string& out, std::string_view s) {
  if (quotable(s)) {
    out += '"';
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
    return;
  }
  out += fmt::format("{{{}}}\r\n", s.size());
  size_t start = out.size();
  out += s;
  // RFC 9051 §4.3: no NUL in a literal; Dovecot sends 0x80 in its place.
  base::replace_nul(out, start, '\x80');
}

void append_nstring(std::string& out, std::string_view s) {
  if (s.empty()) {
    out += "NIL";
    return;
  }
  append_string(out, s);
}

void append_astring(std::string& out, std::string_view s) {
  if (is_atom(s)) {
    out += s;
    return;
  }
  append_string(out, s);
}

std::string format_internal_date(time_t t) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  // In the server's time zone with its offset, as Dovecot writes it; SEARCH BEFORE/ON/SINCE
  // compare the same local day (search_program.cpp).
  struct tm tm {};
  if (localtime_r(&t, &tm) == nullptr) gmtime_r(&t, &tm);
  long offset = tm.tm_gmtoff / 60;
  char sign = offset < 0 ? '-' : '+';
  if (offset < 0) offset = -offset;
  return fmt::format("\"{:02}-{}-{:04} {:02}:{:02}:{:02} {}{:02}{:02}\"", tm.tm_mday,
                     kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, sign,
                     offset / 60, offset % 60);
}

}  // namespace correio::imapd
