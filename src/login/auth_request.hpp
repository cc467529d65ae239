// The connection's part of a login process's AUTH request to the auth service (the same
// for imap-login and pop3-login): the request id, the client's and our addresses, TLS,
// whether the client is exempt from the failed-login throttle, and the mechanisms the
// connection's policy (`offer`) allows, with SCRAM-PLUS channel bindings.
#pragma once

#include <string_view>

#include "auth/auth_protocol.hpp"
#include "auth/sasl.hpp"
#include "io/connection.hpp"

namespace correio::login {

void fill_auth_request(auth::protocol::AuthStart& request, unsigned long id,
                       std::string_view service, io::Connection& conn, bool no_penalty,
                       const auth::SaslOffer& offer);

}  // namespace correio::login
