// smtpd's anvil(8) rate limits and their replies (see the header). The reply and log texts
// are those of Postfix's smtpd.c and smtpd_sasl_proto.c, so that log watchers and clients
// that know Postfix recognise them.
#include "smtpd/rate_limits.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>

namespace correio::smtpd {
namespace {

size_t index(ClientEvent event) {
  return static_cast<size_t>(event);
}

// anvil.c's names in its "statistics: max ... rate" lines.
constexpr std::array<const char*, kClientEventCount> kStatisticsName = {
    "connection", "message", "recipient", "newtls", "auth"};

}  // namespace

RateLimitSettings RateLimitSettings::from_config(const config::Config& config,
                                                 std::string service_name) {
  RateLimitSettings s;
  s.myhostname = config.get("myhostname");
  s.service_name = std::move(service_name);
  s.limits[index(ClientEvent::connection)] = config.get_int("smtpd_client_connection_rate_limit");
  s.limits[index(ClientEvent::message)] = config.get_int("smtpd_client_message_rate_limit");
  s.limits[index(ClientEvent::recipient)] = config.get_int("smtpd_client_recipient_rate_limit");
  s.limits[index(ClientEvent::new_tls)] = config.get_int("smtpd_client_new_tls_session_rate_limit");
  s.limits[index(ClientEvent::auth)] = config.get_int("smtpd_client_auth_rate_limit");
  s.time_unit = config.get_time("anvil_rate_time_unit");
  if (s.time_unit.count() <= 0) s.time_unit = std::chrono::seconds(1);
  s.status_update = config.get_time("anvil_status_update_time");
  // A bad list is refused at start (smtpd_main.cpp); here it cannot fail any more.
  if (auto nets = ClientNetworks::parse(config.get("smtpd_client_event_limit_exceptions")))
    s.exceptions = *nets;
  return s;
}

RateLimits::RateLimits(RateLimitSettings settings, base::Logger& log,
                       std::function<Clock::time_point()> clock)
    : settings_(std::move(settings)),
      log_(log),
      clock_(std::move(clock)),
      rates_(settings_.time_unit),
      last_report_(clock_()) {}

bool RateLimits::limited(ClientEvent event, const std::string& address) const {
  return settings_.limits[index(event)] > 0 && !settings_.exceptions.contains(address);
}

std::optional<smtp::Reply> RateLimits::check(ClientEvent event, const std::string& address,
                                             const std::string& label) {
  if (!limited(event, address)) return std::nullopt;
  Clock::time_point now = clock_();
  report_statistics(now);
  int rate = rates_.record(event, address, now);
  if (rate <= settings_.limits[index(event)]) return std::nullopt;
  const std::string& service = settings_.service_name;
  switch (event) {
    case ClientEvent::connection:
      log_.warning("Connection rate limit exceeded: {} from {} for service {}", rate, label,
                   service);
      return smtp::Reply(421, "4.7.0",
                         settings_.myhostname + " Error: too many connections from " + address);
    case ClientEvent::message:
      log_.warning("Message delivery request rate limit exceeded: {} from {} for service {}", rate,
                   label, service);
      return smtp::Reply(450, "4.7.1", "Error: too much mail from " + address);
    case ClientEvent::recipient:
      log_.warning("Recipient address rate limit exceeded: {} from {} for service {}", rate, label,
                   service);
      return smtp::Reply(452, "4.7.1", "Error: too many recipients from " + address);
    case ClientEvent::auth:
      log_.warning("AUTH command rate limit exceeded: {} from {} for service {}", rate, label,
                   service);
      return smtp::Reply(450, "4.7.1", "Error: too many AUTH commands from " + address);
    case ClientEvent::new_tls:
      break;  // check_new_tls()
  }
  return std::nullopt;
}

std::optional<smtp::Reply> RateLimits::check_new_tls(const std::string& address,
                                                     const std::string& label, bool wrapper_mode) {
  if (!limited(ClientEvent::new_tls, address)) return std::nullopt;
  Clock::time_point now = clock_();
  int rate = rates_.rate(ClientEvent::new_tls, address, now);
  if (rate < settings_.limits[index(ClientEvent::new_tls)]) return std::nullopt;
  log_.warning("New TLS session rate limit exceeded: {} from {} for service {}", rate, label,
               settings_.service_name);
  if (wrapper_mode)
    return smtp::Reply(421, "4.7.0",
                       settings_.myhostname + " Error: too many new TLS sessions from " + label);
  return smtp::Reply(454, "4.7.0", "Error: too many new TLS sessions from " + label);
}

void RateLimits::count_new_tls(const std::string& address) {
  if (!limited(ClientEvent::new_tls, address)) return;
  Clock::time_point now = clock_();
  report_statistics(now);
  rates_.record(ClientEvent::new_tls, address, now);
}

// anvil(8) logs the highest rates of each period, "statistics: max connection rate 3/60s
// for (smtp:192.0.2.1) at Dec  7 00:31:07", and the number of clients it tracks. Correio
// logs them with the first event after the period has passed (no timer keeps an idle
// smtpd awake); the time given is that of the peak.
void RateLimits::report_statistics(Clock::time_point now) {
  if (settings_.status_update.count() <= 0 || now - last_report_ < settings_.status_update) return;
  last_report_ = now;
  long long unit = std::chrono::duration_cast<std::chrono::seconds>(settings_.time_unit).count();
  auto peaks = rates_.take_peaks();
  for (size_t i = 0; i < kClientEventCount; ++i) {
    const auto& peak = peaks[i];
    if (peak.rate == 0) continue;
    auto when = std::chrono::system_clock::now() -
                std::chrono::duration_cast<std::chrono::system_clock::duration>(now - peak.when);
    std::time_t t = std::chrono::system_clock::to_time_t(when);
    std::tm tm{};
    localtime_r(&t, &tm);
    log_.info("statistics: max {} rate {}/{}s for ({}:{}) at {:%b %e %H:%M:%S}", kStatisticsName[i],
              peak.rate, unit, settings_.service_name, peak.address, tm);
  }
  log_.info("statistics: max cache size {}", rates_.tracked());
}

}  // namespace correio::smtpd
