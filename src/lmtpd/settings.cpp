// Reads lmtpd's parameters from the effective configuration once, at start-up.
#include "lmtpd/settings.hpp"

#include <algorithm>
#include <limits>

namespace correio::lmtpd {

Settings Settings::from_config(const config::Config& config) {
  Settings s;
  s.myhostname = config.get("myhostname");
  s.banner = config.get("lmtpd_banner");
  s.message_size_limit = config.get_int("message_size_limit");
  // Postfix: 0 means no limit.
  if (s.message_size_limit <= 0) s.message_size_limit = std::numeric_limits<long long>::max() / 2;
  s.recipient_limit = std::max<long long>(1, config.get_int("lmtpd_recipient_limit"));
  s.line_length_limit = std::max<long long>(512, config.get_int("line_length_limit"));
  s.timeout = config.get_time("lmtpd_timeout");
  s.hard_error_limit =
      static_cast<int>(std::max<long long>(1, config.get_int("lmtpd_hard_error_limit")));
  s.mailbox = delivery::mailbox_settings_from_config(config);
  return s;
}

}  // namespace correio::lmtpd
