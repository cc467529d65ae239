// The login process's TLS proxy (Dovecot's login proxying of SSL connections): after a
// TLS client logged in, the login process keeps the TLS session and copies plaintext
// between it and one end of a socketpair whose other end the post-login daemon got.
// kTLS (handing the session keys to the kernel and the descriptor to the post-login side)
// would spare the copy; this machine's kernel has no tls module (docs/prelogin.md).
#pragma once

#include <asio/awaitable.hpp>
#include <asio/local/stream_protocol.hpp>

#include "io/connection.hpp"

namespace correio::login {

// Copies both ways until the post-login side closes or either side fails; the client's
// end of input is passed on as a half-close, so that answers to commands it pipelined
// before closing still reach it. Writes to the client have `client`'s timeout. No
// close_notify (a TLS shutdown would read the client while the other direction reads
// too). `client` must have TLS active.
asio::awaitable<void> proxy_tls(io::Connection& client, asio::local::stream_protocol::socket inner);

}  // namespace correio::login
