// Getting a session going: STARTTLS (RFC 9051 §6.2.1), COMPRESS=DEFLATE (RFC 4978), LOGIN
// and AUTHENTICATE (RFC 9051 §6.2.2–6.2.3, SASL-IR), with the login throttle and Dovecot's
// log lines for fail2ban.
#include <fmt/format.h>

#include <asio/co_spawn.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "auth/login_log.hpp"
#include "base/base64.hpp"
#include "imapd/response.hpp"
#include "imapd/session.hpp"
#include "store/maildir_quota.hpp"
#include "store/mailbox_path.hpp"

namespace correio::imapd {

asio::awaitable<void> Session::cmd_starttls(const Command& c, Parser& p) {
  if (!p.at_end()) {
    bad(c, "STARTTLS takes no arguments.");
    co_return;
  }
  if (state_ != State::not_authenticated) {
    bad(c, "STARTTLS only before login.");
    co_return;
  }
  if (conn_.tls_active()) {
    bad(c, "TLS is already active.");
    co_return;
  }
  if (!settings_.tls) {
    no(c, "TLS is not available.");
    co_return;
  }
  ok(c, "Begin TLS negotiation now.");
  bool sent = co_await flush();
  if (!sent) {
    state_ = State::logout;
    co_return;
  }
  std::string error;
  auto context = settings_.tls->context();
  bool up = co_await conn_.start_tls(*context, error);
  if (!up) {
    shared_.log.info("TLS handshake failed: {}, {}", error, client_label());
    state_ = State::logout;
  } else if (shared_.metrics) {
    shared_.metrics->tls_handshake(conn_.tls_protocol());
  }
}

asio::awaitable<void> Session::cmd_compress(const Command& c, Parser& p) {
  auto mechanism = p.atom();
  if (!mechanism || !p.at_end()) {
    bad(c, "Error in IMAP command COMPRESS: Invalid arguments.");
    co_return;
  }
  if (!iequals(*mechanism, "DEFLATE")) {
    no(c, "Unknown compression mechanism.");
    co_return;
  }
  if (conn_.compression_active()) {
    no(c, "[COMPRESSIONACTIVE] Compression is already active.");
    co_return;
  }
  if (conn_.has_buffered_input()) {
    // The client pipelined after COMPRESS: those bytes were meant to be compressed.
    bad(c, "Pipelining after COMPRESS is not allowed.");
    co_return;
  }
  ok(c, "DEFLATE active");
  bool sent = co_await flush();
  if (!sent || !conn_.start_compression()) state_ = State::logout;
}

Session::OpenUser Session::open_user(const std::string& username) {
  auto found = shared_.logins.users().lookup(username);
  if (!found) {
    shared_.log.warning("user {}: user directory lookup failed: {}", username,
                        found.error().message);
    return OpenUser::unavailable;
  }
  if (!*found) return OpenUser::unknown;
  const auth::UserRecord* record = &**found;
  auto path = store::virtual_maildir_path(settings_.mailbox_base, record->user, record->home,
                                          settings_.mail_location);
  if (!path) {
    shared_.log.warning("user {}: {}", record->user, path.error().message);
    return OpenUser::unavailable;
  }
  mailbox::MailUserOptions options;
  options.special_use_folders = settings_.special_use_folders;
  options.work_pool = shared_.content_pool;
  options.log = &shared_.log;
  auto user = mailbox::MailUser::open(*path, options);
  if (!user) {
    shared_.log.warning("user {}: cannot open the mail store: {}", record->user,
                        user.error().message);
    return OpenUser::unavailable;
  }
  user_.emplace(std::move(*user));
  if (auto rule = record->extra("userdb_quota_rule")) quota_bytes_ = parse_quota_rule(*rule);
  username_ = record->user;
  state_ = State::authenticated;
  return OpenUser::ok;
}

bool Session::login_unavailable(const Command& c, OpenUser opened) {
  if (opened != OpenUser::unavailable) return false;
  // Resource exhaustion is never a wrong password: RFC 5530 §3 UNAVAILABLE, not counted
  // by the login throttle (the user would otherwise get the brute-force delay).
  no(c, "[UNAVAILABLE] Temporary failure: cannot open the mail store; try again later.");
  return true;
}

asio::awaitable<void> Session::login_failed(const Command& c, const std::string& user,
                                            std::string_view mechanism, std::string_view reason) {
  auto delay = shared_.logins.throttle().record_failure(conn_.remote_address(),
                                                        std::chrono::steady_clock::now());
  shared_.log.info("Login failed: user=<{}>, method={}, {}: {}", user, mechanism, client_label(),
                   reason);
  ++failed_logins_;
  tried_user_ = user;
  tried_method_ = std::string(mechanism);
  if (settings_.auth_verbose)
    shared_.log.info("{}", auth::passdb_failure_line(settings_.passdb_driver, user,
                                                     conn_.remote_address(), reason));
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(delay);
  std::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  no(c, "[AUTHENTICATIONFAILED] Authentication failed.");
}

asio::awaitable<void> Session::cmd_login(const Command& c, Parser& p) {
  if (state_ != State::not_authenticated) {
    bad(c, "Already logged in.");
    co_return;
  }
  auto user = p.astring();
  bool have_space = user.has_value() && p.space();
  auto password = have_space ? p.astring() : std::nullopt;
  if (!password || !p.at_end()) {
    bad(c,
        "Error in IMAP command LOGIN: " + (p.error().empty() ? "Invalid arguments." : p.error()));
    co_return;
  }
  if (!cleartext_allowed()) {
    no(c,
       "[PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) "
       "connections.");
    co_return;
  }
  auto now = std::chrono::steady_clock::now();
  if (shared_.logins.throttle().blocked(conn_.remote_address(), now)) {
    shared_.log.warning("{}", shared_.logins.throttle().refusal_log(*user, conn_.remote_address(),
                                                                    conn_.remote_address(), now));
    no(c, "[UNAVAILABLE] Too many failed logins; try again later.");
    co_return;
  }
  auto verdict = shared_.logins.sasl().check_password(*user, *password);
  if (verdict.failure == auth::SaslStep::Failure::temporary) {
    no(c, "[UNAVAILABLE] Temporary authentication failure.");
    co_return;
  }
  OpenUser opened = verdict.ok() ? open_user(verdict.username) : OpenUser::unknown;
  if (login_unavailable(c, opened)) co_return;
  if (opened != OpenUser::ok) {
    // Not inside the co_await expression: GCC 12 miscompiles ?: there.
    std::string reason = verdict.ok() ? std::string("unknown user") : verdict.reason;
    co_await login_failed(c, *user, "PLAIN", reason);
    co_return;
  }
  shared_.logins.throttle().record_success(conn_.remote_address());
  shared_.log.info("Login: user=<{}>, method=PLAIN, {}, {}", username_, client_label(),
                   conn_.tls_active() ? "TLS" : "secured");
  ok(c, "[CAPABILITY " + capabilities() + "] Logged in");
}

asio::awaitable<void> Session::cmd_authenticate(const Command& c, Parser& p) {
  if (state_ != State::not_authenticated) {
    bad(c, "Already logged in.");
    co_return;
  }
  auto mech_name = p.atom();
  if (!mech_name) {
    bad(c, "Missing SASL mechanism.");
    co_return;
  }
  std::optional<std::string> initial;
  if (!p.at_end()) {
    if (!p.space()) {
      bad(c, "Invalid arguments.");
      co_return;
    }
    auto ir = p.atom();
    if (!ir || !p.at_end()) {
      bad(c, "Invalid initial response.");
      co_return;
    }
    if (*ir == "=") {
      initial = std::string();
    } else {
      initial = base::base64_decode(*ir);
      if (!initial) {
        bad(c, "Invalid base64 data in initial response.");
        co_return;
      }
    }
  }
  auto mechanism = auth::parse_sasl_mechanism(*mech_name);
  std::unique_ptr<auth::SaslExchange> exchange;
  if (mechanism) exchange = shared_.logins.sasl().start(*mechanism, sasl_offer());
  if (!exchange) {
    if (mechanism && auth::sasl_mechanism_is_plaintext(*mechanism) && !cleartext_allowed()) {
      no(c,
         "[PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) "
         "connections.");
    } else {
      no(c, "Unsupported authentication mechanism.");
    }
    co_return;
  }
  auto now = std::chrono::steady_clock::now();
  if (shared_.logins.throttle().blocked(conn_.remote_address(), now)) {
    shared_.log.warning("{}", shared_.logins.throttle().refusal_log("", conn_.remote_address(),
                                                                    conn_.remote_address(), now));
    no(c, "[UNAVAILABLE] Too many failed logins; try again later.");
    co_return;
  }
  std::optional<std::string_view> response;
  if (initial) response = *initial;
  auth::SaslStep step = exchange->step(response);
  while (step.kind == auth::SaslStep::Kind::challenge) {
    out_ += "+ " + base::base64_encode(step.data) + "\r\n";
    bool sent = co_await flush();
    if (!sent) {
      state_ = State::logout;
      co_return;
    }
    // Each response line has the command's deadline, and before login the login deadline
    // (counted from connect): trickling a SASL response must not hold the session.
    auto deadline = std::chrono::steady_clock::now() + settings_.timeout;
    if (state_ == State::not_authenticated)
      deadline = std::min(deadline, started_ + settings_.login_timeout);
    std::optional<io::RequestScope> scope(std::in_place, conn_, deadline);
    io::LineResult line = co_await conn_.read_line(settings_.limits.max_line_length);
    scope.reset();
    if (line.status != io::ReadStatus::ok) {
      state_ = State::logout;
      co_return;
    }
    std::string_view text = line.line;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    if (text == "*") {
      bad(c, "Authentication aborted by client.");
      co_return;
    }
    auto decoded = base::base64_decode(text);
    if (!decoded) {
      bad(c, "Invalid base64 data in continued response.");
      co_return;
    }
    step = exchange->step(*decoded);
  }
  std::string mech(auth::sasl_mechanism_name(exchange->mechanism()));
  if (step.kind == auth::SaslStep::Kind::failure) {
    if (step.failure == auth::SaslStep::Failure::temporary) {
      no(c, "[UNAVAILABLE] Temporary authentication failure.");
    } else if (step.failure == auth::SaslStep::Failure::malformed) {
      bad(c, "Invalid SASL response.");
    } else {
      co_await login_failed(c, exchange->attempted_username(), mech, step.reason);
    }
    co_return;
  }
  OpenUser opened = open_user(exchange->username());
  if (login_unavailable(c, opened)) co_return;
  if (opened != OpenUser::ok) {
    co_await login_failed(c, exchange->username(), mech, "unknown user");
    co_return;
  }
  shared_.logins.throttle().record_success(conn_.remote_address());
  shared_.log.info("Login: user=<{}>, method={}, {}, {}", username_, mech, client_label(),
                   conn_.tls_active() ? "TLS" : "secured");
  ok(c, "[CAPABILITY " + capabilities() + "] Logged in");
}

uint64_t parse_quota_rule(std::string_view rule) {
  // The same reading as the delivery agents' enforcement (store/maildir_quota.hpp).
  store::QuotaLimits limits;
  store::apply_quota_rule(rule, limits);
  return limits.storage_bytes;
}

asio::awaitable<void> serve(Shared& shared, asio::ip::tcp::socket socket) {
  io::Connection connection(std::move(socket));
  Session session(shared, connection);
  co_await session.run();
}

}  // namespace correio::imapd
