// Lets the per-folder index skip fsync safely. The index is derived data, so losing its
// last changes in a crash is harmless — but LMDB without syncs may also be left
// inconsistent by a crash, and that must never be read. So an index is only trusted within
// the boot that wrote it: a sidecar file (correio-index.lmdb.boot) names that boot
// (/proc/sys/kernel/random/boot_id), and an index from another boot is removed and rebuilt
// from the Maildir at its first use. Internal to correio_mailbox.
#pragma once

#include <filesystem>

#include "base/result.hpp"

namespace correio::mailbox::detail {

// Checks `index_path`'s sidecar under an exclusive flock (several processes may open the
// index at once): when it names another boot or is missing, removes the index and its
// lock file and records this boot. True: the index may be written without syncing.
// False (no boot id available): keep syncing, nothing was removed.
Result<bool> claim_index_for_this_boot(const std::filesystem::path& index_path);

}  // namespace correio::mailbox::detail
