// Per-user quotas in Dovecot's terms (design.md §4): the rules come from the user
// directory's userdb_quota_rule / userdb_quota_rule2 extra fields ("*:storage=1G",
// "*:messages=10000", "*:storage=1G:messages=500"); the usage is what the Maildir++ folders
// hold, counted the way Dovecot recalculates a maildirsize file (the S= size in each
// file name, else the file's size; every folder, cur/ and new/). Pure functions and
// directory reads; thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "base/result.hpp"

namespace correio::store {

struct QuotaLimits {
  uint64_t storage_bytes = 0;  // 0: no limit
  uint64_t messages = 0;       // 0: no limit
  bool any() const { return storage_bytes != 0 || messages != 0; }
};

// Adds what one Dovecot rule says for the whole user ("*:..."); rules for one mailbox
// ("Trash:storage=+100M") and "ignore" are not enforced and left out. Sizes take
// b/k/M/G/T suffixes (k = 1024). A malformed number leaves that limit alone.
void apply_quota_rule(std::string_view rule, QuotaLimits& limits);

struct MaildirUsage {
  uint64_t bytes = 0;
  uint64_t messages = 0;
};

// Every message file of the Maildir++ at `root` (INBOX and the ".Folder" subfolders).
// An error when `root` exists but cannot be read; a missing root is empty.
Result<MaildirUsage> maildir_usage(const std::filesystem::path& root);

// Whether a message of `size` bytes may still come in (Dovecot's quota_grace: a user
// under the limit may go over it by `grace_percent` with this last message).
bool quota_allows(const QuotaLimits& limits, const MaildirUsage& usage, uint64_t size,
                  unsigned grace_percent);

}  // namespace correio::store
