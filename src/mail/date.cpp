// RFC 5322 §3.3 dates in the local time zone.
#include "mail/date.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <ctime>

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

}  // namespace correio::mail
