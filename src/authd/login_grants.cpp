// The approved logins awaiting their post-login process (see login_grants.hpp).
#include "authd/login_grants.hpp"

#include <algorithm>

namespace correio::authd {

void LoginGrants::expire(Clock::time_point now) {
  std::erase_if(grants_, [now](const auto& entry) { return entry.second.expires <= now; });
  while (grants_.size() >= kMaxGrants) {
    auto oldest = std::min_element(
        grants_.begin(), grants_.end(),
        [](const auto& a, const auto& b) { return a.second.expires < b.second.expires; });
    grants_.erase(oldest);
  }
}

void LoginGrants::grant(unsigned long login_pid, unsigned long auth_id, std::string user,
                        Clock::time_point now) {
  // Expiry is swept on each grant: the table stays as small as the logins in flight.
  expire(now);
  grants_[{login_pid, auth_id}] = Grant{std::move(user), now + kLifetime};
}

std::optional<std::string> LoginGrants::redeem(unsigned long login_pid, unsigned long auth_id,
                                               Clock::time_point now) {
  auto it = grants_.find({login_pid, auth_id});
  if (it == grants_.end()) return std::nullopt;
  Grant grant = std::move(it->second);
  grants_.erase(it);
  if (grant.expires <= now) return std::nullopt;
  return std::move(grant.user);
}

}  // namespace correio::authd
