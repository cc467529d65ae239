// smtpd's view of main.cf (plus its master.cf -o overrides), read once at start-up so the
// session code never parses configuration text.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "smtpd/client_networks.hpp"

namespace correio::smtpd {

enum class BareNewline { normalize, reject, allow };

struct Settings {
  std::string myhostname;
  std::string banner;  // smtpd_banner, expanded
  long long message_size_limit = 10240000;
  long long recipient_limit = 1000;
  long long line_length_limit = 2048;
  long long header_size_limit = 102400;
  int hopcount_limit = 50;
  std::chrono::seconds timeout{300};
  int soft_error_limit = 10;
  int hard_error_limit = 20;
  std::chrono::seconds error_sleep{1};
  bool helo_required = false;
  bool disable_vrfy = false;
  bool forbid_unauth_pipelining = true;
  BareNewline bare_newline = BareNewline::normalize;
  ClientNetworks bare_newline_exclusions;
  ClientNetworks mynetworks;
  std::vector<std::string> local_domains;          // mydestination
  std::vector<std::string> virtual_mailbox_domains;
  std::vector<std::string> virtual_alias_domains;
  std::vector<std::string> relay_domains;
  std::string syslog_tag_service;  // for Received: "with ESMTP" lines later

  static Settings from_config(const config::Config& config);
};

}  // namespace correio::smtpd
