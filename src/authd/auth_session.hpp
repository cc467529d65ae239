// One client of the auth service (smtpd, imap-login, pop3-login, and imapd and pop3d
// redeeming a hand-off): the greeting, then AUTH/CONT requests answered one exchange at a
// time with CONT, OK or FAIL (auth/auth_protocol.hpp), and REQUEST answered with USER or
// NOTFOUND (auth/auth_master_protocol.hpp). Failed logins are counted here, for every protocol at
// once, and a failure reply waits out the throttle's delay (Dovecot's auth_failure_delay is applied
// by its auth process too); a locked-out address is refused before any password is looked at.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/local/stream_protocol.hpp>
#include <string>

#include "auth/sasl.hpp"
#include "authd/login_grants.hpp"
#include "base/log.hpp"
#include "service/login_services.hpp"

namespace correio::authd {

// What every session borrows from the auth process (authd_main.cpp owns it); used from its
// one event-loop thread.
struct AuthState {
  service::LoginServices& logins;  // the users, SASL and the failed-login throttle
  base::Logger& log;
  auth::ConfiguredMechanisms mechanisms;  // auth_mechanisms
  bool auth_verbose = false;              // Dovecot's passdb failure lines
  std::string passdb_driver;              // "passwd-file", for those lines
  std::string cookie;                     // COOKIE in the greeting (hex)
  unsigned long connections = 0;          // CUID of the next client
  LoginGrants grants;                     // logins approved for login processes
};

// Where a client connected, which decides what it may ask.
enum class ClientKind {
  // private/auth: mail_owner's daemons. AUTH (smtpd) and REQUEST (imapd and pop3d after
  // a hand-off, auth/auth_master_protocol.hpp).
  trusted,
  // login/auth: the login processes (login_user). AUTH only; each success is recorded as
  // a grant for the login's pid (SO_PEERCRED) and request id, for one REQUEST.
  login,
};

// Serves one client until it closes, sends a line the protocol does not allow, or stays
// silent for five minutes.
asio::awaitable<void> serve_auth_client(AuthState& state,
                                        asio::local::stream_protocol::socket socket,
                                        ClientKind kind);

}  // namespace correio::authd
