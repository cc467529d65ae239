// The file that keeps a folder's (or the account's) IMAP METADATA entries (RFC 5464):
// "correio-metadata 1\n", then per entry "NAME SIZE\n" followed by SIZE value bytes and
// "\n". Values are binary-safe (literal8 values may hold any octet). Pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace correio::mailbox {

// Entry name (lower case, as imapd normalises it) -> value.
using MetadataEntries = std::map<std::string, std::string>;

// nullopt when the text is not such a file (truncated, bad header, bad size, a name with
// a space or control character).
std::optional<MetadataEntries> parse_metadata(std::string_view text);
std::string format_metadata(const MetadataEntries& entries);

}  // namespace correio::mailbox
