// The smtpd_sender_login_maps family: reject_sender_login_mismatch and its authenticated
// and unauthenticated halves (postconf(5)).
#include <fmt/format.h>

#include "base/strings.hpp"
#include "smtpd/access/checks.hpp"
#include "smtpd/restrictions.hpp"

namespace correio::smtpd::access {

// smtpd_sender_login_maps: MAIL FROM address (then @domain) -> the login names that own it.
Verdict check_sender_login_mismatch(Evaluation& ev, const Restriction& r) {
  const Facts& f = ev.facts;
  if (f.sender.empty()) return Verdict::dunno;  // the null sender is nobody's
  maps::MapList* maps = ev.engine.login_maps();
  if (!maps)
    return ev.configuration_error("restriction " + r.name + " requires smtpd_sender_login_maps");
  auto found = maps::lookup_address(*maps, f.sender, "");
  if (!found)
    return ev.lookup_failure(
        f.sender, fmt::format("smtpd_sender_login_maps lookup error for {}: {}", f.sender,
                              found.error().message));
  bool owned = found->has_value();
  bool owner = false;
  if (owned && !f.sasl_username.empty())
    for (const std::string& login : base::split_list((*found)->value))
      if (base::iequals(login, f.sasl_username)) owner = true;
  bool authenticated = !f.sasl_username.empty();
  bool check_auth = r.name != "reject_unauthenticated_sender_login_mismatch";
  bool check_unauth = r.name != "reject_authenticated_sender_login_mismatch";
  if (authenticated && check_auth && !owner)
    return ev.reject_as(f.sender, "Sender address", 553, "5.7.1",
                        fmt::format("not owned by user {}", f.sasl_username));
  if (!authenticated && check_unauth && owned)
    return ev.reject_as(f.sender, "Sender address", 553, "5.7.1", "not logged in");
  return Verdict::dunno;
}

}  // namespace correio::smtpd::access
