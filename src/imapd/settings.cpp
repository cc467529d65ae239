#include "imapd/settings.hpp"

#include "auth/login_log.hpp"

namespace correio::imapd {

Settings Settings::from_config(const config::Config& config) {
  Settings s;
  s.hostname = config.get("myhostname");
  s.tls_wrappermode = config.get_bool("imapd_tls_wrappermode");
  s.allow_cleartext = config.get_bool("auth_allow_cleartext");
  s.mechanisms = auth::offered_auth_mechanisms(config.get_list("auth_mechanisms"));
  s.limits.max_line_length = static_cast<size_t>(config.get_int("imapd_max_line_length"));
  s.limits.max_literal_size = static_cast<size_t>(config.get_int("imapd_literal_size_limit"));
  s.timeout = config.get_time("imapd_timeout");
  s.login_timeout = config.get_time("imapd_login_timeout");
  s.idle_timeout = config.get_time("imapd_idle_timeout");
  s.mailbox_base = config.get("virtual_mailbox_base");
  s.mail_location = config.get("mail_location");
  s.urlauth_host = config.get("imapd_urlauth_host");
  s.auth_verbose = config.get_bool("auth_verbose");
  s.passdb_driver = std::string(auth::passdb_driver(config.get("user_directory")));
  s.special_use_folders = config.get("mailbox_special_use_folders");
  s.append_limit = static_cast<uint64_t>(config.get_int("message_size_limit"));
  s.worker_threads = static_cast<int>(config.get_int("imapd_worker_threads"));

  return s;
}

}  // namespace correio::imapd
