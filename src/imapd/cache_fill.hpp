// The cache values of many messages computed on all cores at once, for a FETCH of
// ENVELOPE or BODYSTRUCTURE over a folder whose cache is cold (the first client after a
// delivery burst or an index rebuild). Private to imapd.
#pragma once

#include <string>
#include <vector>

namespace correio::imapd {

struct CacheValues {
  bool ok = false;  // false: the file could not be read (renamed or expunged meanwhile)
  std::string envelope;
  std::string body_structure;
  std::string header;
};

// Reads and parses the files at `paths` on `threads` threads (the caller's included).
// Touches no shared state: plain file reads and the pure MIME functions.
std::vector<CacheValues> compute_cache_values(const std::vector<std::string>& paths,
                                              unsigned threads);

}  // namespace correio::imapd
