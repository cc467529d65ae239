// The values the store caches per message (mailbox.hpp's CachedField), computed from the
// message's bytes: one message at a time, or many at once on the daemon's worker pool
// (a FETCH over a folder whose cache is cold). Internal to correio_mailbox.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mailbox/work_pool.hpp"

namespace correio::mailbox::detail {

struct ContentValues {
  bool ok = false;      // false: the file could not be read (renamed or expunged meanwhile)
  unsigned fields = 0;  // the CachedField bits computed
  std::string envelope;
  std::string body_structure;
  std::string body;
  std::string header;
};

// The CachedField bits of `fields` computed from `raw`. Pure.
ContentValues compute_content(std::string_view raw, unsigned fields);

// Reads and computes the files at `paths` on up to pool->parallelism() threads, the
// caller's included (it works too, so a caller that is itself a pool task cannot starve
// the pool). Without a pool, on the caller's thread alone. Touches no shared state.
std::vector<ContentValues> compute_contents(const std::vector<std::string>& paths, unsigned fields,
                                            WorkPool* pool);

}  // namespace correio::mailbox::detail
