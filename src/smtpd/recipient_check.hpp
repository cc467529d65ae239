// Rejecting unknown recipients at RCPT time (Postfix's smtpd_reject_unlisted_recipient):
// an address the resolver routes to the error transport is undeliverable (a virtual
// alias domain without the alias, a transport_maps "error:" entry); users of
// virtual_mailbox_domains must exist in user_directory, users of mydestination
// must be system accounts (local_recipient_maps' passwd part) or aliases in alias_maps.
// postmaster@ and abuse@ every local and
// virtual domain are always accepted (RFC 5321 §4.5.1, RFC 2142): qmgr's resolver sends
// them to the local aliases when the domain has no mailbox of that name.
// Owned by the smtpd process; not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/user_directory.hpp"
#include "base/log.hpp"
#include "maps/map.hpp"
#include "resolve/recipient_tables.hpp"
#include "resolve/resolver.hpp"
#include "smtp/reply.hpp"

namespace correio::smtpd {

class RecipientCheck {
 public:
  struct Options {
    resolve::Resolver* resolver = nullptr;   // the address classes; not owned, outlives this
    std::string user_directory;              // "passwd-file:/path" or ""
    std::string default_realm;               // auth_default_realm
    std::string recipient_delimiter;         // "+" splits user+ext
    resolve::RecipientTableSettings tables;  // the three *_recipient/mailbox_maps
    int local_reject_code = 550;             // unknown_local_recipient_reject_code
    int virtual_reject_code = 550;           // unknown_virtual_mailbox_reject_code
    int relay_reject_code = 550;             // unknown_relay_recipient_reject_code
    // receive_override_options = no_unknown_recipient_checks: check() accepts every
    // address (Postfix's check_rcpt_maps() returns at once).
    bool skip = false;
  };

  RecipientCheck(Options options, base::Logger& log);

  // nullopt: accept mail from `sender` ("" is <>) to `recipient`. Otherwise the reply
  // for the RCPT command (550 5.1.1 or the configured unknown_*_reject_code with 4.1.1 or
  // 5.1.1 to match, the error transport's code, or 451 4.3.0 when a table or the
  // directory cannot be read right now).
  std::optional<smtp::Reply> check(std::string_view recipient, std::string_view sender);

 private:
  std::optional<smtp::Reply> check_directory(std::string_view recipient, const std::string& local,
                                             const std::string& domain);
  std::optional<smtp::Reply> check_table(const resolve::Route& route, std::string_view recipient,
                                         const std::string& local);

  Options options_;
  base::Logger& log_;
  std::unique_ptr<auth::UserDirectory> directory_;
  resolve::RecipientTables tables_;
  bool directory_failed_ = false;
};

}  // namespace correio::smtpd
