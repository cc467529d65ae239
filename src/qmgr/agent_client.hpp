// qmgr's side of the delivery protocol (delivery/protocol.hpp): connects to a delivery
// agent's UNIX socket (queue_directory/private/TRANSPORT), sends one request and reads the
// per-recipient results, within a deadline.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <filesystem>
#include <vector>

#include "base/result.hpp"
#include "delivery/protocol.hpp"

namespace correio::qmgr {

// An error means the agent could not be reached or answered badly: every recipient of
// the request is then deferred ("mail transport unavailable"), as Postfix does.
asio::awaitable<Result<std::vector<delivery::RecipientResult>>> call_agent(
    const std::filesystem::path& socket_path, const delivery::DeliveryRequest& request,
    std::chrono::seconds timeout);

}  // namespace correio::qmgr
