// The opportunistic TLS client context (see client_context.hpp).
#include "tls/client_context.hpp"

#include <openssl/ssl.h>

namespace correio::tls {

Result<std::shared_ptr<asio::ssl::context>> make_opportunistic_client_context() {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  SSL_CTX* ctx = context->native_handle();
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
    return Error{"cannot set the minimum TLS version"};
  // "may" and "encrypt" encrypt against passive listeners only; verification belongs to
  // the "verify"/"secure"/"dane" levels (not built yet).
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  return context;
}

}  // namespace correio::tls
