// RFC 5322 §3.3 dates in the local time zone.
#include "mail/date.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "mail/detail/rfc822_tokens.hpp"

namespace correio::mail {

std::string rfc5322_date(std::chrono::system_clock::time_point when) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  localtime_r(&t, &tm);
  long offset_minutes = tm.tm_gmtoff / 60;
  char sign = offset_minutes < 0 ? '-' : '+';
  offset_minutes = std::labs(offset_minutes);
  std::string out =
      fmt::format("{}, {} {} {} {:02}:{:02}:{:02} {}{:02}{:02}", kDays[tm.tm_wday], tm.tm_mday,
                  kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, sign,
                  offset_minutes / 60, offset_minutes % 60);
  if (tm.tm_zone && *tm.tm_zone) out += fmt::format(" ({})", tm.tm_zone);
  return out;
}

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

// Splits a date into tokens: numbers, words, and the separators ',' ':' '+' '-'; comments
// and whitespace dropped.
std::vector<std::string> date_tokens(std::string_view text) {
  std::vector<std::string> out;
  detail::Rfc822Lexer lex(text);
  while (!lex.at_end() && out.size() < 32) {
    lex.skip_cfws();
    if (lex.at_end()) break;
    char c = lex.peek();
    std::string token;
    if (c >= '0' && c <= '9') {
      while (!lex.at_end() && lex.peek() >= '0' && lex.peek() <= '9' && token.size() < 10) {
        token.push_back(lex.peek());
        lex.advance();
      }
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      while (!lex.at_end() && ((lex.peek() | 0x20) >= 'a' && (lex.peek() | 0x20) <= 'z') &&
             token.size() < 16) {
        token.push_back(lex.peek());
        lex.advance();
      }
    } else {
      token.push_back(c);
      lex.advance();
    }
    out.push_back(std::move(token));
  }
  return out;
}

bool is_number(const std::string& s) {
  return !s.empty() && s[0] >= '0' && s[0] <= '9';
}

// The fields of a date-time as written: the calendar day in the writer's own zone, the
// time of day, and that zone's offset from UTC.
struct DateParts {
  std::int64_t day = 0;  // days since 1970-01-01 of the date as written
  long seconds_of_day = 0;
  long zone_minutes = 0;
};

std::optional<DateParts> parse_parts(std::string_view text) {
  static constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                            "jul", "aug", "sep", "oct", "nov", "dec"};
  std::vector<std::string> t = date_tokens(text);
  std::size_t i = 0;
  // Optional day of week and comma.
  if (i < t.size() && !is_number(t[i])) ++i;
  if (i < t.size() && t[i] == ",") ++i;
  if (i + 2 >= t.size() || !is_number(t[i])) return std::nullopt;
  long day = std::stol(t[i++]);
  if (i < t.size() && t[i] == "-") ++i;  // "1-Jan-2020" is seen in the wild
  unsigned month = 0;
  for (unsigned m = 0; m < 12 && i < t.size(); ++m)
    if (t[i].size() >= 3 && iequals(t[i].substr(0, 3), kMonths[m]) && t[i].size() <= 9)
      month = m + 1;
  if (month == 0) return std::nullopt;
  ++i;
  if (i < t.size() && t[i] == "-") ++i;
  if (i >= t.size() || !is_number(t[i])) return std::nullopt;
  std::size_t year_digits = t[i].size();
  long year = std::stol(t[i++]);
  // RFC 5322 §4.3: two-digit years < 50 are 20xx, others 19xx; three digits add 1900.
  if (year_digits <= 2)
    year += year < 50 ? 2000 : 1900;
  else if (year_digits == 3)
    year += 1900;
  long hour = 0, minute = 0, second = 0;
  if (i + 2 < t.size() + 0 && is_number(t[i]) && t[i + 1] == ":" && is_number(t[i + 2])) {
    hour = std::stol(t[i]);
    minute = std::stol(t[i + 2]);
    i += 3;
    if (i + 1 < t.size() && t[i] == ":" && is_number(t[i + 1])) {
      second = std::stol(t[i + 1]);
      i += 2;
    }
  }
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  long zone_minutes = 0;
  if (i + 1 < t.size() && (t[i] == "+" || t[i] == "-") && is_number(t[i + 1]) &&
      t[i + 1].size() == 4) {
    long hhmm = std::stol(t[i + 1]);
    zone_minutes = (hhmm / 100) * 60 + hhmm % 100;
    if (t[i] == "-") zone_minutes = -zone_minutes;
  } else if (i < t.size()) {
    // RFC 5322 §4.3 obsolete zones; military letters and unknown names are -0000.
    static constexpr struct {
      const char* name;
      long hours;
    } kZones[] = {{"ut", 0},   {"gmt", 0},  {"utc", 0},  {"est", -5}, {"edt", -4}, {"cst", -6},
                  {"cdt", -5}, {"mst", -7}, {"mdt", -6}, {"pst", -8}, {"pdt", -7}};
    for (const auto& z : kZones)
      if (iequals(t[i], z.name)) zone_minutes = z.hours * 60;
  }
  return DateParts{days_from_civil(year, month, static_cast<unsigned>(day)),
                   hour * 3600 + minute * 60 + second, zone_minutes};
}

}  // namespace

std::optional<std::int64_t> parse_rfc5322_date(std::string_view text) {
  auto p = parse_parts(text);
  if (!p) return std::nullopt;
  return p->day * 86400 + p->seconds_of_day - p->zone_minutes * 60;
}

std::optional<std::int64_t> parse_rfc5322_day(std::string_view text) {
  auto p = parse_parts(text);
  if (!p) return std::nullopt;
  return p->day;
}

std::int64_t sent_date(std::string_view date_header_value, std::int64_t internal_date) {
  std::optional<std::int64_t> parsed = parse_rfc5322_date(date_header_value);
  return parsed ? *parsed : internal_date;
}

}  // namespace correio::mail
