// RFC 5256: base subject extraction (§2.1), sent date (§2.2) and the THREAD algorithms
// ORDEREDSUBJECT (§4) and REFERENCES (§4). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace correio::mail {

// RFC 5256 §2.1 base subject of a raw Subject header value (folded or not): decodes RFC
// 2047 words to UTF-8, collapses whitespace, strips subj-refwd/subj-blob leaders,
// "(fwd)" trailers and [fwd: ...] wrappers as the algorithm says. No case folding (the
// caller compares with i;ascii-casemap or utf8_casefold).
std::string base_subject(std::string_view subject);
// Same, also reporting whether the subject looked like a reply/forward (steps 2-5 removed
// something, for the ORDEREDSUBJECT/REFERENCES "is a reply" tests).
std::string base_subject(std::string_view subject, bool& is_reply_or_forward);

// One message as the THREAD algorithms see it.
struct ThreadMessage {
  std::uint32_t id = 0;        // UID or sequence number, printed in the result
  std::string message_id;      // raw Message-ID header value ("" when absent)
  std::string references;      // raw References header value
  std::string in_reply_to;     // raw In-Reply-To header value
  std::string subject;         // raw Subject header value (base subject computed inside)
  std::int64_t sent_date = 0;  // seconds since the epoch (see sent_date() in date.hpp)
};

// The thread list for the THREAD response, without the "* THREAD " prefix, e.g.
// "(2)(3 6 (4 23)(44 7 96))". Messages in any order; ties broken by id.
std::string thread_orderedsubject(const std::vector<ThreadMessage>& messages);
std::string thread_references(const std::vector<ThreadMessage>& messages);

}  // namespace correio::mail
