// Passing a logged-in client from a login process to its post-login daemon: one UNIX
// connection per hand-off to queue_directory/login/imapd-NAME (pop3d-NAME), the hand-off
// line (login/handoff.hpp) with the client's descriptor attached (SCM_RIGHTS), and a
// one-line answer. Each function is used by one session coroutine at a time.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/local/stream_protocol.hpp>
#include <chrono>
#include <filesystem>
#include <string_view>

#include "base/file.hpp"
#include "base/result.hpp"
#include "login/handoff.hpp"

namespace correio::login {

// How long either side waits for the other: the post-login side asks the auth service
// in between, which answers at once (no password check).
constexpr std::chrono::seconds kHandoffTimeout{30};

// The login side: sends `handoff` with descriptor `fd` (which stays ours: the kernel
// passes a copy) and waits for the answer. Success: the post-login side has taken the
// client; the caller must no longer read from or write to `fd` (TLS: only the proxy
// does). An error says why ("FAIL no such approved login", a connect error): the client
// is still the caller's.
asio::awaitable<Status> send_handoff(const asio::any_io_executor& executor,
                                     const std::filesystem::path& socket, const Handoff& handoff,
                                     int fd);

// The post-login side: what came in on one accepted connection.
struct ReceivedHandoff {
  Handoff handoff;
  base::Fd client;               // the client's descriptor (TCP, or the login's TLS proxy)
  unsigned long sender_pid = 0;  // the login process, as the kernel reports it
};
// Reads the hand-off line and its descriptor; an error for anything else (no descriptor,
// more than one, a line too long or malformed, silence past kHandoffTimeout).
asio::awaitable<Result<ReceivedHandoff>> receive_handoff(
    asio::local::stream_protocol::socket& socket);
// Answers "OK" (empty `failure`) or "FAIL failure".
asio::awaitable<void> answer_handoff(asio::local::stream_protocol::socket& socket,
                                     std::string_view failure);

}  // namespace correio::login
