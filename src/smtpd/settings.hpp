// smtpd's view of main.cf (plus its master.cf -o overrides), read once at start-up so the
// session code never parses configuration text.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "auth/sasl.hpp"
#include "config/config.hpp"
#include "smtpd/client_networks.hpp"
#include "tls/server_certificates.hpp"

namespace correio::smtpd {

enum class BareNewline { normalize, reject, allow };
enum class TlsLevel { none, may, encrypt };

struct Settings {
  std::string myhostname;
  std::string banner;  // smtpd_banner, expanded
  // content_filter (main.cf or this service's -o): "transport:destination" recorded in
  // every message this smtpd queues; "" for none (the re-injection service's -o
  // content_filter=). Checked by config_check.cpp.
  std::string content_filter;
  // receive_override_options=no_milters: smtpd_milters are not consulted on this service
  // (set by whoever parses receive_override_options; false here).
  bool no_milters = false;
  long long message_size_limit = 10240000;
  long long recipient_limit = 1000;
  long long line_length_limit = 2048;
  long long header_size_limit = 102400;
  int hopcount_limit = 50;
  std::chrono::seconds timeout{300};
  // smtpd_per_request_deadline: smtpd_timeout bounds a whole command line or message
  // content, not each read; smtpd_min_data_rate (bytes/s) extends the content's deadline.
  bool per_request_deadline = true;
  size_t min_data_rate = 500;
  // smtpd_greet_wait: how long the banner waits while pregreet input is watched for.
  std::chrono::milliseconds greet_wait{0};
  int soft_error_limit = 10;
  int hard_error_limit = 20;
  std::chrono::seconds error_sleep{1};
  int junk_command_limit = 100;  // smtpd_junk_command_limit
  bool helo_required = false;
  bool disable_vrfy = false;
  bool forbid_unauth_pipelining = true;
  BareNewline bare_newline = BareNewline::normalize;
  ClientNetworks bare_newline_exclusions;
  ClientNetworks mynetworks;
  TlsLevel tls_level = TlsLevel::none;  // smtpd_tls_security_level
  bool tls_wrappermode = false;         // smtpd_tls_wrappermode (port 465)
  bool tls_received_header = false;     // smtpd_tls_received_header
  // SMTP AUTH (RFC 4954) and the restriction lists.
  bool reject_unlisted_recipient = true;   // smtpd_reject_unlisted_recipient
  bool sasl_auth_enable = false;           // smtpd_sasl_auth_enable
  bool tls_auth_only = false;              // smtpd_tls_auth_only, or level encrypt
  bool sasl_noplaintext = false;           // smtpd_sasl_security_options contains noplaintext
  bool sasl_tls_noplaintext = false;       // the same from smtpd_sasl_tls_security_options
  bool sasl_authenticated_header = false;  // smtpd_sasl_authenticated_header
  auth::ConfiguredMechanisms mechanisms;   // auth_mechanisms
  // smtpd_sasl_path: the auth service's socket (absolute; a relative value is under
  // queue_directory). smtpd never reads password hashes itself (design.md §1).
  std::filesystem::path sasl_socket;
  // smtpd_client_event_limit_exceptions: clients the failed-login lockout spares, as the
  // other anvil limits spare them (AUTH tells the auth service: no-penalty).
  ClientNetworks auth_penalty_exceptions;
  std::string client_restrictions, helo_restrictions, sender_restrictions, relay_restrictions,
      recipient_restrictions;
  std::string sender_login_maps;
  bool smtputf8_enable = true;  // smtputf8_enable: announce and accept SMTPUTF8
  // smtpd_discard_ehlo_keywords, lower case: not announced, and their parameters and
  // commands are refused as if not implemented (Postfix's ehlo_mask).
  std::set<std::string, std::less<>> discarded_ehlo_keywords;
  bool soft_bounce = false;          // soft_bounce: every 5xx reply is sent as 4xx
  bool client_port_logging = false;  // smtpd_client_port_logging: host[addr]:port
  int tls_loglevel = 0;              // smtpd_tls_loglevel: 1 logs the handshake summary
  // BURL (RFC 4468): imapd_urlauth_host ("" = no BURL) and where users' stores are
  // (virtual_mailbox_base, mail_location), to read the message an URLAUTH URL names.
  std::string urlauth_host;
  std::filesystem::path mailbox_base;
  std::string mail_location;

  // Whether EHLO keyword `keyword` (any case) is announced and usable.
  bool ehlo_keyword(std::string_view keyword) const;
  // The server certificates, when TLS is offered; set by smtpd's start-up, not from_config.
  // Ask it for context() at each handshake: renewed certificates are picked up there.
  std::shared_ptr<tls::ServerCertificates> tls;

  static Settings from_config(const config::Config& config);
};

}  // namespace correio::smtpd
