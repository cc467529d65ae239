// Connections to policy servers kept between requests and sessions, as Postfix's smtpd
// keeps its policy client connection (attr_clnt/auto_clnt): closed after
// smtpd_policy_service_max_idle without a request, after smtpd_policy_service_max_ttl
// since it was opened, or after smtpd_policy_service_request_limit requests.
//
// An Asio service of smtpd's io_context (like dns/shared_lookup.hpp), so its sockets and
// timer are released in shutdown(), before the reactor they use. Used from the
// io_context's one thread only; not thread-safe.
#pragma once

#include <asio/execution_context.hpp>
#include <asio/generic/stream_protocol.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace correio::smtpd::access {

struct PolicyLimits {
  std::chrono::milliseconds max_idle{300000};  // smtpd_policy_service_max_idle
  std::chrono::milliseconds max_ttl{1000000};  // smtpd_policy_service_max_ttl
  int request_limit = 0;                       // smtpd_policy_service_request_limit; 0: none
};

// One open connection; owned by whoever uses it, or by the pool while idle.
struct PolicyConnection {
  explicit PolicyConnection(asio::generic::stream_protocol::socket s) : socket(std::move(s)) {}
  asio::generic::stream_protocol::socket socket;
  std::chrono::steady_clock::time_point opened = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point idle_since{};
  int requests = 0;  // requests answered on it
};

class PolicyConnections : public asio::execution_context::service {
 public:
  static asio::execution_context::id id;  // Asio's service tag; holds no state

  explicit PolicyConnections(asio::execution_context& context);

  // An idle connection to `target` that the server has not closed and that is within
  // `limits`; nullptr when there is none (the caller connects).
  std::unique_ptr<PolicyConnection> take(const std::string& target, const PolicyLimits& limits);

  // Keeps `connection` after a complete exchange, unless it reached max_ttl or the
  // request limit (then it is closed now). An idle connection closes after max_idle.
  void give_back(const std::string& target, std::unique_ptr<PolicyConnection> connection,
                 const PolicyLimits& limits);

  // Idle connections to `target` (for tests and logs).
  size_t idle_count(const std::string& target) const;

 private:
  void shutdown() override;
  // When an idle connection is closed: max_idle after its last request, or max_ttl
  // after it was opened, whichever comes first.
  std::chrono::steady_clock::time_point deadline(const PolicyConnection& c) const;
  void sweep();        // closes the idle connections past their deadline
  void arm_sweeper();  // wakes sweep() at the earliest deadline

  std::map<std::string, std::vector<std::unique_ptr<PolicyConnection>>> idle_;
  PolicyLimits limits_;  // of the last give_back (one smtpd: one set of values)
  std::optional<asio::steady_timer> sweeper_;
  bool sweeper_armed_ = false;
};

}  // namespace correio::smtpd::access
