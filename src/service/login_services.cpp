// LoginServices: the user directory, SASL and login throttle of smtpd, imapd and pop3d
// from one place, so that the three read the same parameters the same way.
#include "service/login_services.hpp"

#include <chrono>

#include "maps/network_list.hpp"

namespace correio::service {

Result<std::unique_ptr<LoginServices>> LoginServices::open(const config::Config& config,
                                                           std::string_view trusted_networks,
                                                           metrics::Registry* metrics) {
  auto users = open_configured_user_directory(config);
  if (!users) return users.error();
  auth::LoginThrottle::Options throttle = login_throttle_options(config);
  // Dovecot's login_trusted_networks: these clients are not penalised for failed logins.
  // The auth service passes no list: its clients say no-penalty themselves.
  auto trusted = maps::NetworkList::parse(trusted_networks.empty() ? std::string()
                                                                   : config.get(trusted_networks));
  if (!trusted) return Error{std::string(trusted_networks) + ": " + trusted.error().message};
  if (!trusted->empty())
    throttle.exempt = [list = std::move(*trusted)](std::string_view address) {
      return list.contains(address);
    };
  if (metrics)
    throttle.observe = [success = metrics->counter("correio_sasl_logins_total",
                                                   metrics::label("result", "success")),
                        failure = metrics->counter("correio_sasl_logins_total",
                                                   metrics::label("result", "failure"))](
                           bool succeeded) mutable { (succeeded ? success : failure).add(); };
  return std::unique_ptr<LoginServices>(
      new LoginServices(std::move(*users), config, std::move(throttle)));
}

Result<std::unique_ptr<auth::UserDirectory>> open_configured_user_directory(
    const config::Config& config) {
  std::string spec = config.get("user_directory");
  if (spec.empty()) return Error{"user_directory is empty: there are no users to log in"};
  auto users = auth::open_user_directory(spec, config.get("auth_default_realm"));
  if (!users) return Error{"user_directory " + spec + ": " + users.error().message};
  return users;
}

namespace {

auth::SaslAuthenticator::Options sasl_options(const config::Config& config) {
  auth::SaslAuthenticator::Options options;
  options.hostname = config.get("myhostname");  // in the CRAM-MD5 challenge
  return options;
}

}  // namespace

LoginServices::LoginServices(std::unique_ptr<auth::UserDirectory> users,
                             const config::Config& config, auth::LoginThrottle::Options throttle)
    : users_(std::move(users)),
      sasl_(*users_, sasl_options(config)),
      throttle_(std::move(throttle)) {}

auth::LoginThrottle::Options login_throttle_options(const config::Config& config) {
  auth::LoginThrottle::Options options;
  options.delay = config.get_time("auth_failure_delay");
  options.max_delay = config.get_time("auth_failure_max_delay");
  options.limit = static_cast<int>(config.get_int("auth_failure_limit"));
  options.window = config.get_time("auth_failure_window");
  return options;
}

bool offers_logins(const config::Config& config, std::string_view daemon) {
  if (daemon == "smtpd") return config.get_bool("smtpd_sasl_auth_enable");
  return daemon == "imapd" || daemon == "pop3d" || daemon == "auth";
}

std::vector<std::string> login_problems(const config::Config& config, std::string_view daemon) {
  if (!offers_logins(config, daemon)) return {};
  if (auto mechanisms = auth::parse_auth_mechanisms(config.get_list("auth_mechanisms"));
      !mechanisms) {
    std::string where = config.location("auth_mechanisms");
    return {(where.empty() ? "" : where + ": ") + "error: " + mechanisms.error().message};
  }
  // The lockout's trusted list (smtpd's is checked with its other network lists).
  if (daemon == "imapd" || daemon == "pop3d") {
    if (auto trusted = maps::NetworkList::parse(config.get("login_trusted_networks")); !trusted) {
      std::string where = config.location("login_trusted_networks");
      return {(where.empty() ? "" : where + ": ") +
              "error: login_trusted_networks: " + trusted.error().message};
    }
  }
  if (!config.get("user_directory").empty()) return {};
  // Name what asks for logins: smtpd's switch, or the daemon itself.
  std::string why =
      daemon == "smtpd" ? "smtpd_sasl_auth_enable = yes" : std::string(daemon) + " serves logins";
  std::string where = config.location("user_directory");
  if (where.empty() && daemon == "smtpd") where = config.location("smtpd_sasl_auth_enable");
  return {(where.empty() ? "" : where + ": ") + "error: " + why +
          ", but user_directory is empty: set it to the users' directory, e.g. "
          "user_directory = passwd-file:/etc/correio/users"};
}

}  // namespace correio::service
