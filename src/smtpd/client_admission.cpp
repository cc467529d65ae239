// Reverse DNS, the "connect from" line and the connection count limit (see the header).
#include "smtpd/client_admission.hpp"

#include "base/strings.hpp"
#include "dns/client_name.hpp"
#include "dns/shared_lookup.hpp"

namespace correio::smtpd {

AdmissionSettings AdmissionSettings::from_config(const config::Config& config,
                                                 std::string service_name) {
  AdmissionSettings s;
  s.myhostname = config.get("myhostname");
  s.service_name = std::move(service_name);
  s.connection_count_limit = config.get_int("smtpd_client_connection_count_limit");
  // A bad list was reported by `correio check`; here it simply matches nothing.
  if (auto nets = ClientNetworks::parse(config.get("smtpd_client_event_limit_exceptions")))
    s.limit_exceptions = *nets;
  s.peername_lookup = config.get_bool("smtpd_peername_lookup");
  s.client_port_logging = config.get_bool("smtpd_client_port_logging");
  s.resolver.servers = config.get_list("dns_resolver_servers");
  s.resolver.time_limit = config.get_time("dns_resolver_timeout");
  return s;
}

asio::awaitable<dns::ClientName> ClientAdmission::client_name(io::Connection& connection) {
  if (!settings_.peername_lookup) co_return dns::ClientName{};
  auto executor = co_await asio::this_coro::executor;
  auto& shared =
      asio::use_service<dns::SharedLookup>(asio::query(executor, asio::execution::context));
  auto lookup = shared.get(executor, settings_.resolver);
  if (!lookup) {
    log_.warning("reverse lookup of {}: {}", connection.remote_address(), lookup.error().message);
    co_return dns::ClientName{};
  }
  std::shared_ptr<dns::Lookup> held = std::move(*lookup);  // for as long as the lookups run
  dns::ClientName found = co_await dns::verified_client_name(*held, connection.remote_address());
  if (!found.warning.empty()) log_.warning("{}", found.warning);
  co_return found;
}

asio::awaitable<Admission> ClientAdmission::admit(io::Connection& connection) {
  Admission admission;
  std::string address = connection.remote_address();
  dns::ClientName names = co_await client_name(connection);
  admission.client_name = names.name;
  admission.reverse_name = names.reverse_name;
  std::string label = admission.client_name + "[" + address + "]";
  if (settings_.client_port_logging) label += ":" + std::to_string(connection.remote_port());
  log_.info("connect from {}", label);

  admission.slot = connections_.enter(address);
  int count = admission.slot.count();
  bool limited =
      settings_.connection_count_limit > 0 && !settings_.limit_exceptions.contains(address);
  std::optional<smtp::Reply> refusal;
  if (limited && count > settings_.connection_count_limit) {
    log_.warning("Connection concurrency limit exceeded: {} from {} for service {}", count, label,
                 settings_.service_name);
    refusal = smtp::Reply(421, "4.7.0",
                          settings_.myhostname + " Error: too many connections from " + address);
  } else {
    // Postfix's anvil counts a connection's rate with its count, in the same request.
    refusal = rates_.check(ClientEvent::connection, address, label);
  }
  if (refusal) {
    std::string wire = refusal->to_wire();
    co_await connection.write(wire);
    co_await connection.drain_and_close();
    log_.info("disconnect from {} commands=0", label);
    co_return admission;
  }
  admission.admitted = true;
  co_return admission;
}

}  // namespace correio::smtpd
