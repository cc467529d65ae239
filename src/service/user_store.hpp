// Opening a user's mail store by name, for the daemons that read a store other than as
// that user's own login: imapd's URLFETCH of another user's URLAUTH URL and smtpd's BURL
// (RFC 4468). The user directory gives the record; virtual_mailbox_base and mail_location
// give the Maildir, as at login. Blocking (directory lookup, file system).
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "auth/user_directory.hpp"
#include "base/result.hpp"
#include "mailbox/mailbox.hpp"

namespace correio::service {

struct UserStoreLocation {
  std::filesystem::path mailbox_base;  // virtual_mailbox_base
  std::string mail_location;           // mail_location, "" = the default
};

// The user's store; ok(nullopt) when the directory has no such user; an error when the
// directory or the store cannot be read now.
Result<std::optional<mailbox::MailUser>> open_user_store(auth::UserDirectory& users,
                                                         std::string_view name,
                                                         const UserStoreLocation& where,
                                                         mailbox::MailUserOptions options = {});

}  // namespace correio::service
