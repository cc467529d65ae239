// Reads smtpd's parameters from the effective configuration once, at start-up.
#include "smtpd/settings.hpp"

#include <algorithm>
#include <limits>

#include "base/strings.hpp"
#include "service/auth_client.hpp"

namespace correio::smtpd {

Settings Settings::from_config(const config::Config& config) {
  Settings s;
  s.myhostname = config.get("myhostname");
  s.banner = config.get("smtpd_banner");
  s.content_filter = std::string(base::trim(config.get("content_filter")));
  s.message_size_limit = config.get_int("message_size_limit");
  // Postfix: 0 means no limit.
  if (s.message_size_limit == 0) s.message_size_limit = std::numeric_limits<long long>::max() / 2;
  s.recipient_limit = config.get_int("smtpd_recipient_limit");
  s.line_length_limit = std::max<long long>(512, config.get_int("line_length_limit"));
  s.header_size_limit = std::max<long long>(1024, config.get_int("header_size_limit"));
  s.hopcount_limit = static_cast<int>(config.get_int("hopcount_limit"));
  s.timeout = config.get_time("smtpd_timeout");
  s.per_request_deadline = config.get_bool("smtpd_per_request_deadline");
  s.min_data_rate =
      static_cast<size_t>(std::max<long long>(0, config.get_int("smtpd_min_data_rate")));
  s.greet_wait =
      std::chrono::duration_cast<std::chrono::milliseconds>(config.get_time("smtpd_greet_wait"));
  s.soft_error_limit = static_cast<int>(config.get_int("smtpd_soft_error_limit"));
  s.hard_error_limit = static_cast<int>(config.get_int("smtpd_hard_error_limit"));
  s.error_sleep = config.get_time("smtpd_error_sleep_time");
  s.junk_command_limit = static_cast<int>(config.get_int("smtpd_junk_command_limit"));
  s.helo_required = config.get_bool("smtpd_helo_required");
  s.disable_vrfy = config.get_bool("disable_vrfy_command");
  s.urlauth_host = config.get("imapd_urlauth_host");
  s.mailbox_base = config.get("virtual_mailbox_base");
  s.mail_location = config.get("mail_location");
  s.forbid_unauth_pipelining = config.get_bool("smtpd_forbid_unauth_pipelining");
  std::string bare = base::to_lower(config.get("smtpd_forbid_bare_newline"));
  s.bare_newline = (bare == "yes" || bare == "reject") ? BareNewline::reject
                   : (bare == "no")                    ? BareNewline::allow
                                                       : BareNewline::normalize;
  // Bad network lists were reported by `correio check`; here they simply match nothing.
  if (auto nets = ClientNetworks::parse(config.get("mynetworks"))) s.mynetworks = *nets;
  if (auto nets = ClientNetworks::parse(config.get("smtpd_forbid_bare_newline_exclusions")))
    s.bare_newline_exclusions = *nets;
  std::string level = base::to_lower(config.get("smtpd_tls_security_level"));
  // Postfix's obsolete smtpd_use_tls/smtpd_enforce_tls map onto the level when it is unset.
  if (level.empty()) level = config.get_bool("smtpd_use_tls") ? "may" : "none";
  s.tls_level = level == "encrypt" ? TlsLevel::encrypt
                : level == "may"   ? TlsLevel::may
                                   : TlsLevel::none;
  s.tls_wrappermode = config.get_bool("smtpd_tls_wrappermode");
  s.tls_received_header = config.get_bool("smtpd_tls_received_header");
  s.reject_unlisted_recipient = config.get_bool("smtpd_reject_unlisted_recipient");
  s.sasl_auth_enable = config.get_bool("smtpd_sasl_auth_enable");
  // Postfix: smtpd_tls_security_level = encrypt implies smtpd_tls_auth_only = yes.
  s.tls_auth_only = config.get_bool("smtpd_tls_auth_only") || s.tls_level == TlsLevel::encrypt;
  auto has = [](const std::vector<std::string>& words, std::string_view w) {
    for (const auto& x : words)
      if (base::iequals(x, w)) return true;
    return false;
  };
  s.sasl_noplaintext = has(config.get_list("smtpd_sasl_security_options"), "noplaintext");
  s.sasl_tls_noplaintext = has(config.get_list("smtpd_sasl_tls_security_options"), "noplaintext");
  s.sasl_authenticated_header = config.get_bool("smtpd_sasl_authenticated_header");
  s.mechanisms = auth::offered_auth_mechanisms(config.get_list("auth_mechanisms"));
  s.sasl_socket =
      service::auth_socket_path(config.get("queue_directory"), config.get("smtpd_sasl_path"));
  if (auto nets = ClientNetworks::parse(config.get("smtpd_client_event_limit_exceptions")))
    s.auth_penalty_exceptions = *nets;
  s.client_restrictions = config.get("smtpd_client_restrictions");
  s.helo_restrictions = config.get("smtpd_helo_restrictions");
  s.sender_restrictions = config.get("smtpd_sender_restrictions");
  s.relay_restrictions = config.get("smtpd_relay_restrictions");
  s.recipient_restrictions = config.get("smtpd_recipient_restrictions");
  s.sender_login_maps = config.get("smtpd_sender_login_maps");
  s.smtputf8_enable = config.get_bool("smtputf8_enable");
  // Postfix also takes "silent-discard" here (do not log the discards); Correio logs none.
  for (const auto& keyword : config.get_list("smtpd_discard_ehlo_keywords"))
    s.discarded_ehlo_keywords.insert(base::to_lower(keyword));
  s.soft_bounce = config.get_bool("soft_bounce");
  s.client_port_logging = config.get_bool("smtpd_client_port_logging");
  s.tls_loglevel = static_cast<int>(config.get_int("smtpd_tls_loglevel"));
  return s;
}

bool Settings::ehlo_keyword(std::string_view keyword) const {
  if (discarded_ehlo_keywords.contains(base::to_lower(keyword))) return false;
  return !base::iequals(keyword, "SMTPUTF8") || smtputf8_enable;
}

}  // namespace correio::smtpd
