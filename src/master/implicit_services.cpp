// The services the master adds to master.cf's (see implicit_services.hpp).
#include "master/implicit_services.hpp"

#include <algorithm>

namespace correio::master {
namespace {

// Whether this smtpd asks the auth service at private/auth, with its -o overrides.
bool asks_default_auth_service(const config::Config& config, const config::MasterService& s) {
  if (s.command != "smtpd") return false;
  auto effective = config.with_overrides(s.overrides);
  if (!effective) return false;  // the plan reports the bad override
  return effective->get_bool("smtpd_sasl_auth_enable") &&
         effective->get("smtpd_sasl_path") == "private/auth";
}

}  // namespace

void add_implicit_services(const config::Config& config,
                           std::vector<config::MasterService>& services) {
  bool listed = std::any_of(services.begin(), services.end(),
                            [](const auto& s) { return s.command == "auth"; });
  if (listed) return;
  bool needed = std::any_of(services.begin(), services.end(),
                            [&](const auto& s) { return asks_default_auth_service(config, s); });
  if (!needed) return;
  // The stock line: private, as root (it may read /etc/shadow for user_directory = unix:),
  // one process.
  config::MasterService auth;
  auth.name = "auth";
  auth.type = "unix";
  auth.private_ = "-";
  auth.unpriv = "n";
  auth.chroot = "n";
  auth.wakeup = "-";
  auth.maxproc = "1";
  auth.command = "auth";
  services.push_back(std::move(auth));
}

}  // namespace correio::master
