// The smtp agent's SMTP AUTH settings and credential lookup (see sasl_client.hpp).
#include "delivery/smtp/sasl_client.hpp"

#include <fmt/format.h>

#include <cctype>

#include "base/strings.hpp"

namespace correio::delivery::smtp_agent {
namespace {

// Postfix (with Cyrus SASL) knows more options; the ones Correio's mechanisms can honour
// are these, and any other is refused rather than ignored.
Result<smtp::SaslRules> rules_from(const config::Config& config, std::string_view name) {
  smtp::SaslRules rules;
  rules.plaintext = true;
  for (const auto& option : config.get_list(name)) {
    std::string o = base::to_lower(option);
    if (o == "noplaintext")
      rules.plaintext = false;
    else if (o == "mutual_auth")
      rules.mutual_only = true;
    else if (o != "noanonymous")  // the client never offers ANONYMOUS
      return Error{
          fmt::format("{}: option \"{}\" is not supported (Correio knows noplaintext, noanonymous, "
                      "mutual_auth)",
                      name, option)};
  }
  return rules;
}

Result<std::optional<Credentials>> lookup(maps::Map& map, const std::string& key) {
  auto found = map.lookup(key);
  if (!found) return Error{"smtp_sasl_password_maps lookup error: " + found.error().message};
  if (!*found) return std::optional<Credentials>{};
  const std::string& value = **found;
  size_t colon = value.find(':');
  Credentials c{value.substr(0, colon), colon == std::string::npos ? "" : value.substr(colon + 1)};
  return std::optional<Credentials>{std::move(c)};
}

}  // namespace

Result<SaslSettings> sasl_settings_from_config(const config::Config& config) {
  SaslSettings s;
  if (!config.get_bool("smtp_sasl_auth_enable")) return s;
  std::string list = config.get("smtp_sasl_password_maps");
  if (base::trim(list).empty())
    return Error{"smtp_sasl_auth_enable = yes, but smtp_sasl_password_maps is empty"};
  auto opened = maps::open_maps(list);
  if (!opened) return Error{"smtp_sasl_password_maps: " + opened.error().message};
  s.passwords = std::move(*opened);
  auto plain = rules_from(config, "smtp_sasl_security_options");
  if (!plain) return plain.error();
  auto tls = rules_from(config, "smtp_sasl_tls_security_options");
  if (!tls) return tls.error();
  // smtp_sasl_mechanism_filter: mechanism names; Postfix's /file and type:table forms are
  // refused rather than read as names.
  std::vector<std::string> filter;
  for (const auto& word : config.get_list("smtp_sasl_mechanism_filter")) {
    if (word.find_first_of(":/!") != std::string::npos)
      return Error{fmt::format(
          "smtp_sasl_mechanism_filter: \"{}\": only mechanism names are supported", word)};
    std::string name = word;
    for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    filter.push_back(std::move(name));
  }
  plain->filter = filter;
  tls->filter = filter;
  s.plain_rules = std::move(*plain);
  s.tls_rules = std::move(*tls);
  s.sender_dependent = config.get_bool("smtp_sender_dependent_authentication");
  return s;
}

Result<std::optional<Credentials>> find_credentials(const SaslSettings& settings,
                                                    const CredentialKeys& keys) {
  if (!settings.passwords) return std::optional<Credentials>{};
  std::vector<std::string> order;
  // Postfix's smtp_sender_dependent_authentication: the sender's own account first; the
  // null sender has none.
  if (settings.sender_dependent && !keys.sender.empty()) {
    order.push_back(keys.sender);
    if (size_t at = keys.sender.rfind('@'); at != std::string::npos)
      order.push_back(keys.sender.substr(at));
  }
  order.push_back(keys.nexthop_text);
  if (keys.bracketed) order.push_back("[" + keys.nexthop_host + "]");
  order.push_back(keys.server);
  order.push_back(keys.nexthop_host);
  for (const auto& key : order) {
    auto found = lookup(*settings.passwords, key);
    if (!found || *found) return found;
  }
  return std::optional<Credentials>{};
}

}  // namespace correio::delivery::smtp_agent
