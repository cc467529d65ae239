// One connection to one milter for one SMTP session: connect within connect_timeout,
// SMFIC_OPTNEG, then packets out and replies in, each read bounded by a timeout. The
// dialogue's meaning lives in milters.hpp; this file only moves packets.
// Owned by one session coroutine; not thread-safe. Must be destroyed before its io_context.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/generic/stream_protocol.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "base/result.hpp"
#include "milter/protocol.hpp"
#include "milter/settings.hpp"

namespace correio::milter {

class Connection {
 public:
  // Connects to spec.address and negotiates: we offer protocol spec.protocol, all of
  // Postfix's actions and the step flags that version knows. An error says why (logged by
  // the caller as "milter ADDRESS: ...").
  static asio::awaitable<Result<std::unique_ptr<Connection>>> open(const MilterSpec& spec);

  explicit Connection(asio::generic::stream_protocol::socket socket) : socket_(std::move(socket)) {}

  // What the milter agreed to: its version, the actions it may take, the steps it skips.
  const Negotiation& negotiated() const { return negotiated_; }
  void set_negotiated(Negotiation agreed) { negotiated_ = std::move(agreed); }

  // Sends one packet (a write is bounded by `timeout` too: a milter that stops reading
  // must not hold the session).
  asio::awaitable<Status> send(char command, std::string data, std::chrono::milliseconds timeout);
  // The next reply; SMFIR_PROGRESS restarts the timeout and is not returned.
  asio::awaitable<Result<Packet>> read(std::chrono::milliseconds timeout);
  void close();

 private:
  asio::awaitable<Result<Packet>> read_once();

  asio::generic::stream_protocol::socket socket_;
  PacketReader reader_;
  Negotiation negotiated_;
};

// The step flags we offer at protocol `version` (Postfix's milter8.c masks).
uint32_t offered_steps(uint32_t version);

}  // namespace correio::milter
