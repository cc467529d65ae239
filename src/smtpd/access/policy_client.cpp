// check_policy_service: Postfix's SMTPD_POLICY_README protocol over inet:host:port or
// unix:/path (unix:private/x is under queue_directory), on connections kept between
// requests (policy_connections.hpp): "name=value" lines and an empty line each way; the
// server's "action=" is an access(5) result. A server that cannot be reached or answered within
// smtpd_policy_service_timeout (smtpd_policy_service_try_limit tries) gives
// smtpd_policy_service_default_action, as Postfix does.
#include <fmt/format.h>

#include <asio/execution/context.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/generic/stream_protocol.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/query.hpp>
#include <asio/read_until.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "base/strings.hpp"
#include "io/deadline.hpp"
#include "smtpd/access/checks.hpp"
#include "smtpd/access/policy_connections.hpp"
#include "smtpd/access/policy_settings.hpp"
#include "smtpd/restrictions.hpp"

namespace correio::smtpd::access {
namespace {

using namespace asio::experimental::awaitable_operators;

constexpr size_t kMaxReply = 64 * 1024;  // a policy answer is a line or two

std::string request_text(const Evaluation& ev, std::string_view context) {
  const Facts& f = ev.facts;
  std::string r;
  auto add = [&](std::string_view name, std::string_view value) {
    // A value cannot carry a line break into the protocol.
    std::string clean(value);
    for (char& c : clean)
      if (c == '\n' || c == '\r') c = ' ';
    r += fmt::format("{}={}\n", name, clean);
  };
  add("request", "smtpd_access_policy");
  add("protocol_state", f.where == "END-OF-MESSAGE" ? "END-OF-MESSAGE" : f.where);
  add("protocol_name", f.protocol);
  add("helo_name", f.helo);
  add("queue_id", f.queue_id);
  add("sender", f.sender);
  add("recipient", f.recipient);
  // Postfix counts recipients only once they are all known (DATA, END-OF-MESSAGE).
  bool counted = f.where == "DATA" || f.where == "BDAT" || f.where == "END-OF-MESSAGE";
  add("recipient_count", std::to_string(counted ? f.recipient_count : 0));
  add("client_address", f.client_address);
  add("client_name", f.client_name);
  add("reverse_client_name", f.reverse_name);
  add("instance", f.instance);
  add("sasl_method", f.sasl_method);
  add("sasl_username", f.sasl_username);
  add("sasl_sender", f.sasl_sender);
  add("size", std::to_string(f.size));
  // smtpd asks no client certificate (Postfix's smtpd_tls_ask_ccert = no): these stay empty.
  add("ccert_subject", "");
  add("ccert_issuer", "");
  add("ccert_fingerprint", "");
  add("ccert_pubkey_fingerprint", "");
  add("encryption_protocol", f.encryption_protocol);
  add("encryption_cipher", f.encryption_cipher);
  add("encryption_keysize", std::to_string(f.encryption_keysize));
  add("etrn_domain", f.etrn_domain);
  add("stress", "");
  add("policy_context", context);
  add("client_port", std::to_string(f.client_port));
  add("server_address", f.server_address);
  add("server_port", std::to_string(f.server_port));
  return r + "\n";
}

// One request and its reply ("name=value" lines, an empty line) on `socket`. A reply
// with bytes after its empty line leaves the connection out of step: `clean` is false.
asio::awaitable<Result<std::string>> exchange(asio::generic::stream_protocol::socket& socket,
                                              const std::string& request, bool& clean) {
  std::error_code ec;
  co_await asio::async_write(socket, asio::buffer(request),
                             asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return Error{"write: " + ec.message()};
  std::string reply;
  auto buffer = asio::dynamic_buffer(reply, kMaxReply);
  size_t length = co_await asio::async_read_until(socket, buffer, "\n\n",
                                                  asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return Error{"read: " + ec.message()};
  clean = length == reply.size();
  co_return reply;
}

asio::awaitable<Result<std::unique_ptr<PolicyConnection>>> connect(const std::string& target) {
  auto executor = co_await asio::this_coro::executor;
  using Generic = asio::generic::stream_protocol;
  std::error_code ec;
  if (target.starts_with("unix:")) {
    const Generic::endpoint endpoint(asio::local::stream_protocol::endpoint(target.substr(5)));
    Generic::socket socket(executor);
    co_await socket.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return Error{"connect: " + ec.message()};
    co_return std::make_unique<PolicyConnection>(std::move(socket));
  }
  std::string_view hostport = std::string_view(target).substr(5);  // "inet:"
  size_t colon = hostport.rfind(':');
  if (colon == std::string_view::npos) co_return Error{"no port"};
  std::string host(hostport.substr(0, colon));
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  const std::string port(hostport.substr(colon + 1));
  asio::ip::tcp::resolver resolver(executor);
  auto endpoints =
      co_await resolver.async_resolve(host, port, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return Error{"resolve: " + ec.message()};
  ec = asio::error::host_not_found;
  for (const auto& entry : endpoints) {
    Generic::socket socket(executor);
    const Generic::endpoint endpoint(entry.endpoint());
    co_await socket.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) co_return std::make_unique<PolicyConnection>(std::move(socket));
  }
  co_return Error{"connect: " + ec.message()};
}

// Asks over a kept connection when there is one, else over a new one, and keeps the
// connection afterwards (policy_connections.hpp). A kept connection that fails is
// replaced by a new one at once, as Postfix's attr_clnt retries a stale stream once;
// only a failure on a new connection counts as a try.
asio::awaitable<Result<std::string>> ask(const std::string& target, const std::string& request,
                                         const PolicyLimits& limits) {
  auto executor = co_await asio::this_coro::executor;
  auto& pool =
      asio::use_service<PolicyConnections>(asio::query(executor, asio::execution::context));
  std::unique_ptr<PolicyConnection> connection = pool.take(target, limits);
  for (bool reused = connection != nullptr;; reused = false) {
    if (!connection) {
      auto opened = co_await connect(target);
      if (!opened) co_return opened.error();
      connection = std::move(*opened);
    }
    bool clean = false;
    Result<std::string> reply = co_await exchange(connection->socket, request, clean);
    if (!reply && reused) {
      connection.reset();
      continue;
    }
    if (reply && clean) pool.give_back(target, std::move(connection), limits);
    co_return reply;
  }
}

// "inet:host:port", "unix:/path", "unix:private/policy" or "host:port".
std::string target_of(std::string_view argument, const std::string& queue_directory) {
  std::string t(argument);
  if (t.starts_with("unix:")) {
    if (!t.starts_with("unix:/")) t = "unix:" + queue_directory + "/" + t.substr(5);
    return t;
  }
  if (!t.starts_with("inet:")) t = "inet:" + t;
  return t;
}

}  // namespace

asio::awaitable<Verdict> check_policy_service(Evaluation& ev, const Restriction& r) {
  const Restrictions::Options& o = ev.engine.options();
  auto service = parse_policy_service(r.argument, o.policy);
  if (!service)
    co_return ev.configuration_error("check_policy_service " + r.argument + ": " +
                                     service.error().message);
  const Restrictions::Options::Policy& policy = service->settings;
  const std::string target = target_of(service->endpoint, o.queue_directory);
  const std::string request = request_text(ev, policy.context);
  const PolicyLimits limits{policy.max_idle, policy.max_ttl, policy.request_limit};
  std::string action;
  for (int attempt = 0; attempt < std::max(1, policy.try_limit) && action.empty(); ++attempt) {
    if (attempt > 0) {
      asio::steady_timer pause(co_await asio::this_coro::executor, policy.retry_delay);
      co_await pause.async_wait(asio::use_awaitable);
    }
    const auto deadline = std::chrono::steady_clock::now() + policy.timeout;
    auto outcome = co_await (ask(target, request, limits) || io::watchdog(deadline));
    if (outcome.index() == 1) {
      ev.engine.log().warning("timeout talking to policy server {}", target);
      continue;
    }
    Result<std::string>& reply = std::get<0>(outcome);
    if (!reply) {
      ev.engine.log().warning("problem talking to policy server {}: {}", target,
                              reply.error().message);
      continue;
    }
    for (const auto& line : base::split_any(*reply, "\n"))
      if (line.starts_with("action=")) {
        action = line.substr(7);
        break;
      }
    if (action.empty()) ev.engine.log().warning("policy server {}: reply without action=", target);
  }
  if (action.empty()) action = policy.default_action;
  // Postfix's check_table_result(): the action speaks of the stage's subject.
  const std::string subject = ev.subject();
  const std::string klass(ev.subject_class());
  co_return co_await apply_access_result(ev, action, subject, klass, "policy server " + target);
}

}  // namespace correio::smtpd::access
