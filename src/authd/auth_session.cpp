// One auth client's session (see auth_session.hpp).
#include "authd/auth_session.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <memory>

#include "auth/auth_master_protocol.hpp"
#include "auth/auth_protocol.hpp"
#include "auth/login_log.hpp"
#include "io/connection.hpp"

namespace correio::authd {
namespace {

namespace protocol = auth::protocol;

// A client between exchanges may keep its connection (Postfix's smtpd keeps one per
// process); one that says nothing for this long is dropped and reconnects when it needs to.
constexpr auto kIdleTimeout = std::chrono::minutes(5);

std::vector<protocol::Mech> greeting_mechanisms(const auth::ConfiguredMechanisms& configured) {
  // Everything auth_mechanisms allows; each client narrows it to what its connection may
  // use and says so in AUTH (secured, correio-noplaintext, ...).
  auth::SaslOffer offer;
  offer.tls_active = true;
  offer.configured = configured;
  offer.bindings.tls_exporter = std::string("x");
  std::vector<protocol::Mech> out;
  for (auto mechanism : auth::offered_mechanisms(offer))
    out.push_back({std::string(auth::sasl_mechanism_name(mechanism)),
                   auth::sasl_mechanism_is_plaintext(mechanism)});
  return out;
}

// The exchange in progress on one connection; one at a time (a new AUTH replaces it).
struct Exchange {
  unsigned long id = 0;
  protocol::AuthStart request;
  std::unique_ptr<auth::SaslExchange> sasl;
};

class Session {
 public:
  Session(AuthState& state, io::Connection& conn, ClientKind kind, unsigned long peer_pid)
      : state_(state), conn_(conn), kind_(kind), peer_pid_(peer_pid) {}

  asio::awaitable<void> run() {
    std::string greeting = protocol::format_server_handshake(greeting_mechanisms(state_.mechanisms),
                                                             static_cast<unsigned long>(::getpid()),
                                                             ++state_.connections, state_.cookie);
    if (!co_await conn_.write(greeting)) co_return;
    while (true) {
      io::LineResult input = co_await conn_.read_line(protocol::kMaxLine);
      if (input.status != io::ReadStatus::ok) co_return;  // closed, silent or too long
      std::string_view line = input.line;
      line.remove_suffix(1);  // the LF
      if (protocol::is_master_request(line)) {
        if (!co_await redeem(line)) co_return;
        continue;
      }
      auto parsed = protocol::parse_client_line(line);
      if (!parsed) {
        state_.log.warning("auth client: {}; disconnecting", parsed.error().message);
        co_return;
      }
      bool keep = co_await handle(*parsed);
      if (!keep) co_return;
    }
  }

 private:
  asio::awaitable<bool> handle(protocol::ClientLine& line) {
    if (auto* version = std::get_if<protocol::Version>(&line)) {
      if (version->major == protocol::kMajorVersion) co_return true;
      state_.log.warning("auth client speaks protocol version {}; disconnecting", version->major);
      co_return false;
    }
    if (std::holds_alternative<protocol::ClientPid>(line)) co_return true;
    if (auto* start = std::get_if<protocol::AuthStart>(&line)) co_return co_await begin(*start);
    auto& answer = std::get<protocol::AuthContinue>(line);
    if (!exchange_ || exchange_->id != answer.id) {
      state_.log.warning("auth client: CONT for unknown request {}; disconnecting", answer.id);
      co_return false;
    }
    auth::SaslStep step = exchange_->sasl->step(answer.response);
    co_return co_await reply(step);
  }

  // REQUEST: only on private/auth, whose clients run as mail_owner; a login process
  // asking to redeem logins (its own or another's) is cut off.
  asio::awaitable<bool> redeem(std::string_view line) {
    if (kind_ != ClientKind::trusted) {
      state_.log.warning("login process pid {} sent REQUEST; disconnecting", peer_pid_);
      co_return false;
    }
    auto request = protocol::parse_master_request(line);
    if (!request) {
      state_.log.warning("auth master client: {}; disconnecting", request.error().message);
      co_return false;
    }
    std::string text;
    if (request->cookie != state_.cookie) {
      // Another auth process's login (a restart in between): it cannot be ours.
      text = protocol::format_master_failure(request->id, "cookie mismatch");
    } else if (auto user = state_.grants.redeem(request->login_pid, request->auth_id,
                                                std::chrono::steady_clock::now())) {
      text = protocol::format_master_user(request->id, *user);
    } else {
      state_.log.warning("master request for login pid {} id {}: no such approved login",
                         request->login_pid, request->auth_id);
      text = protocol::format_master_not_found(request->id);
    }
    co_return co_await conn_.write(text);
  }

