// Names of the values imapd keeps in a folder's per-message cache (Mailbox::cache_get/put).
// Private to imapd.
#pragma once

namespace correio::imapd {

inline constexpr const char* kEnvelopeCacheField = "envelope";
inline constexpr const char* kBodyCacheField = "body";
inline constexpr const char* kBodyStructureCacheField = "bodystructure";
// The raw header block, for header searches, SORT and THREAD.
inline constexpr const char* kHeaderCacheField = "header";

}  // namespace correio::imapd
