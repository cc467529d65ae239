// What mailq / postqueue -p / postqueue -j show: the messages of the queue with their
// pending recipients and deferral reasons, read through the queue library, and the two
// output formats of Postfix's postqueue(1). Formatting is pure (unit-tested).
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "queue/queue.hpp"

namespace correio::cli {

struct ListedRecipient {
  std::string address;
  std::string delay_reason;  // from the defer log; empty if none
};

struct ListedMessage {
  std::string queue_name;  // "deferred", "active", "hold", "incoming"
  std::string id;
  int64_t arrival_us = 0;
  uint64_t message_size = 0;                // content bytes (Postfix: the size record)
  uint64_t file_size = 0;                   // bytes on disk, for the "-- N Kbytes" trailer
  std::string sender;                       // "" for the null sender
  std::vector<ListedRecipient> recipients;  // pending ones only
};

// The queues mailq shows, in the order it shows them.
const std::vector<queue::QueueName>& listed_queues();

// Reads every message of `queues`; files that vanish meanwhile are skipped, unreadable
// ones are reported in `warnings` and skipped.
Result<std::vector<ListedMessage>> collect_queue(const queue::Queue& q,
                                                 const std::vector<queue::QueueName>& queues,
                                                 std::vector<std::string>* warnings);

// Postfix's mailq listing; arrival times in local time (TZ).
std::string format_mailq(const std::vector<ListedMessage>& messages);

// postqueue -j: one JSON object per line per message (Postfix 3.1+).
std::string format_json(const std::vector<ListedMessage>& messages);

// The domain part of an address, lowercased; "" when there is none.
std::string address_domain(const std::string& address);

}  // namespace correio::cli
