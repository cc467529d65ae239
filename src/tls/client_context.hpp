// The client side of Correio's TLS layer: the context the SMTP client uses for STARTTLS
// at Postfix's opportunistic levels ("may", "encrypt"), which encrypt without verifying
// the server's certificate (RFC 7435: opportunistic security). Immutable once made;
// shared by every connection of a process.
#pragma once

#include <asio/ssl/context.hpp>
#include <memory>

#include "base/result.hpp"

namespace correio::tls {

// TLS 1.2 or later (RFC 8996 retires 1.0 and 1.1), no certificate verification.
Result<std::shared_ptr<asio::ssl::context>> make_opportunistic_client_context();

}  // namespace correio::tls
