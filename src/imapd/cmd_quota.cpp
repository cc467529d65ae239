// The RFC 9208 QUOTA reads: GETQUOTAROOT and GETQUOTA, one root ("") per user whose
// limit is the user's userdb_quota_rule and whose usage is the sum of the folders' sizes.
#include <fmt/format.h>

#include "imapd/response.hpp"
#include "imapd/session.hpp"

namespace correio::imapd {

namespace {

// The user's storage in use, in KiB, summed over every folder (RFC 9208 STORAGE).
uint64_t storage_used_kib(mailbox::MailUser& user) {
  uint64_t bytes = 0;
  if (auto folders = user.list_folders()) {
    for (const auto& f : *folders) {
      if (!f.exists) continue;
      if (auto st = user.status(f.name)) bytes += st->vsize;
    }
  }
  return (bytes + 1023) / 1024;
}

}  // namespace

asio::awaitable<void> Session::cmd_getquotaroot(const Command& c, Parser& p) {
  auto name = p.mailbox();
  if (!name || !p.at_end()) {
    bad(c, "Error in IMAP command GETQUOTAROOT: Invalid arguments.");
    co_return;
  }
  std::string line = "QUOTAROOT ";
  append_astring(line, *name);
  if (quota_bytes_ == 0) {
    untagged(line);
    ok(c, "Getquotaroot completed.");
    co_return;
  }
  untagged(line + " \"User quota\"");
  untagged(fmt::format("QUOTA \"User quota\" (STORAGE {} {})", storage_used_kib(*user_),
                       quota_bytes_ / 1024));
  ok(c, "Getquotaroot completed.");
}

asio::awaitable<void> Session::cmd_getquota(const Command& c, Parser& p) {
  auto root = p.astring();
  if (!root || !p.at_end()) {
    bad(c, "Error in IMAP command GETQUOTA: Invalid arguments.");
    co_return;
  }
  if (quota_bytes_ == 0 || *root != "User quota") {
    no(c, "[NONEXISTENT] Quota root doesn't exist.");
    co_return;
  }
  untagged(fmt::format("QUOTA \"User quota\" (STORAGE {} {})", storage_used_kib(*user_),
                       quota_bytes_ / 1024));
  ok(c, "Getquota completed.");
}

}  // namespace correio::imapd
