// The logins the auth service approved for login processes (imap-login, pop3-login) and
// not yet redeemed by a post-login process: Dovecot's auth "master requests". A grant is
// keyed by the login process's pid as the kernel reported it on its connection
// (SO_PEERCRED, not its CPID line) and its request id, holds the user, is redeemed at
// most once, and expires when not redeemed within kLifetime (a login that died, or a
// post-login side that never asked). Used from the auth process's one event-loop thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace correio::authd {

class LoginGrants {
 public:
  using Clock = std::chrono::steady_clock;
  // Dovecot's auth drops a pending master request's login after its
  // AUTH_MASTER_WAIT_SECS-like limit too; a hand-off takes milliseconds.
  static constexpr std::chrono::seconds kLifetime{60};
  // An approved login costs a map node until redeemed or expired; beyond this many the
  // oldest are dropped (a login process that never hands off cannot grow the table).
  static constexpr size_t kMaxGrants = 65536;

  void grant(unsigned long login_pid, unsigned long auth_id, std::string user,
             Clock::time_point now);
  // The user of that approved login, which is forgotten; nullopt when there is none
  // (never approved, redeemed already, expired).
  std::optional<std::string> redeem(unsigned long login_pid, unsigned long auth_id,
                                    Clock::time_point now);
  size_t size() const { return grants_.size(); }

 private:
  struct Grant {
    std::string user;
    Clock::time_point expires;
  };
  void expire(Clock::time_point now);

  std::map<std::pair<unsigned long, unsigned long>, Grant> grants_;
};

}  // namespace correio::authd
