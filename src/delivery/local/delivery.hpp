// Carrying out one expanded destination (Postfix's local/mailbox.c, file.c, command.c):
// the user's mailbox (mbox or Maildir), a /file (mbox format) or a |command. As root each
// runs in a forked child that has become the destination's user first; otherwise in this
// process (commands always in a child). Private to src/delivery/local; not thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "delivery/local/expand.hpp"
#include "delivery/mail_copy.hpp"

namespace correio::delivery::local_agent {

// The message and envelope facts every copy needs; borrowed for the call.
struct MessageCopy {
  std::string_view sender;    // "" = null sender
  std::string_view content;   // the queue file's message bytes
  std::string_view original;  // the recipient as first given (X-Original-To)
};

struct Outcome {
  DeliveryStatus status = DeliveryStatus::deferred;
  std::string dsn, text;
};

// setgid/initgroups/setuid (irreversible); false on failure.
bool become(const SystemUser& user);

// A |command: /bin/sh -c COMMAND in a child (as the destination's user, or default_privs,
// when root) with the message on stdin and Postfix's environment (command.cpp).
Outcome deliver_to_command(const Destination& destination, const MessageCopy& message,
                           const AgentSettings& settings);

Outcome deliver_destination(const Destination& destination, const MessageCopy& message,
                            const AgentSettings& settings);

}  // namespace correio::delivery::local_agent
