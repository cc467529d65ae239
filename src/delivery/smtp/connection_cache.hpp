// SMTP sessions kept open between delivery requests to the same nexthop, so that the next
// message to a busy destination skips the connect, greeting, EHLO, STARTTLS and AUTH
// (Postfix's scache(8), here inside the smtp process). Like scache, the cache keeps several
// sessions per nexthop: with N deliveries in flight to one destination, each finished one
// leaves its session for the next request instead of closing it. A kept session is closed
// with QUIT after smtp_connection_cache_time_limit unless a request takes it first, and is
// not kept again once it has been reused smtp_connection_reuse_count_limit times or was
// opened smtp_connection_reuse_time_limit ago (Postfix 2.11's limits, so that a busy
// destination does not hold one server process forever).
// Not thread-safe: one cache per event loop; taken sessions belong to the taker.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <string>

#include "io/connection.hpp"
#include "smtp/client_session.hpp"

namespace correio::delivery::smtp_agent {

struct CachedSession {
  std::unique_ptr<io::Connection> connection;
  std::unique_ptr<smtp::ClientSession> client;  // uses *connection
  std::string relay;                            // "mx.example[192.0.2.1]:25", for the log
  std::string host;                             // "mx.example", for Remote-MTA
  // When the connection was made, and how many requests took it from the cache since.
  std::chrono::steady_clock::time_point opened = std::chrono::steady_clock::now();
  size_t reuses = 0;
};

// smtp_connection_reuse_count_limit (0: no limit) and smtp_connection_reuse_time_limit.
struct ReuseLimits {
  size_t count = 0;
  std::chrono::seconds time{300};
};

class ConnectionCache {
 public:
  // `per_nexthop` bounds the sessions kept for one nexthop (the agent passes the
  // destination concurrency limit: more could never be in use at once).
  ConnectionCache(asio::any_io_executor executor, std::chrono::seconds time_limit,
                  size_t per_nexthop = 1, ReuseLimits reuse = {})
      : executor_(std::move(executor)),
        time_limit_(time_limit),
        per_nexthop_(per_nexthop),
        reuse_(reuse) {}

  // A kept session for `nexthop` (the one kept last: the least likely to have timed out
  // at the server), now the caller's; null when there is none.
  std::unique_ptr<CachedSession> take(const std::string& nexthop);
  // Keeps a usable session for the next request to `nexthop`; with a time limit of 0,
  // `per_nexthop` sessions already kept for it, or the session past a reuse limit, the
  // session is closed with QUIT instead.
  void put(const std::string& nexthop, std::unique_ptr<CachedSession> session);

  // Sessions kept for `nexthop` now (for tests).
  size_t kept(const std::string& nexthop) const;

 private:
  struct Entry {
    std::unique_ptr<CachedSession> session;
    std::chrono::steady_clock::time_point expires;
  };
  // One coroutine, running while anything is kept, closes sessions as their time passes:
  // no timer per kept session.
  asio::awaitable<void> expire();

  asio::any_io_executor executor_;
  std::chrono::seconds time_limit_;
  size_t per_nexthop_;
  ReuseLimits reuse_;
  std::map<std::string, std::deque<Entry>> entries_;  // per nexthop, oldest first
  bool expiring_ = false;                             // expire() is running
};

}  // namespace correio::delivery::smtp_agent
