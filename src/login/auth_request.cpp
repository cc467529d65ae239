// See auth_request.hpp.
#include "login/auth_request.hpp"

namespace correio::login {

void fill_auth_request(auth::protocol::AuthStart& request, unsigned long id,
                       std::string_view service, io::Connection& conn, bool no_penalty,
                       const auth::SaslOffer& offer) {
  request.id = id;
  request.service = std::string(service);
  request.remote_address = conn.remote_address();
  request.local_address = conn.local_address();
  request.secured = conn.tls_active();
  request.no_penalty = no_penalty;
  request.no_plaintext = !offer.allow_plaintext;
  request.no_scram = !offer.allow_scram;
  request.bindings = offer.bindings;
}

}  // namespace correio::login
