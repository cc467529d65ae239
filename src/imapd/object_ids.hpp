// RFC 8474 OBJECTID and RFC 8514 SAVEDATE values for Maildir messages and folders.
// MAILBOXID is derived from the folder's UIDVALIDITY, which Correio allocates uniquely
// per user and keeps across RENAME, and which changes when a folder is deleted and made
// again — what RFC 8474 §4 asks of a MAILBOXID. EMAILID is a digest of the message file's
// unique base name, which flag changes keep. THREADID is NIL (§5.2 allows it). The save
// date is the time in the Maildir file's unique name (when it was made in this folder),
// else the file's ctime. Private to imapd.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace correio::imapd {

// "F" and 16 hex digits: objectid syntax (1*255 ALPHA / DIGIT / "_" / "-").
std::string mailbox_object_id(uint32_t uid_validity);

// "M" and 16 hex digits from the Maildir base name of `path` (the name without ":2,...").
std::string email_object_id(std::string_view path);

// When the file (MessageInfo::file, inside `folder`) was saved into its folder (seconds
// since the epoch); nullopt when the name carries no time and the file is gone.
std::optional<int64_t> save_date(std::string_view file, const std::filesystem::path& folder);

}  // namespace correio::imapd
