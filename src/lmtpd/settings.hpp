// lmtpd's view of main.cf (plus its master.cf -o overrides), read once at start-up so the
// session code never parses configuration text.
#pragma once

#include <chrono>
#include <string>

#include "config/config.hpp"
#include "delivery/mailbox_delivery.hpp"

namespace correio::lmtpd {

struct Settings {
  std::string myhostname;
  std::string banner;                       // lmtpd_banner, expanded
  long long message_size_limit = 10240000;  // message_size_limit (0 in main.cf: none)
  long long recipient_limit = 1000;         // lmtpd_recipient_limit
  long long line_length_limit = 2048;       // longest command line (line_length_limit)
  std::chrono::seconds timeout{300};        // lmtpd_timeout
  int hard_error_limit = 20;                // lmtpd_hard_error_limit
  delivery::MailboxSettings mailbox;        // where and how mail is stored

  static Settings from_config(const config::Config& config);
};

}  // namespace correio::lmtpd
