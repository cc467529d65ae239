// pop3d's view of main.cf (plus its master.cf -o overrides), read once at start-up.
#pragma once

#include <asio/ssl/context.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "auth/sasl.hpp"
#include "config/config.hpp"
#include "tls/server_certificates.hpp"

namespace correio::pop3d {

struct Settings {
  std::string myhostname;
  std::string greeting;                    // "+OK " + this: "Correio ready."
  std::chrono::seconds timeout{600};       // pop3d_timeout: idle time
  std::chrono::seconds login_timeout{60};  // pop3d_login_timeout: from connect to login
  bool tls_wrappermode = false;            // pop3d_tls_wrappermode (POP3S, port 995)
  bool allow_cleartext = false;  // auth_allow_cleartext: USER/PASS, PLAIN, LOGIN without TLS
  auth::ConfiguredMechanisms mechanisms;  // auth_mechanisms (USER/PASS needs "plain", as Dovecot)
  bool lock_session = true;               // pop3d_lock_session
  int max_bad_commands = 20;              // pop3d_max_bad_commands
  std::filesystem::path mailbox_base;     // virtual_mailbox_base
  std::string mail_location;              // mail_location template, "" = the default
  bool auth_verbose = false;              // auth_verbose: Dovecot's per-failure auth: line
  std::string passdb_driver;              // "passwd-file", ... (user_directory's type)
  // The server TLS context when TLS is configured; set by pop3d's start-up.
  // null: no TLS. context() per handshake: SNI and renewed certificates apply.
  std::shared_ptr<tls::ServerCertificates> tls;

  static Settings from_config(const config::Config& config);
};

}  // namespace correio::pop3d
