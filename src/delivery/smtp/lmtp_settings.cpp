// LMTP mode of the delivery agent: lmtp_* parameters in place of smtp_* (see
// lmtp_settings.hpp).
#include "delivery/smtp/lmtp_settings.hpp"

#include <cctype>

#include "config/parameters.hpp"

namespace correio::delivery::smtp_agent {
namespace {

// "smtp_sasl_password_maps: ..." -> "lmtp_sasl_password_maps: ...": the administrator
// set the lmtp_* name, so the message must say that one.
std::string lmtp_words(std::string text) {
  for (size_t at = text.find("smtp_"); at != std::string::npos; at = text.find("smtp_", at + 5)) {
    bool word_start =
        at == 0 || !(std::isalnum(static_cast<unsigned char>(text[at - 1])) || text[at - 1] == '_');
    if (word_start) text.replace(at, 4, "lmtp");
  }
  for (auto [from, to] : {std::pair{"lmtp_helo_name", "lmtp_lhlo_name"},
                          std::pair{"lmtp_helo_timeout", "lmtp_lhlo_timeout"}})
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at))
      text.replace(at, std::string_view(from).size(), to);
  return text;
}

}  // namespace

std::vector<LmtpTwin> lmtp_twins() {
  // postconf(5): each lmtp_* parameter is "implemented by the LMTP client" as its smtp_*
  // namesake is by the SMTP client; LHLO takes the place of HELO in two names.
  std::vector<LmtpTwin> twins{{"lmtp_lhlo_name", "smtp_helo_name"},
                              {"lmtp_lhlo_timeout", "smtp_helo_timeout"}};
  for (const config::ParameterInfo& info : config::parameter_table()) {
    if (!info.name.starts_with("lmtp_")) continue;
    std::string smtp = "smtp_" + std::string(info.name.substr(5));
    // Per-transport limits (lmtp_destination_*) are qmgr's, read under the service name.
    if (smtp.starts_with("smtp_destination_")) continue;
    if (config::find_parameter(smtp)) twins.push_back({std::string(info.name), std::move(smtp)});
  }
  return twins;
}

Result<AgentSettings> lmtp_agent_settings(const config::Config& config,
                                          const std::string& service) {
  config::Overrides twins;
  for (const auto& twin : lmtp_twins()) twins.emplace_back(twin.smtp, config.get(twin.lmtp));
  auto view = config.with_overrides(twins);
  if (!view) return view.error();
  auto settings = agent_settings_from_config(*view, service);
  if (!settings) return Error{lmtp_words(settings.error().message)};
  settings->lmtp = true;
  settings->client.lmtp = true;
  auto port = config.get_int("lmtp_tcp_port");
  if (port <= 0 || port > 65535)
    return Error{config.location("lmtp_tcp_port") + ": lmtp_tcp_port: not a port number"};
  settings->default_port = static_cast<unsigned short>(port);
  settings->queue_directory = config.get("queue_directory");
  settings->myhostname = config.get("myhostname");
  // postconf(5) lmtp_assume_final: without DSN from the server, a success is reported as
  // "delivered" rather than "relayed" (LMTP servers normally deliver to the mailbox).
  settings->assume_final = config.get_bool("lmtp_assume_final");
  return settings;
}

}  // namespace correio::delivery::smtp_agent
