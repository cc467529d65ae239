// The smtp agent's per-destination TLS policy (see tls_policy.hpp).
#include "delivery/smtp/tls_policy.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "base/strings.hpp"
#include "tls/dane.hpp"

namespace correio::delivery::smtp_agent {
namespace {

using smtp::TlsLevel;

// Postfix's CHARS_COMMA_SP between attributes; ":" inside match= and protocols=.
constexpr std::string_view kAttributeSeparators = " \t\r\n,";
constexpr std::string_view kListSeparators = " \t\r\n,:";

std::string_view level_name(TlsLevel level, DaneMode dane = DaneMode::off) {
  if (dane != DaneMode::off) return dane == DaneMode::dane ? "dane" : "dane-only";
  switch (level) {
    case TlsLevel::none:
      return "none";
    case TlsLevel::may:
      return "may";
    case TlsLevel::encrypt:
      return "encrypt";
    case TlsLevel::verify:
      return "verify";
    case TlsLevel::secure:
      return "secure";
  }
  return "none";
}

// Sets `slot` once; Postfix refuses an attribute given twice.
Status set_once(std::optional<std::string>& slot, std::string_view name, std::string_view value) {
  if (slot) return Error{fmt::format("duplicate attribute \"{}\"", name)};
  if (value.empty()) return Error{fmt::format("empty value of attribute \"{}\"", name)};
  slot = std::string(value);
  return {};
}

Status add_attribute(TlsPolicyEntry& entry, std::string_view word) {
  size_t eq = word.find('=');
  if (eq == std::string_view::npos)
    return Error{fmt::format("malformed attribute \"{}\" (expected name=value)", word)};
  std::string name = base::to_lower(word.substr(0, eq));
  std::string_view value = word.substr(eq + 1);
  if (entry.level == TlsLevel::none)
    return Error{fmt::format("attribute \"{}\" is invalid at security level \"none\"", name)};
  if (name == "match") {
    // TLS_README: match= belongs to the levels that check names; at dane the names are
    // DANE's own (RFC 7672 §3.2.2), not configurable.
    if (entry.level < TlsLevel::verify || entry.dane != DaneMode::off)
      return Error{fmt::format("attribute \"match\" is invalid at security level \"{}\"",
                               level_name(entry.level, entry.dane))};
    if (entry.match) return Error{"duplicate attribute \"match\""};
    entry.match = base::split_any(value, ":");
    if (entry.match->empty()) return Error{"empty value of attribute \"match\""};
    return {};
  }
  // Values are checked here, so that the warning names the table entry.
  const tls::CipherLists probe{"HIGH", "MEDIUM", "eNULL"};
  if (name == "protocols") {
    if (auto p = tls::parse_protocols(value); !p) return p.error();
    return set_once(entry.protocols, name, value);
  }
  if (name == "ciphers") {
    if (auto c = tls::cipher_list(value, "", probe); !c) return c.error();
    return set_once(entry.ciphers, name, value);
  }
  if (name == "exclude") {
    if (auto c = tls::cipher_list("high", value, probe); !c) return c.error();
    return set_once(entry.exclude, name, value);
  }
  if (name == "servername") return set_once(entry.servername, name, value);
  if (name == "tafile") return Error{"attribute \"tafile\" is not supported (use smtp_tls_CAfile)"};
  return Error{fmt::format("unknown attribute \"{}\"", name)};
}

Result<std::optional<TlsPolicyEntry>> lookup_one(maps::Map& map, const std::string& key) {
  auto found = map.lookup(key);
  if (!found) return Error{"smtp_tls_policy_maps lookup error: " + found.error().message};
  if (!*found) return std::optional<TlsPolicyEntry>{};
  auto entry = parse_policy_entry(**found);
  if (!entry)
    return Error{fmt::format("smtp_tls_policy_maps, next-hop destination \"{}\": {}", key,
                             entry.error().message)};
  return std::optional<TlsPolicyEntry>{std::move(*entry)};
}

// smtp_tls_servername / servername=: empty none, "hostname", "nexthop", or a name.
std::string server_name(std::string_view setting, const std::string& host,
                        const std::string& nexthop_domain) {
  if (setting == "hostname") return host;
  if (setting == "nexthop") return nexthop_domain;
  return std::string(setting);
}

bool is_address_literal(std::string_view name) {
  return name.find(':') != std::string_view::npos ||
         name.find_first_not_of("0123456789.") == std::string_view::npos;
}

}  // namespace

Result<TlsPolicyEntry> parse_tls_level(std::string_view name) {
  std::string level = base::to_lower(base::trim(name));
  auto entry = [](TlsLevel l, DaneMode d = DaneMode::off) {
    TlsPolicyEntry e;
    e.level = l;
    e.dane = d;
    return e;
  };
  if (level == "none") return entry(TlsLevel::none);
  if (level == "may") return entry(TlsLevel::may);
  if (level == "encrypt") return entry(TlsLevel::encrypt);
  if (level == "verify") return entry(TlsLevel::verify);
  if (level == "secure") return entry(TlsLevel::secure);
  if (level == "dane") return entry(TlsLevel::encrypt, DaneMode::dane);
  if (level == "dane-only") return entry(TlsLevel::encrypt, DaneMode::dane_only);
  if (level == "half-dane")
    return Error{"TLS security level \"half-dane\" is not supported (a Postfix test level)"};
  if (level == "fingerprint")
    return Error{"TLS security level \"fingerprint\" is not supported yet"};
  return Error{fmt::format("unknown TLS security level \"{}\"", level)};
}

Result<TlsPolicyEntry> parse_policy_entry(std::string_view value) {
  auto items = base::split_any(value, kAttributeSeparators);
  if (items.empty()) return Error{"empty TLS policy"};
  auto level = parse_tls_level(items.front());
  if (!level) return level.error();
  TlsPolicyEntry entry = std::move(*level);
  for (size_t i = 1; i < items.size(); ++i)
    if (Status ok = add_attribute(entry, items[i]); !ok) return ok.error();
  return entry;
}

Result<TlsPolicyEntry> policy_for(const TlsSettings& settings, const std::string& nexthop_text) {
  if (!settings.policy_maps) return settings.defaults;
  auto found = lookup_one(*settings.policy_maps, nexthop_text);
  if (!found) return found.error();
  if (*found) return std::move(**found);
  // TLS_README: a key without brackets or port is a domain; its parents follow, each with
  // a leading dot, as in transport(5).
  if (nexthop_text.starts_with('[') || nexthop_text.find(':') != std::string::npos)
    return settings.defaults;
  for (size_t dot = nexthop_text.find('.', 1); dot != std::string::npos;
       dot = nexthop_text.find('.', dot + 1)) {
    auto parent = lookup_one(*settings.policy_maps, nexthop_text.substr(dot));
    if (!parent) return parent.error();
    if (*parent) return std::move(**parent);
  }
  return settings.defaults;
}

Result<tls::PeerCheck> peer_check(const TlsSettings& s, const TlsPolicyEntry& entry,
                                  const std::string& host, const std::string& nexthop_domain,
                                  bool secure_mx) {
  tls::PeerCheck check;
  bool mandatory = entry.level >= TlsLevel::encrypt;
  auto protocols = tls::parse_protocols(
      entry.protocols.value_or(mandatory ? s.mandatory_protocols : s.protocols));
  if (!protocols) return Error{"TLS protocols: " + protocols.error().message};
  check.policy.protocols = *protocols;

  // Postfix's set_cipher_grade(): the entry's exclude= replaces main.cf's exclusions; at
  // encrypt no cipher without encryption, from verify up none without authentication.
  std::string exclude;
  if (entry.exclude) {
    exclude = *entry.exclude;
  } else {
    exclude = s.exclude;
    if (mandatory) exclude += " " + s.mandatory_exclude;
  }
  if (entry.level == TlsLevel::encrypt) exclude += " eNULL";
  if (entry.level >= TlsLevel::verify) exclude += " aNULL";
  auto list = tls::cipher_list(entry.ciphers.value_or(mandatory ? s.mandatory_ciphers : s.ciphers),
                               exclude, s.lists);
  if (!list) return Error{"TLS ciphers: " + list.error().message};
  check.policy.cipher_list = *list;

  std::string sni = server_name(entry.servername.value_or(s.servername), host, nexthop_domain);
  if (!is_address_literal(sni)) check.sni = base::to_lower(sni);

  check.require_match = entry.level >= TlsLevel::verify;
  if (!check.require_match) return check;
  const std::vector<std::string>& strategies =
      entry.match ? *entry.match
                  : (entry.level == TlsLevel::secure ? s.secure_match : s.verify_match);
  // "hostname" is the MX host as DNS gave it, which TLS_README says is open to DNS forgery
  // at verify (docs/admin-guide.md); DANE (dane.hpp) is the level with secure names.
  for (const auto& strategy : strategies) {
    std::string word = base::to_lower(strategy);
    if (word == "hostname")
      check.names.push_back(base::to_lower(host));
    else if (word == "nexthop")
      check.names.push_back(base::to_lower(nexthop_domain));
    else if (word == "dot-nexthop")
      check.names.push_back("." + base::to_lower(nexthop_domain));
    else
      check.names.push_back(word);
  }
  // Postfix's secure MX rule: a host name from a validated MX answer is as good as the
  // nexthop (RFC 7672 §2.2.1 makes the same argument for DANE).
  std::string mx = base::to_lower(host);
  if (entry.level == TlsLevel::secure && secure_mx &&
      std::find(check.names.begin(), check.names.end(), mx) == check.names.end())
    check.names.push_back(mx);
  return check;
}

Result<TlsSettings> tls_settings_from_config(const config::Config& config) {
  TlsSettings s;
  std::string level = config.get("smtp_tls_security_level");
  if (base::trim(level).empty()) level = config.get_bool("smtp_use_tls") ? "may" : "none";
  // A level Correio refuses keeps the mail queued with this text rather than sending it
  // with less protection than asked for.
  auto parsed = parse_tls_level(level);
  if (parsed)
    s.defaults = std::move(*parsed);
  else
    s.refused = "smtp_tls_security_level: " + parsed.error().message + "; mail stays queued";
  auto list = [&](std::string_view name) {
    return base::split_any(config.get(name), kListSeparators);
  };
  s.verify_match = list("smtp_tls_verify_cert_match");
  s.secure_match = list("smtp_tls_secure_cert_match");
  auto digests = tls::parse_dane_digests(config.get("tls_dane_digests"));
  if (!digests) {
    std::string where = config.location("tls_dane_digests");
    return Error{(where.empty() ? where : where + ": ") + digests.error().message};
  }
  s.dane_digests = std::move(*digests);
  s.force_insecure_host_tlsa = config.get_bool("smtp_tls_force_insecure_host_tlsa_lookup");
  s.protocols = config.get("smtp_tls_protocols");
  s.mandatory_protocols = config.get("smtp_tls_mandatory_protocols");
  s.ciphers = config.get("smtp_tls_ciphers");
  s.mandatory_ciphers = config.get("smtp_tls_mandatory_ciphers");
  s.exclude = config.get("smtp_tls_exclude_ciphers");
  s.mandatory_exclude = config.get("smtp_tls_mandatory_exclude_ciphers");
  s.servername = std::string(base::trim(config.get("smtp_tls_servername")));
  s.trust = {config.get("smtp_tls_CAfile"), config.get("smtp_tls_CApath")};
  s.lists = {config.get("tls_high_cipherlist"), config.get("tls_medium_cipherlist"),
             config.get("tls_null_cipherlist")};
  // Every level's combination once, so that a bad value is a start-up error.
  for (TlsLevel l : {TlsLevel::may, TlsLevel::encrypt, TlsLevel::verify}) {
    TlsPolicyEntry probe;
    probe.level = l;
    auto check = peer_check(s, probe, "host.invalid", "nexthop.invalid");
    if (!check) return Error{fmt::format("smtp_tls_* settings: {}", check.error().message)};
  }
  std::string maps_list = config.get("smtp_tls_policy_maps");
  if (!base::trim(maps_list).empty()) {
    auto opened = maps::open_maps(maps_list);
    if (!opened) return Error{"smtp_tls_policy_maps: " + opened.error().message};
    s.policy_maps = std::move(*opened);
  }
  return s;
}

}  // namespace correio::delivery::smtp_agent
