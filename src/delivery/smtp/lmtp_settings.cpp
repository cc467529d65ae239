// LMTP mode of the delivery agent: lmtp_* parameters in place of smtp_* (see
// lmtp_settings.hpp).
#include "delivery/smtp/lmtp_settings.hpp"

#include <array>
#include <span>

namespace correio::delivery::smtp_agent {

std::span<const LmtpTwin> lmtp_twins() {
  // postconf(5): each lmtp_* parameter "implemented by the LMTP client" as its smtp_*
  // namesake is by the SMTP client.
  static constexpr std::array kTwins = {
      LmtpTwin{"lmtp_lhlo_name", "smtp_helo_name"},
      LmtpTwin{"lmtp_connect_timeout", "smtp_connect_timeout"},
      LmtpTwin{"lmtp_lhlo_timeout", "smtp_helo_timeout"},
      LmtpTwin{"lmtp_starttls_timeout", "smtp_starttls_timeout"},
      LmtpTwin{"lmtp_mail_timeout", "smtp_mail_timeout"},
      LmtpTwin{"lmtp_rcpt_timeout", "smtp_rcpt_timeout"},
      LmtpTwin{"lmtp_data_init_timeout", "smtp_data_init_timeout"},
      LmtpTwin{"lmtp_data_xfer_timeout", "smtp_data_xfer_timeout"},
      LmtpTwin{"lmtp_data_done_timeout", "smtp_data_done_timeout"},
      LmtpTwin{"lmtp_quit_timeout", "smtp_quit_timeout"},
      LmtpTwin{"lmtp_bind_address", "smtp_bind_address"},
      LmtpTwin{"lmtp_bind_address6", "smtp_bind_address6"},
      LmtpTwin{"lmtp_host_lookup", "smtp_host_lookup"},
      LmtpTwin{"lmtp_connection_cache_time_limit", "smtp_connection_cache_time_limit"},
      LmtpTwin{"lmtp_tls_security_level", "smtp_tls_security_level"},
      LmtpTwin{"lmtp_use_tls", "smtp_use_tls"},
      LmtpTwin{"lmtp_tls_loglevel", "smtp_tls_loglevel"},
      LmtpTwin{"lmtp_sasl_auth_enable", "smtp_sasl_auth_enable"},
      LmtpTwin{"lmtp_sasl_password_maps", "smtp_sasl_password_maps"},
      LmtpTwin{"lmtp_sasl_security_options", "smtp_sasl_security_options"},
      LmtpTwin{"lmtp_sasl_tls_security_options", "smtp_sasl_tls_security_options"},
  };
  return kTwins;
}

Result<AgentSettings> lmtp_agent_settings(const config::Config& config,
                                          const std::string& service) {
  config::Overrides twins;
  for (const auto& twin : lmtp_twins())
    twins.emplace_back(std::string(twin.smtp), config.get(twin.lmtp));
  auto view = config.with_overrides(twins);
  if (!view) return view.error();
  auto settings = agent_settings_from_config(*view, service);
  if (!settings) return settings.error();
  settings->lmtp = true;
  settings->client.lmtp = true;
  auto port = config.get_int("lmtp_tcp_port");
  if (port <= 0 || port > 65535)
    return Error{config.location("lmtp_tcp_port") + ": lmtp_tcp_port: not a port number"};
  settings->default_port = static_cast<unsigned short>(port);
  settings->queue_directory = config.get("queue_directory");
  settings->myhostname = config.get("myhostname");
  return settings;
}

}  // namespace correio::delivery::smtp_agent
