// METADATA entry names (RFC 5464 §3.2 with errata 2785/2786): "/private" or "/shared"
// followed by "/"-separated components of printable US-ASCII without "*" and "%". Names
// are case-insensitive; they are kept and answered in lower case, as Dovecot does.
// Pure functions; private to imapd.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace correio::imapd {

// The lower-case entry name, or nullopt when it is not one (the command answers BAD).
std::optional<std::string> normalize_metadata_entry(std::string_view name);

// Whether SETMETADATA may name it: not a bare scope ("/private", "/shared"), and a vendor
// entry names something below its vendor token ("/shared/vendor/example.com/x").
bool settable_metadata_entry(std::string_view normalized);

// Whether `entry` is `base` or below it at most `depth` levels (depth < 0: any depth).
bool metadata_entry_within(std::string_view entry, std::string_view base, int depth);

}  // namespace correio::imapd
