// smtpd's anvil(8) rate limits: smtpd_client_connection_rate_limit,
// smtpd_client_message_rate_limit, smtpd_client_recipient_rate_limit,
// smtpd_client_new_tls_session_rate_limit and smtpd_client_auth_rate_limit per client
// address within anvil_rate_time_unit, clients in smtpd_client_event_limit_exceptions
// exempt, with Postfix's replies and warnings, and anvil's statistics lines every
// anvil_status_update_time. The counters are per smtpd process (docs/admin-guide.md).
// Owned by smtpd's start-up state; used only on the daemon's one event-loop thread.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "base/log.hpp"
#include "config/config.hpp"
#include "smtp/reply.hpp"
#include "smtpd/client_networks.hpp"
#include "smtpd/client_rates.hpp"

namespace correio::smtpd {

struct RateLimitSettings {
  std::string myhostname;
  std::string service_name;  // master.cf's first column: "for service NAME" in warnings
  std::array<long long, kClientEventCount> limits{};  // per ClientEvent; 0: no limit
  std::chrono::milliseconds time_unit{60000};         // anvil_rate_time_unit
  std::chrono::milliseconds status_update{600000};    // anvil_status_update_time
  ClientNetworks exceptions;                          // smtpd_client_event_limit_exceptions

  static RateLimitSettings from_config(const config::Config& config, std::string service_name);
};

class RateLimits {
 public:
  using Clock = ClientRates::Clock;

  RateLimits(RateLimitSettings settings, base::Logger& log,
             std::function<Clock::time_point()> clock = &Clock::now);

  // Counts one `event` from `address` (not for exempt clients, nor for kinds without a
  // limit). Over the limit: logs Postfix's warning naming `label` (NAME[ADDR]) and returns
  // the reply to send; a 421 means the session must end. nullopt: carry on.
  // new_tls is not for this call: see the two below.
  std::optional<smtp::Reply> check(ClientEvent event, const std::string& address,
                                   const std::string& label);

  // Before a TLS handshake (STARTTLS, or at once in wrapper mode): the refusal when the
  // client has already had its quota of new sessions (454 after STARTTLS; 421 in wrapper
  // mode, where the session ends). Nothing is counted here...
  std::optional<smtp::Reply> check_new_tls(const std::string& address, const std::string& label,
                                           bool wrapper_mode);
  // ...but here, after a handshake that made a new session (a resumed one is free:
  // Postfix counts only sessions not found in its cache).
  void count_new_tls(const std::string& address);

  const ClientRates& rates() const { return rates_; }

 private:
  bool limited(ClientEvent event, const std::string& address) const;
  void report_statistics(Clock::time_point now);

  RateLimitSettings settings_;
  base::Logger& log_;
  std::function<Clock::time_point()> clock_;
  ClientRates rates_;
  Clock::time_point last_report_;
};

}  // namespace correio::smtpd
