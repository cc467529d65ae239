// SMTP sessions kept open between delivery requests to the same nexthop, so that the next
// message to a busy destination skips the connect, greeting, EHLO, STARTTLS and AUTH
// (Postfix's scache(8), here inside the smtp process). A kept session is closed with QUIT
// after smtp_connection_cache_time_limit unless a request takes it first.
// Not thread-safe: one cache per event loop; taken sessions belong to the taker.
#pragma once

#include <asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
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
};

class ConnectionCache {
 public:
  ConnectionCache(asio::any_io_executor executor, std::chrono::seconds time_limit)
      : executor_(std::move(executor)), time_limit_(time_limit) {}

  // The kept session for `nexthop`, now the caller's; null when there is none.
  std::unique_ptr<CachedSession> take(const std::string& nexthop);
  // Keeps a usable session for the next request to `nexthop`; with a time limit of 0, or
  // a session already kept for it, the session is closed with QUIT instead.
  void put(const std::string& nexthop, std::unique_ptr<CachedSession> session);

 private:
  struct Entry {
    std::unique_ptr<CachedSession> session;
    uint64_t generation = 0;
  };
  asio::any_io_executor executor_;
  std::chrono::seconds time_limit_;
  std::map<std::string, Entry> entries_;
  uint64_t generation_ = 0;
};

}  // namespace correio::delivery::smtp_agent
