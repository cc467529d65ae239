// Where a virtual user's Maildir lives (design.md §4; Postfix virtual(8) with Correio's
// user_directory instead of virtual_mailbox_maps). Pure functions; thread-safe.
//
//   home set in the user directory  ->  HOME/Maildir/   (Dovecot's mail=maildir:~/Maildir)
//   otherwise                       ->  $virtual_mailbox_base/DOMAIN/LOCALPART/
//
// DOMAIN and LOCALPART are lowercased (Dovecot's auth_username_format=%Lu), so one user
// has one Maildir whatever case mail arrives in.
#pragma once

#include <filesystem>
#include <string_view>

#include "base/result.hpp"

namespace correio::store {

// `address` is "localpart@domain". Fails for a relative base or home, an address without
// '@', and parts that could leave the base ("", ".", "..", or containing '/' or NUL).
Result<std::filesystem::path> virtual_maildir_path(const std::filesystem::path& mailbox_base,
                                                   std::string_view address, std::string_view home);

}  // namespace correio::store
