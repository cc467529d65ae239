// Reads pop3d's parameters from the effective configuration once, at start-up.
#include "pop3d/settings.hpp"

#include <algorithm>

#include "auth/login_log.hpp"

namespace correio::pop3d {

Settings Settings::from_config(const config::Config& config) {
  Settings s;
  s.myhostname = config.get("myhostname");
  s.greeting = config.get("mail_name") + " ready.";
  s.timeout = config.get_time("pop3d_timeout");
  s.login_timeout = config.get_time("pop3d_login_timeout");
  s.tls_wrappermode = config.get_bool("pop3d_tls_wrappermode");
  s.allow_cleartext = config.get_bool("auth_allow_cleartext");
  s.mechanisms = auth::offered_auth_mechanisms(config.get_list("auth_mechanisms"));
  s.lock_session = config.get_bool("pop3d_lock_session");
  s.max_bad_commands =
      static_cast<int>(std::max<long long>(1, config.get_int("pop3d_max_bad_commands")));
  s.mailbox_base = config.get("virtual_mailbox_base");
  s.mail_location = config.get("mail_location");
  s.auth_verbose = config.get_bool("auth_verbose");
  s.passdb_driver = std::string(auth::passdb_driver(config.get("user_directory")));
  return s;
}

}  // namespace correio::pop3d
