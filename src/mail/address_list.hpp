// RFC 5322 §3.4 address lists as found in To:, Cc: and Bcc: headers, reduced to the
// addr-specs they contain (what sendmail -t needs): display names, comments, quoted
// strings, angle brackets and groups are understood; obsolete routes ("@a,@b:") are
// dropped. Lenient like Postfix's tokenizer: what cannot be parsed is skipped, never
// an error; a mailbox with an unterminated quoted string is skipped too (never closed). Pure
// function; thread-safe. Fuzzed by fuzz/address_list_fuzz.cpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace correio::mail {

// The addresses in a header value (unfolded or not), in order, without duplicates
// removal: "Jane <jane@example.org>, bob@example.org, list: a@x.org, b@x.org;" gives
// jane@example.org, bob@example.org, a@x.org, b@x.org. At most `limit` addresses.
std::vector<std::string> parse_addr_specs(std::string_view value, size_t limit = 10000);

}  // namespace correio::mail
