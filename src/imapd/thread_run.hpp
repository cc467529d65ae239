// THREAD's run (RFC 5256 §4): the header fields the algorithms need, read through the
// store's header cache for each search match, and the thread list they build. Private
// to imapd.
#pragma once

#include <string>
#include <vector>

#include "imapd/search_run.hpp"
#include "imapd/sort_args.hpp"
#include "mailbox/mailbox.hpp"

namespace correio::imapd {

// The thread list of `matches` ("(2)(3 6 (4 23))", "" when none), numbered by UID when
// `uid` (UID THREAD) else by sequence number.
std::string thread_matches(mailbox::Mailbox& box, ThreadAlgorithm algorithm,
                           const std::vector<Match>& matches, bool uid);

}  // namespace correio::imapd
