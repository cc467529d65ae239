// Changing the users of a directory, for `correio user add|del|passwd`: passwd-file:
// (the file is rewritten to a temporary file beside it and renamed over it, under an
// flock(2) on FILE.lock, keeping its mode and owner; comments and other lines stay as
// written) and sqlite: (one transaction per change; the file and the users table are
// created when missing). The SQL servers and unix: are changed with their own tools.
//
// Used by the command-line tools only; not thread-safe.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string_view>

#include "auth/user_directory.hpp"

namespace correio::auth {

class UserEditor {
 public:
  virtual ~UserEditor() = default;
  // Fails when the user exists already (case-insensitively) or cannot be written.
  virtual Status add(const UserRecord& user) = 0;
  // Fails when there is no such user.
  virtual Status remove(std::string_view user) = 0;
  // `stored` is the "{SCHEME}..." value. Fails when there is no such user.
  virtual Status set_password(std::string_view user, std::string_view stored) = 0;
};

struct EditorOptions {
  // A file the editor creates gets mode 0640 and this group (the group the daemons
  // reading it run as), when set.
  std::optional<gid_t> new_file_group;
};

// "passwd-file:/path" or "sqlite:/path"; other types fail with a message saying so.
Result<std::unique_ptr<UserEditor>> open_user_editor(std::string_view spec,
                                                     const EditorOptions& options);

// Checks a user name for both formats: not empty, no control characters, spaces or ':'.
Status check_user_name(std::string_view user);

}  // namespace correio::auth
