// The agent side of the qmgr <-> delivery agent protocol (delivery/protocol.hpp): reading
// requests from qmgr's connection within a deadline and answering them. Shared by every
// delivery agent.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/local/stream_protocol.hpp>
#include <chrono>
#include <functional>
#include <vector>

#include "base/log.hpp"
#include "base/result.hpp"
#include "delivery/protocol.hpp"

namespace correio::delivery {

// Reads up to the empty line that ends a request (at most kMaxMessageSize bytes, within
// `timeout`) and decodes it. Problems are logged on `log` and returned as an error; the
// caller then closes the connection without an answer and qmgr defers. A connection that
// closes or stays silent before a request begins is an error too, but not logged: that
// is how a kept connection ends.
asio::awaitable<Result<DeliveryRequest>> read_request(asio::local::stream_protocol::socket& socket,
                                                      std::chrono::steady_clock::duration timeout,
                                                      base::Logger& log);

// Serves one qmgr connection, a request at a time until qmgr closes it (qmgr keeps it
// between messages): read a request, `deliver` it (here, on the caller's thread), write
// the results and an empty line. A bad request or a failed write ends the connection.
asio::awaitable<void> serve_requests(
    asio::local::stream_protocol::socket& socket, std::chrono::steady_clock::duration timeout,
    base::Logger& log,
    const std::function<std::vector<RecipientResult>(const DeliveryRequest&)>& deliver);

// As serve_requests, for agents whose deliveries wait on the network (smtp): `deliver`
// is a coroutine on the caller's executor, and other connections go on meanwhile.
asio::awaitable<void> serve_requests_async(
    asio::local::stream_protocol::socket& socket, std::chrono::steady_clock::duration timeout,
    base::Logger& log,
    const std::function<asio::awaitable<std::vector<RecipientResult>>(const DeliveryRequest&)>&
        deliver);

}  // namespace correio::delivery
