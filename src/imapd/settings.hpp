// imapd's view of main.cf (with the service's -o overrides), read once at start.
#pragma once

#include <asio/ssl/context.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "auth/sasl.hpp"
#include "config/config.hpp"
#include "imapd/command_reader.hpp"
#include "tls/server_certificates.hpp"

namespace correio::imapd {

struct Settings {
  std::string hostname;  // myhostname, for the greeting
  // null: no TLS available. context() per handshake: SNI and renewed certificates apply.
  std::shared_ptr<tls::ServerCertificates> tls;
  bool tls_wrappermode = false;             // imapd_tls_wrappermode (port 993)
  bool allow_cleartext = false;             // auth_allow_cleartext
  auth::ConfiguredMechanisms mechanisms;    // auth_mechanisms (LOGIN needs "plain", as Dovecot)
  bool auth_verbose = false;                // auth_verbose: Dovecot's per-failure auth: line
  std::string passdb_driver;                // "passwd-file", ... (user_directory's type)
  CommandLimits limits;                     // imapd_max_line_length, ..._literal_size_limit
  std::chrono::seconds timeout{1800};       // imapd_timeout (authenticated)
  std::chrono::seconds login_timeout{60};   // imapd_login_timeout
  std::chrono::seconds idle_timeout{1800};  // imapd_idle_timeout
  int worker_threads = 0;                   // imapd_worker_threads; 0: automatic
  std::filesystem::path mailbox_base;       // virtual_mailbox_base
  std::string mail_location;                // mail_location template, "" = the default
  std::string special_use_folders;          // mailbox_special_use_folders
  uint64_t append_limit = 10240000;         // message_size_limit (APPENDLIMIT)
  std::string urlauth_host;                 // imapd_urlauth_host; "": no URLAUTH

  static Settings from_config(const config::Config& config);
};

}  // namespace correio::imapd