  asio::awaitable<bool> begin(protocol::AuthStart& request) {
    exchange_.reset();
    auto& throttle = state_.logins.throttle();
    auto now = std::chrono::steady_clock::now();
    if (!request.no_penalty && throttle.blocked(request.remote_address, now)) {
      protocol::Failure failure;
      failure.id = request.id;
      failure.kind = auth::SaslStep::Failure::credentials;
      failure.locked_out = true;
      failure.failures = throttle.failures(request.remote_address, now);
      failure.reason = "address locked out";
      std::string text = protocol::format_failure(failure);
      co_return co_await conn_.write(text);
    }
    auth::SaslOffer offer;
    offer.tls_active = request.secured;
    offer.allow_plaintext = !request.no_plaintext;
    offer.allow_scram = !request.no_scram;
    offer.configured = state_.mechanisms;
    if (request.secured) offer.bindings = request.bindings;
    auto mechanism = auth::parse_sasl_mechanism(request.mechanism);
    std::unique_ptr<auth::SaslExchange> sasl;
    if (mechanism) sasl = state_.logins.sasl().start(*mechanism, offer);
    if (!sasl) {
      // The client asked for what it must not have offered: its policy and ours differ.
      protocol::Failure failure;
      failure.id = request.id;
      failure.kind = auth::SaslStep::Failure::malformed;
      failure.reason = "Unsupported authentication mechanism";
      std::string text = protocol::format_failure(failure);
      co_return co_await conn_.write(text);
    }
    exchange_ = std::make_unique<Exchange>();
    exchange_->id = request.id;
    exchange_->sasl = std::move(sasl);
    std::optional<std::string_view> initial;
    if (request.initial_response) initial = *request.initial_response;
    exchange_->request = std::move(request);
    auth::SaslStep step = exchange_->sasl->step(initial);
    co_return co_await reply(step);
  }

  asio::awaitable<bool> reply(const auth::SaslStep& step) {
    unsigned long id = exchange_->id;
    const std::string& address = exchange_->request.remote_address;
    if (step.kind == auth::SaslStep::Kind::challenge) {
      std::string text = protocol::format_challenge(id, step.data);
      co_return co_await conn_.write(text);
    }
    if (step.kind == auth::SaslStep::Kind::success) {
      state_.logins.throttle().record_success(address);
      if (kind_ == ClientKind::login)
        state_.grants.grant(peer_pid_, id, exchange_->sasl->username(),
                            std::chrono::steady_clock::now());
      std::string text = protocol::format_success(id, exchange_->sasl->username());
      exchange_.reset();
      co_return co_await conn_.write(text);
    }
    for (const auto& warning : state_.logins.users().take_warnings())
      state_.log.warning("{}", warning);
    protocol::Failure failure;
    failure.id = id;
    failure.kind = step.failure;
    failure.user = exchange_->sasl->attempted_username();
    failure.reason = step.reason;
    if (state_.auth_verbose && !failure.user.empty())
      state_.log.info("{}", auth::passdb_failure_line(state_.passdb_driver, failure.user, address,
                                                      step.reason));
    // A directory that cannot be read is no failed login: no count, no delay.
    if (step.failure != auth::SaslStep::Failure::temporary) {
      auto& throttle = state_.logins.throttle();
      auto delay = exchange_->request.no_penalty
                       ? throttle.record_exempt_failure()
                       : throttle.record_failure(address, std::chrono::steady_clock::now());
      asio::steady_timer timer(co_await asio::this_coro::executor);
      timer.expires_after(delay);
      std::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    exchange_.reset();
    std::string text = protocol::format_failure(failure);
    co_return co_await conn_.write(text);
  }

  AuthState& state_;
  io::Connection& conn_;
  ClientKind kind_;
  unsigned long peer_pid_;  // SO_PEERCRED: what the kernel says, not the client's CPID
  std::unique_ptr<Exchange> exchange_;
};

unsigned long peer_pid(asio::local::stream_protocol::socket& socket) {
  ucred credentials{};
  socklen_t length = sizeof credentials;
  if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &credentials, &length) < 0)
    return 0;
  return static_cast<unsigned long>(credentials.pid);
}

}  // namespace

asio::awaitable<void> serve_auth_client(AuthState& state,
                                        asio::local::stream_protocol::socket socket,
                                        ClientKind kind) {
  unsigned long pid = peer_pid(socket);
  // Without the peer's pid a grant could not be tied to its login process.
  if (kind == ClientKind::login && pid == 0) co_return;
  io::Connection conn(std::move(socket));
  conn.set_timeout(kIdleTimeout);
  Session session(state, conn, kind, pid);
  co_await session.run();
}

}  // namespace correio::authd
