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
//
// A non-empty `mail_location` (Dovecot's setting of that name) replaces both rules: an
// optional "maildir:" then a path template where a leading "~" is the home and %u (the
// whole user name), %n (local part), %d (domain), %h (home) and %% are replaced; "%Lx"
// is accepted as %x (names are lowercased anyway). Dovecot's ":OPTION=..." suffixes are
// ignored. Errors: another format ("mbox:"), an unknown %x, ~ or %h without a home, %d
// without a domain, a relative result.
Result<std::filesystem::path> virtual_maildir_path(const std::filesystem::path& mailbox_base,
                                                   std::string_view address, std::string_view home,
                                                   std::string_view mail_location = {});

}  // namespace correio::store
