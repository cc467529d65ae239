// Failed-login throttling per client address, for every protocol that authenticates
// (smtpd AUTH, imapd, pop3d). Like Dovecot's auth_failure_delay each failure delays the
// reply, here growing with the failures seen recently (delay, 2*delay, 4*delay, ... up to
// max_delay); after `limit` failures within `window` the address is blocked until the
// window has passed since its last failure: the protocol then refuses with its own
// wording (SMTP "421 4.7.0", IMAP "NO [UNAVAILABLE]", POP3 "-ERR [SYS/TEMP]").
// The same delay applies to unknown users and wrong passwords. A blocked address is
// refused before any password is checked, the right one included: that is what stops
// password spraying; the log says so in its own words (refusal_log), never as a failed
// password. Trusted addresses (Options::exempt: login_trusted_networks, or smtpd's
// smtpd_client_event_limit_exceptions) are neither counted nor blocked.
//
// Owned by the daemon (one per process, no global state); used from its one event-loop
// thread; not thread-safe. Memory is bounded by max_tracked addresses.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace correio::auth {

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    std::chrono::milliseconds delay{2000};       // auth_failure_delay: after the 1st failure
    std::chrono::milliseconds max_delay{15000};  // the growing delay stops here
    int limit = 10;                              // auth_failure_limit; 0: never block
    std::chrono::seconds window{300};            // auth_failure_window
    size_t max_tracked = 10000;                  // addresses remembered at most
    // Addresses exempt from counting and blocking; their failures cost only `delay`.
    std::function<bool(std::string_view address)> exempt;
    // Told of every recorded login, exempt addresses included (the metrics' login counts).
    std::function<void(bool succeeded)> observe;
  };

  explicit LoginThrottle(Options options) : options_(std::move(options)) {}
  LoginThrottle() : LoginThrottle(Options{}) {}

  // Whether `address` has failed too often and must be refused now, before any attempt.
  bool blocked(std::string_view address, Clock::time_point now);

  // Records one failed login from `address` and returns how long the protocol must wait
  // before it sends the failure reply.
  std::chrono::milliseconds record_failure(std::string_view address, Clock::time_point now);

  // The warning to log when blocked() refused `user` ("" before a SASL exchange names
  // one) from `client` (NAME[ADDR]): "login refused for user X from NAME[ADDR]: address
  // locked out after N failures".
  std::string refusal_log(std::string_view user, std::string_view client, std::string_view address,
                          Clock::time_point now) const;

  // A failure that does not count towards the lockout (a client the auth service's caller
  // trusts: Dovecot's no-penalty); it is still observed (the metrics count every failed
  // login). Returns the delay to wait before answering.
  std::chrono::milliseconds record_exempt_failure() {
    if (options_.observe) options_.observe(false);
    return options_.delay;
  }

  // refusal_log's text for a count the caller already has (a client of the auth service).
  static std::string refusal_text(std::string_view user, std::string_view client, int failures);

  // A successful login forgets the address's failures.
  void record_success(std::string_view address);

  // Failures of `address` still inside the window (for tests and log lines).
  int failures(std::string_view address, Clock::time_point now) const;

 private:
  struct Entry {
    int failures = 0;
    Clock::time_point last_failure;
  };
  bool expired(const Entry& entry, Clock::time_point now) const {
    return now - entry.last_failure >= options_.window;
  }
  void prune(Clock::time_point now);

  Options options_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace correio::auth
