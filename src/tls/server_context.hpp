// The server side of Correio's one TLS layer (OpenSSL through asio::ssl): a context per
// certificate/key pair with TLS 1.2 and 1.3 only and modern ciphers, shared by every
// protocol daemon. Immutable after creation; used from the daemon's one thread.
#pragma once

#include <asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "base/result.hpp"

namespace correio::tls {

struct ServerOptions {
  std::string cert_file;  // PEM: certificate, then the chain
  std::string key_file;   // PEM: private key (may be the same file as cert_file)
};

// Errors name the file and OpenSSL's reason: "cannot load /etc/x.pem: no such file".
Result<std::shared_ptr<asio::ssl::context>> make_server_context(const ServerOptions& options);

// "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)", as Postfix logs it.
std::string describe_session(SSL* ssl);

}  // namespace correio::tls
