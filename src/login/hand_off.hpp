// The two ends of a hand-off as the protocol sessions use them: a login session passes
// its logged-in client on (and, with TLS, stays as its proxy), a post-login daemon takes
// one in after the auth service confirmed the login (docs/prelogin.md).
#pragma once

#include <asio/awaitable.hpp>
#include <asio/local/stream_protocol.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/log.hpp"
#include "base/result.hpp"
#include "io/connection.hpp"
#include "login/handoff.hpp"

namespace correio::login {

// The login side. `handoff` names the login (auth id, cookie, user, method, tag); the
// addresses, TLS and the pipelined input are taken from `client` here. Without TLS the
// client's descriptor is passed and the call returns at once; with TLS a socketpair end
// is passed and the call proxies until the session ends. An error: the post-login side
// did not take the client, which is still the caller's, input included. `taken` is called
// once the post-login side has the client (before the proxy runs): the login log line.
asio::awaitable<Status> hand_off(io::Connection& client, const std::filesystem::path& socket,
                                 Handoff handoff, const std::function<void()>& taken);

// The post-login side: the client, the user the auth service confirmed, and the rest
// of the hand-off (the IMAP tag to answer, the method and TLS for the log).
struct Accepted {
  std::unique_ptr<io::Connection> connection;
  std::string user;
  Handoff handoff;
};
// Receives one hand-off on `socket` (a connection to login/imapd-NAME), asks the auth
// service at `auth_socket` (private/auth) whether the sending process really logged that
// user in, answers the login process, and returns the client; nullopt when refused (the
// reason is logged as a warning, the descriptor closed, the client left to its login
// process).
asio::awaitable<std::optional<Accepted>> accept_hand_off(
    asio::local::stream_protocol::socket socket, const std::filesystem::path& auth_socket,
    base::Logger& log);

}  // namespace correio::login
