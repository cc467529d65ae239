// Dovecot's log lines for failed logins, shared by imapd and pop3d, worded as Dovecot 2.3
// writes them so that fail2ban's stock dovecot filter (filter.d/dovecot.conf) reads them:
//   imap-login: Disconnected (auth failed, 2 attempts in 5 secs): user=<bob>, method=PLAIN,
//     rip=192.0.2.1, lip=192.0.2.2, TLS
//   auth: passwd-file(bob,192.0.2.1): Password mismatch        (with auth_verbose = yes)
// Pure functions: no state, any thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace correio::auth {

// "passwd-file" from user_directory = passwd-file:/etc/correio/users (Dovecot's passdb
// driver name); "" when unset.
std::string_view passdb_driver(std::string_view user_directory);

// One failed attempt, as Dovecot's auth process logs it with auth_verbose. `reason` is a
// SaslStep/Verdict reason; anything but "unknown user" is a "Password mismatch".
std::string passdb_failure_line(std::string_view driver, std::string_view user,
                                std::string_view remote_ip, std::string_view reason);

// The end of a session that never logged in. `protocol`: "imap" or "pop3"; `client`:
// "rip=..., lip=...[, TLS]".
struct UnauthenticatedEnd {
  int attempts = 0;  // failed logins; 0: "no auth attempts"
  std::chrono::steady_clock::duration took{};
  std::string_view user;    // the last login name tried ("" when none)
  std::string_view method;  // the last mechanism tried ("" when none)
};
std::string login_disconnect_line(std::string_view protocol, const UnauthenticatedEnd& end,
                                  std::string_view client);

}  // namespace correio::auth
