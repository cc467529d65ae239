// The login side of every daemon that lets users log in (smtpd AUTH, imapd, pop3d), built
// one way from main.cf: the users of user_directory (with auth_default_realm), the SASL
// server over them, and the failed-login throttle of auth_failure_*.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/login_throttle.hpp"
#include "auth/sasl.hpp"
#include "auth/user_directory.hpp"
#include "base/result.hpp"
#include "config/config.hpp"
#include "metrics/registry.hpp"

namespace correio::service {

// Owned by the daemon for its whole life (sessions keep references to its parts); used
// from the daemon's one event-loop thread, like each part it holds. Neither copied nor
// moved: the authenticator borrows the directory.
class LoginServices {
 public:
  // Opens user_directory and builds the rest. An error means the daemon must not start:
  // user_directory is empty (Dovecot: "No passdbs specified"; Postfix: "no SASL
  // authentication mechanisms"; both are fatal) or cannot be opened. The message names
  // the parameter: "user_directory passwd-file:/etc/correio/users: cannot open ...".
  // `trusted_networks`: the parameter naming the addresses the failed-login throttle
  // leaves alone (login_trusted_networks for imapd and pop3d; smtpd passes
  // smtpd_client_event_limit_exceptions, as its other anvil limits use); a bad list is an
  // error naming the parameter. Empty: nobody is exempt here (the auth service, whose
  // clients name the trusted ones per request). Logins are counted in
  // `metrics` when it is given (correio_sasl_logins_total); it must outlive the services.
  static Result<std::unique_ptr<LoginServices>> open(
      const config::Config& config, std::string_view trusted_networks = "login_trusted_networks",
      metrics::Registry* metrics = nullptr);

  LoginServices(const LoginServices&) = delete;
  LoginServices& operator=(const LoginServices&) = delete;

  auth::UserDirectory& users() { return *users_; }
  auth::SaslAuthenticator& sasl() { return sasl_; }
  auth::LoginThrottle& throttle() { return throttle_; }

 private:
  LoginServices(std::unique_ptr<auth::UserDirectory> users, const config::Config& config,
                auth::LoginThrottle::Options throttle);

  std::unique_ptr<auth::UserDirectory> users_;
  auth::SaslAuthenticator sasl_;
  auth::LoginThrottle throttle_;
};

// user_directory (with auth_default_realm) alone, for the post-login imapd and pop3d,
// which read users' homes and quotas but check no password. The errors are open()'s.
Result<std::unique_ptr<auth::UserDirectory>> open_configured_user_directory(
    const config::Config& config);

// auth_failure_delay, auth_failure_max_delay, auth_failure_limit, auth_failure_window.
auth::LoginThrottle::Options login_throttle_options(const config::Config& config);

// Whether `daemon` ("smtpd", "imapd", "pop3d", "auth") offers logins under `config`:
// imapd, pop3d and the auth service always, smtpd with smtpd_sasl_auth_enable = yes
// (it asks the auth service, which needs the users).
bool offers_logins(const config::Config& config, std::string_view daemon);

// For check, start and reload (master::KnownCommands::checks): "error: ..." when `daemon`
// offers logins and user_directory is empty. (A directory that is set but cannot be
// opened is found when the daemon starts, as the user it runs as.)
std::vector<std::string> login_problems(const config::Config& config, std::string_view daemon);

}  // namespace correio::service
