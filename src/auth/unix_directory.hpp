// user_directory type unix: — the system's accounts (getpwnam_r), with their password
// hashes from the shadow file (getspnam_r; readable by root only, so a daemon that has
// dropped privileges finds the accounts but no passwords, which is all RCPT checks and
// deliveries need). The name after "unix:" is ignored ("unix:" or "unix:passwd").
//
// A key "alice@example.org" looks up the account "alice" (Dovecot's username_format=%Ln):
// system accounts have no domain. Names are lowercased. The stored password is
// "{CRYPT}HASH"; a locked or password-less account ("!...", "*", "") has none.
// Stateless apart from the warnings; not thread-safe (one owner thread).
#pragma once

#include <memory>

#include "auth/user_directory.hpp"

namespace correio::auth {

class UnixDirectory final : public UserDirectory {
 public:
  Result<std::optional<UserRecord>> lookup(std::string_view user) override;
  // Every account in the passwd database (getpwent; not for daemons: it is not reentrant).
  Result<std::vector<std::string>> list_users() override;
};

}  // namespace correio::auth
