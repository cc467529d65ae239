// One LMTP server session (RFC 2033): a straight-line coroutine that runs the shared
// command loop (smtp/command_loop.hpp) over a dispatch table, one member function per
// command family. Mail is
// stored at the end of DATA (or BDAT LAST) for every accepted recipient, and each of them
// gets its own reply. Private to lmtpd; lmtpd_main.cpp creates one per connection.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/thread_pool.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/user_directory.hpp"
#include "base/log.hpp"
#include "io/connection.hpp"
#include "lmtpd/settings.hpp"
#include "smtp/command_loop.hpp"
#include "smtp/reply.hpp"

namespace correio::lmtpd {

// What every session of one lmtpd process shares; owned by the daemon, lives as long as
// the process. `users` is used from the event loop (RCPT) and from `workers` (delivery):
// it must be thread-safe (auth::SynchronizedUserDirectory).
struct Services {
  const Settings& settings;
  base::Logger& log;
  auth::UserDirectory& users;
  asio::thread_pool& workers;  // where Maildir deliveries (fsyncs) run
  uint64_t transactions = 0;   // makes transaction IDs unique within the process
};

class Session {
 public:
  Session(Services& services, io::Connection& connection);

  asio::awaitable<void> run();

  using Next = smtp::Next;

 private:
  using Command = smtp::Command;
  struct Transaction {
    std::string id;  // for the log and the 250 replies
    std::string sender;
    std::vector<std::string> recipients;  // accepted ones, in RCPT order
    std::string content;                  // LF line endings
    bool too_big = false;
    bool chunking = false;  // BDAT seen: DATA is refused (RFC 3030 §2)
    int64_t start_us = 0;
  };

  asio::awaitable<Next> cmd_lhlo(const Command& command);
  asio::awaitable<Next> cmd_mail(const Command& command);
  asio::awaitable<Next> cmd_rcpt(const Command& command);
  asio::awaitable<Next> cmd_data(const Command& command);
  asio::awaitable<Next> cmd_bdat(const Command& command);
  asio::awaitable<Next> cmd_rset(const Command& command);
  asio::awaitable<Next> cmd_noop(const Command& command);
  asio::awaitable<Next> cmd_vrfy(const Command& command);
  asio::awaitable<Next> cmd_quit(const Command& command);
  asio::awaitable<Next> cmd_helo(const Command& command);  // HELO, EHLO: refused

  // Sends a reply through the loop, counting errors against lmtpd_hard_error_limit.
  asio::awaitable<Next> reply(const smtp::Reply& r);
  asio::awaitable<Next> reply(int code, std::string_view enhanced, std::string_view text);
  // Sends replies already in wire form, without counting errors.
  asio::awaitable<Next> send(std::string_view wire);
  // Stores the finished message for every recipient (on the worker pool), logs one line
  // each and sends one reply each (RFC 2033 §4.2).
  asio::awaitable<Next> deliver();
  std::string client_label() const;  // "unknown[127.0.0.1]" or "local"

  Services& services_;
  const Settings& settings_;
  base::Logger& log_;
  io::Connection& conn_;
  smtp::CommandLoop loop_;  // the greeting, reading, dispatch and error limit

  std::string lhlo_name_;
  std::optional<Transaction> transaction_;
};

// The whole session for one accepted connection (TCP or UNIX-domain).
asio::awaitable<void> serve(Services& services, asio::ip::tcp::socket socket);
asio::awaitable<void> serve(Services& services, asio::local::stream_protocol::socket socket);

}  // namespace correio::lmtpd
