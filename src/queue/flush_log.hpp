// Fast flush (Postfix's flush(8), ETRN_README): a log per site in queue_directory/flush of
// the deferred messages that have recipients there, so that ETRN, `sendmail -qRsite` and
// `postqueue -s site` send that site's mail at once without reading the whole queue; and
// the trigger by which a flush tells qmgr to give dead destinations another chance.
// Files only, no daemon; any process with write access to the queue may call these.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "queue/queue.hpp"

namespace correio::queue {

// The name qmgr watches in flush/: touched by a flush, it revives every dead destination
// (Postfix's QMGR_REQ_FLUSH_DEAD). Site names never start with a dot.
inline constexpr std::string_view kReviveTrigger = ".revive";

// A site as ETRN or postqueue -s names it: a domain name (letters, digits, '-', '_', '.'),
// at most 255 bytes, not starting or ending with a dot. Returns it in lower case, or an
// empty string when it is not one.
std::string flush_site_name(std::string_view site);

// Appends `id` to flush/SITE (created 0600). `site` must pass flush_site_name().
Status flush_log_add(const Queue& q, std::string_view site, std::string_view id);

// Touches flush/.revive (see kReviveTrigger).
Status request_revival(const Queue& q);

// Takes flush/SITE and moves each listed message still in deferred/ to incoming/, where
// qmgr picks it up at once; touches the revive trigger first, so that the mail is not
// turned away by a dead destination. Returns how many were moved (0 when SITE has no log).
// A message being delivered meanwhile is skipped: if it is deferred again, it is logged
// again.
Result<size_t> flush_site(const Queue& q, std::string_view site);

// What one maintenance pass did, for the log.
struct FlushMaintenance {
  size_t refreshed = 0;  // logs refreshed
  size_t requeued = 0;   // messages they moved to incoming/
  size_t purged = 0;     // empty logs deleted
};

// Postfix's flush(8) "refresh" request, run by qmgr every few minutes: a non-empty log
// not read for `refresh_time` (fast_flush_refresh_time) is taken as by flush_site() but
// without reviving dead destinations, and left empty, so that the mail deferred again
// lists itself anew and IDs of mail delivered or expired meanwhile fall out; an empty log
// not changed for `purge_time` (fast_flush_purge_time) is deleted. "Read" is the log's
// access time: Correio reads a log only when it takes it, so for a live log that is its
// creation. A log that fails is skipped (and reported in `problems`), not the pass.
FlushMaintenance maintain_flush_logs(const Queue& q, std::chrono::seconds refresh_time,
                                     std::chrono::seconds purge_time,
                                     std::vector<std::string>& problems);

}  // namespace correio::queue
