// Postfix's per-recipient delivery log line and its delay numbers (see log_line.hpp).
#include "delivery/log_line.hpp"

#include <fmt/format.h>

#include "base/strings.hpp"

namespace correio::delivery {
namespace {

constexpr int kSignificantDigits = 2;  // Postfix's SIG_DIGS
constexpr int kMaxDecimals = 2;        // delay_logging_resolution_limit default

int64_t since(int64_t from, int64_t to) {
  return to > from ? to - from : 0;
}

}  // namespace

std::string format_delay(int64_t microseconds) {
  if (microseconds <= 0) return "0";
  int64_t seconds = microseconds / 1000000;
  // Digits before the point use up significant digits; at least one decimal digit goes
  // to numbers below one second, whatever their leading zeros (capped by kMaxDecimals).
  int int_digits = 0;
  for (int64_t s = seconds; s > 0; s /= 10) ++int_digits;
  int decimals = std::min(kMaxDecimals, std::max(0, kSignificantDigits - int_digits));
  int64_t unit = 1;
  for (int i = 0; i < 6 - decimals; ++i) unit *= 10;   // microseconds per last digit
  int64_t rounded = (microseconds + unit / 2) / unit;  // in units of 10^-decimals s
  int64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  int64_t whole = rounded / scale;
  int64_t fraction = rounded % scale;
  if (fraction == 0) return fmt::format("{}", whole);
  std::string digits = fmt::format("{:0{}}", fraction, decimals);
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  return fmt::format("{}.{}", whole, digits);
}

std::string soft_bounce_dsn(std::string_view dsn) {
  std::string out(dsn);
  if (!out.empty() && out[0] == '5') out[0] = '4';
  return out;
}

std::string format_recipient_log(const RecipientLogLine& line) {
  const DeliveryTimes& t = line.times;
  bool soft = line.soft_bounce && line.status == DeliveryStatus::bounced;
  std::string dsn = soft ? soft_bounce_dsn(line.dsn) : std::string(line.dsn);
  std::string_view status = soft ? "SOFTBOUNCE" : status_name(line.status);
  std::string out = fmt::format("{}: to=<{}>", line.queue_id, line.to);
  if (!line.orig_to.empty() && !base::iequals(line.orig_to, line.to))
    out += fmt::format(", orig_to=<{}>", line.orig_to);
  out += fmt::format(
      ", relay={}, delay={}, delays={}/{}/{}/{}, dsn={}, status={} ({})", line.relay,
      format_delay(since(t.arrival_us, t.done_us)), format_delay(since(t.arrival_us, t.active_us)),
      format_delay(since(t.active_us, t.start_us)), format_delay(since(t.start_us, t.connected_us)),
      format_delay(since(t.connected_us, t.done_us)), dsn, status, line.text);
  return out;
}

}  // namespace correio::delivery
