// LMTP mode of the delivery agent: lmtp_* parameters in place of smtp_* (see
// lmtp_settings.hpp).
#include "delivery/smtp/lmtp_settings.hpp"

#include <cctype>

#include "config/parameters.hpp"
#include "config/support.hpp"

namespace correio::delivery::smtp_agent {
namespace {

bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// "smtp_sasl_password_maps is empty" -> "lmtp_sasl_password_maps is empty": the
// administrator set the lmtp_* name, so the message must say that one. Only whole
// parameter names standing as words are replaced (a path such as
// "/etc/postfix/smtp_passwd" in the same message stays as it is).
std::string lmtp_words(std::string text, const std::vector<LmtpTwin>& twins) {
  for (const auto& twin : twins) {
    for (size_t at = text.find(twin.smtp); at != std::string::npos;
         at = text.find(twin.smtp, at + 1)) {
      size_t end = at + twin.smtp.size();
      bool before = at == 0 || std::string_view(" \"'(`").find(text[at - 1]) != std::string::npos;
      bool after = end == text.size() || !name_char(text[end]);
      if (before && after) text.replace(at, twin.smtp.size(), twin.lmtp);
    }
  }
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
    // Per-transport limits (lmtp_destination_*) are qmgr's, read under the service name;
    // a twin Correio does not honour (lmtp_dns_support_level) is reported, not read.
    if (smtp.starts_with("smtp_destination_")) continue;
    if (config::parameter_support(info.name) != config::Support::kHonoured) continue;
    if (config::find_parameter(smtp)) twins.push_back({std::string(info.name), std::move(smtp)});
  }
  return twins;
}

Result<AgentSettings> lmtp_agent_settings(const config::Config& config,
                                          const std::string& service) {
  std::vector<LmtpTwin> twins = lmtp_twins();
  config::Overrides overrides;
  for (const auto& twin : twins) overrides.emplace_back(twin.smtp, config.get(twin.lmtp));
  auto view = config.with_overrides(overrides);
  if (!view) return view.error();
  auto settings = agent_settings_from_config(*view, service);
  if (!settings) return Error{lmtp_words(settings.error().message, twins)};
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
