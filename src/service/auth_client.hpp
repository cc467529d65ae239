// The client side of the auth service (src/authd, protocol auth/auth_protocol.hpp), for the
// daemons that log users in without reading password hashes themselves (smtpd AUTH today).
// One AuthClient is one connection, used for one exchange at a time by one session
// coroutine; it borrows nothing. Every read and write has the timeout given at connect.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "auth/auth_protocol.hpp"
#include "base/result.hpp"
#include "io/connection.hpp"

namespace correio::service {

class AuthClient {
 public:
  static constexpr std::chrono::seconds kGreetingTimeout{10};
  using Reply =
      std::variant<auth::protocol::Challenge, auth::protocol::Success, auth::protocol::Failure>;

  // Connects to the auth service's socket and reads its greeting, which must come within
  // kGreetingTimeout: the master holds the socket while the service is down (a passdb it
  // cannot open, a restart backing off), so a connect alone proves nothing. An error names
  // the socket ("private/auth: connect: No such file or directory"): the caller answers
  // with a temporary failure (SMTP 454 4.7.0). `timeout` bounds every later read and
  // write, and must exceed auth_failure_max_delay, which the service waits out.
  static asio::awaitable<Result<std::unique_ptr<AuthClient>>> connect(
      const asio::any_io_executor& executor, const std::filesystem::path& socket,
      std::chrono::steady_clock::duration timeout);

  // Arguments are references: callers pass named objects that outlive the co_await (no
  // temporaries in a co_await expression, for g++ 12).
  // Starts an exchange and returns the service's first answer. The id is request.id, or
  // when that is 0 the next of this connection's own numbers: a login process numbers its
  // requests across connections, since (its pid, the id) names a login for REQUEST.
  asio::awaitable<Result<Reply>> start(const auth::protocol::AuthStart& request);
  // The client's answer to the last Challenge.
  asio::awaitable<Result<Reply>> respond(std::string_view response);
  // The id of the last exchange started.
  unsigned long request_id() const { return id_; }
  // The auth process's COOKIE from its greeting ("" if it sent none).
  const std::string& cookie() const { return cookie_; }

  // For the post-login side (over private/auth only): the user the auth service approved
  // for login process `login_pid`'s request `auth_id` under `cookie`, used up by this
  // question; nullopt when it approved no such login (forged, replayed, expired).
  asio::awaitable<Result<std::optional<std::string>>> request_login(unsigned long login_pid,
                                                                    unsigned long auth_id,
                                                                    std::string cookie);

  // Use connect(); public for make_unique.
  AuthClient(asio::local::stream_protocol::socket socket, std::string name);

 private:
  asio::awaitable<Result<Reply>> read_reply();

  io::Connection conn_;
  std::string name_;  // the socket, for errors
  unsigned long id_ = 0;
  std::string cookie_;
};

// smtpd_sasl_path made absolute: a relative path is under queue_directory (Postfix:
// "private/auth" names queue_directory/private/auth).
std::filesystem::path auth_socket_path(std::string_view queue_directory, std::string_view path);

}  // namespace correio::service
