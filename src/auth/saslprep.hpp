// SASLprep (RFC 4013, the "SASLprep" profile of stringprep, RFC 3454) for SCRAM user
// names and passwords (RFC 5802 §2.2 Normalize()). Built on GNU libidn's stringprep
// tables rather than a copy of them: see docs/dependencies.md. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace correio::auth {

// RFC 4013 §2: non-ASCII spaces mapped to SPACE, "commonly mapped to nothing" characters
// removed, NFKC, then the prohibition (controls, private use, ...) and bidi checks. As a
// "query" (RFC 3454 §7; RFC 5802 §2.2) unassigned code points are allowed; `stored`
// refuses them (§7, for strings kept in a directory). Errors: not UTF-8, a prohibited
// character, a bidi violation, or an empty result; the text never contains the input
// (it may be a password).
Result<std::string> saslprep(std::string_view text, bool stored = false);

// The server side's password for SCRAM keys: SASLprep'ed, or as it is when SASLprep
// refuses it (a client that does not prepare, a password that is not UTF-8), so that
// such a password keeps working with the clients that send it unprepared.
std::string scram_password(std::string_view password);

}  // namespace correio::auth
