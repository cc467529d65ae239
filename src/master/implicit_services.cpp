// The services the master adds to master.cf's (see implicit_services.hpp).
#include "master/implicit_services.hpp"

#include <algorithm>

#include "config/login_sockets.hpp"
#include "config/server_tls_files.hpp"

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

bool is_login_command(const std::string& command) {
  return !config::postlogin_command_for(command).empty();
}

// Every IMAP or POP3 listener becomes a login service (login_user) and a post-login
// service (mail_owner) with the same -o overrides, so that a setting given to one
// listener (imapd_tls_wrappermode, a mail_location) reaches both halves.
void split_logins(std::vector<config::MasterService>& services) {
  std::vector<config::MasterService> added;
  for (auto& s : services) {
    if (s.type != "inet") continue;
    std::string login = config::login_command_for(s.command);
    if (login.empty()) continue;
    config::MasterService post = s;
    post.name = config::postlogin_service_name(login, s.name);
    post.type = "unix";
    post.private_ = std::string(config::kLoginSocketColumn);
    post.chroot = "n";
    post.wakeup = "-";
    // TLS ends in the login process, which proxies plaintext: the post-login daemon needs
    // no key, so it gets none (the master hands keys only where they are presented).
    std::string prefix(config::server_tls_prefix(login));
    for (const char* suffix : {"_tls_wrappermode=no", "_tls_cert_file=", "_tls_chain_files="}) {
      std::string o = prefix + suffix;
      size_t eq = o.find('=');
      post.overrides.emplace_back(o.substr(0, eq), o.substr(eq + 1));
    }
    s.command = login;
    added.push_back(std::move(post));
  }
  for (auto& s : added) services.push_back(std::move(s));
}

}  // namespace

void add_implicit_services(const config::Config& config,
                           std::vector<config::MasterService>& services) {
  split_logins(services);
  bool listed = std::any_of(services.begin(), services.end(),
                            [](const auto& s) { return s.command == "auth"; });
  if (listed) return;
  bool needed = std::any_of(services.begin(), services.end(), [&](const auto& s) {
    return asks_default_auth_service(config, s) || is_login_command(s.command);
  });
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
