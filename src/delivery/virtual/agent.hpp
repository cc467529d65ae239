// The virtual delivery agent's work (Postfix's virtual(8)): for each recipient of one
// delivery request, find the mailbox (virtual_mailbox_maps, else Correio's user_directory),
// prepend Return-Path/X-Original-To/Delivered-To and store the message, then log one
// Postfix-style line per recipient.
// The queue file is read once and never modified: qmgr marks recipients done from the
// results. As thread-safe as the MailboxFinder's parts.
#pragma once

#include <vector>

#include "auth/user_directory.hpp"
#include "base/log.hpp"
#include "delivery/mailbox_delivery.hpp"
#include "delivery/mailbox_owner.hpp"
#include "delivery/protocol.hpp"

namespace correio::delivery::virtual_agent {

// MailboxSettings, mailbox_settings_from_config and prefix_headers: mailbox_delivery.hpp;
// MailboxOwners: mailbox_owner.hpp.

// Delivers `request` and returns one result per recipient, in request order:
//   sent      2.0.0 delivered to maildir (or, from virtual_mailbox_maps, to mailbox)
//   bounced   5.1.1 unknown user: "addr";  5.2.2 message file too big
//   deferred  4.3.0 unreadable queue file, user directory or table; 4.2.x/4.3.1 write failures
//   deferred  4.3.0 mail system configuration error (virtual_uid_maps/virtual_gid_maps)
// With owners configured, each mailbox is written as the owner they name (as root the
// agent switches the delivering thread's file-system identity; otherwise only its own uid
// can be used).
std::vector<RecipientResult> deliver(const DeliveryRequest& request,
                                     const MailboxSettings& settings,
                                     const MailboxFinder& mailboxes, base::Logger& log);

}  // namespace correio::delivery::virtual_agent
