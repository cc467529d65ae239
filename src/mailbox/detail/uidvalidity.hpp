// UIDVALIDITY values for new folders, shared with Dovecot through the root's
// dovecot-uidvalidity file (the last value, in hex) and its empty companion
// dovecot-uidvalidity.<hex>, whose rename is the atomic step (Dovecot's
// mailbox-uidvalidity.c). Each new folder gets max(now, last + 1), so two folders created
// in the same second never share a value. Internal to correio_mailbox.
#pragma once

#include <cstdint>
#include <filesystem>

namespace correio::mailbox::detail {

uint32_t next_uid_validity(const std::filesystem::path& root);

}  // namespace correio::mailbox::detail
