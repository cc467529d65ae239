// Reads the smtp agent's settings from main.cf and the service's -o overrides (see
// agent_settings.hpp); errors name the parameter and, when known, its file and line.
#include "delivery/smtp/agent_settings.hpp"

#include <algorithm>

#include "base/strings.hpp"
#include "config/own_addresses.hpp"
#include "delivery/smtp/host_lookup.hpp"

namespace correio::delivery::smtp_agent {

Result<AgentSettings> agent_settings_from_config(const config::Config& config,
                                                 const std::string& service) {
  AgentSettings s;
  auto generic = cleanup::GenericMaps::open(config);
  if (!generic) return generic.error();
  if (*generic) s.generic = std::make_shared<cleanup::GenericMaps>(std::move(**generic));
  s.client.helo_name = config.get("smtp_helo_name");
  auto& t = s.client.timeouts;
  t.connect = config.get_time("smtp_connect_timeout");
  t.helo = config.get_time("smtp_helo_timeout");
  t.starttls = config.get_time("smtp_starttls_timeout");
  t.mail = config.get_time("smtp_mail_timeout");
  t.rcpt = config.get_time("smtp_rcpt_timeout");
  t.data_init = config.get_time("smtp_data_init_timeout");
  t.data_xfer = config.get_time("smtp_data_xfer_timeout");
  t.data_done = config.get_time("smtp_data_done_timeout");
  t.quit = config.get_time("smtp_quit_timeout");
  t.rset = config.get_time("smtp_rset_timeout");
  // postconf(5): a connect timeout of 0 means no limit (lmtp_connect_timeout's default).
  if (t.connect.count() <= 0) t.connect = std::chrono::hours(24);
  s.bind_address = config.get("smtp_bind_address");
  s.bind_address6 = config.get("smtp_bind_address6");

  std::string protocols = base::to_lower(base::join(config.get_list("inet_protocols"), " "));
  if (protocols != "all") {
    s.ipv4 = protocols.find("ipv4") != std::string::npos;
    s.ipv6 = protocols.find("ipv6") != std::string::npos;
    if (!s.ipv4 && !s.ipv6)
      return Error{"inet_protocols: no ipv4 or ipv6 in \"" + protocols + "\""};
  }
  auto where = [&](std::string_view name) {
    std::string at = config.location(name);
    return at.empty() ? at : at + ": ";
  };
  // postconf(5) smtp_dns_support_level: when set it replaces disable_dns_lookups;
  // "dnssec" asks for validated answers (Postfix's RES_USE_DNSSEC; lookup.hpp).
  std::string dns_support = base::to_lower(base::trim(config.get("smtp_dns_support_level")));
  if (dns_support.empty())
    s.dns_lookups = !config.get_bool("disable_dns_lookups");
  else if (dns_support == "disabled" || dns_support == "enabled" || dns_support == "dnssec")
    s.dns_lookups = dns_support != "disabled";
  else
    return Error{where("smtp_dns_support_level") + "smtp_dns_support_level: unknown value \"" +
                 dns_support + "\" (expected disabled, enabled or dnssec)"};
  s.resolver.dnssec = dns_support == "dnssec";
  s.mta_sts = config.get_bool("smtp_tls_mta_sts_enable");
  s.mta_sts_cache_directory = config.get("smtp_tls_mta_sts_cache_directory");
  std::string insecure_mx =
      base::to_lower(base::trim(config.get("smtp_tls_dane_insecure_mx_policy")));
  if (insecure_mx == "may")
    s.dane_insecure_mx = InsecureMxPolicy::may;
  else if (insecure_mx != "dane")
    return Error{where("smtp_tls_dane_insecure_mx_policy") +
                 "smtp_tls_dane_insecure_mx_policy: unknown value \"" + insecure_mx +
                 "\" (expected dane or may)"};
  // smtp_address_preference only matters when inet_protocols allows both families.
  auto preference = parse_address_preference(config.get("smtp_address_preference"));
  if (!preference) return preference.error();
  s.address_preference = *preference;
  s.randomize_addresses = config.get_bool("smtp_randomize_addresses");
  s.mx_address_limit = static_cast<size_t>(std::max(0LL, config.get_int("smtp_mx_address_limit")));
  s.mx_session_limit = static_cast<size_t>(std::max(0LL, config.get_int("smtp_mx_session_limit")));
  s.own_addresses = config::own_addresses(config.get_list("inet_interfaces"),
                                          config.get_list("proxy_interfaces"));
  s.own_hostname = config.get("myhostname");
  auto lookup = host_lookup_from_config(config, s.dns_lookups);
  if (!lookup) return lookup.error();
  s.host_dns = lookup->first;
  s.host_native = lookup->second;
  s.resolver.hosts_file = false;  // DNS means DNS; the hosts file is "native"
  s.resolver.servers = config.get_list("dns_resolver_servers");
  s.resolver.time_limit = config.get_time("dns_resolver_timeout");

  // SERVICE_destination_recipient_limit, as Postfix names it after the master.cf service.
  std::string limit_name = service + "_destination_recipient_limit";
  long long limit = config.raw(limit_name) ? config.get_int(limit_name)
                                           : config.get_int("default_destination_recipient_limit");
  s.recipient_limit = static_cast<size_t>(std::max(1LL, limit));
  // As many kept sessions as deliveries qmgr may run at once to one destination.
  std::string concurrency_name = service + "_destination_concurrency_limit";
  long long concurrency = config.raw(concurrency_name)
                              ? config.get_int(concurrency_name)
                              : config.get_int("default_destination_concurrency_limit");
  s.cache_per_nexthop = concurrency <= 0
                            ? kMaxKeptPerNexthop
                            : std::min(kMaxKeptPerNexthop, static_cast<size_t>(concurrency));

  auto tls = tls_settings_from_config(config);
  if (!tls) return tls.error();
  s.tls = std::move(*tls);
  s.tls_loglevel = static_cast<int>(config.get_int("smtp_tls_loglevel"));
  s.cache_time_limit = config.get_time("smtp_connection_cache_time_limit");
  long long reuse_count = config.get_int("smtp_connection_reuse_count_limit");
  s.reuse_limits.count = reuse_count <= 0 ? 0 : static_cast<size_t>(reuse_count);
  s.reuse_limits.time = config.get_time("smtp_connection_reuse_time_limit");
  s.tls_session_timeout = config.get_time("smtp_tls_session_cache_timeout");
  // qmgr waits daemon_timeout for an agent (qmgr/settings.cpp); the agent stops at 90% of
  // it, leaving qmgr the time to hear the deferrals.
  s.request_time_limit =
      std::max(std::chrono::seconds(1), config.get_time("daemon_timeout") * 9 / 10);

  auto sasl = sasl_settings_from_config(config);
  if (!sasl) return sasl.error();
  s.sasl = std::move(*sasl);
  return s;
}

}  // namespace correio::delivery::smtp_agent
