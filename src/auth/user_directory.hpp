// The mailbox users: one small interface, one implementation per type, chosen by the
// `user_directory = TYPE:NAME` parameter (design.md §5):
//   passwd-file:/path   Dovecot's format (passwd_file.hpp)
//   sqlite:/path.db     embedded SQLite (sqlite_directory.hpp)
//   pgsql:/file.cf      PostgreSQL through a Postfix-style query file (sql_directory.hpp)
//   mysql:/file.cf      MariaDB/MySQL, likewise
//   unix:               the system's accounts, passwd + shadow (unix_directory.hpp)
// Changing users: user_editor.hpp (passwd-file and sqlite).
//
// A UserDirectory is owned by the daemon that opened it and used from that daemon's one
// event-loop thread; implementations are not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"

namespace correio::auth {

// One user, with Dovecot's passwd-file fields. Plain value; copy freely.
struct UserRecord {
  std::string user;      // as written in the directory: "alice@example.org" or "alice"
  std::string password;  // "{SCHEME}..." (see password.hpp); empty: no password login
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  std::string gecos;
  std::string home;   // empty: the Maildir is under virtual_mailbox_base
  std::string shell;  // kept for compatibility; unused
  // Dovecot's extra fields, in order: "userdb_quota_rule=*:storage=1G" gives
  // {"userdb_quota_rule", "*:storage=1G"}; a bare word gives {word, ""}.
  std::vector<std::pair<std::string, std::string>> extra_fields;

  // The value of extra field `key`, or nullopt.
  std::optional<std::string_view> extra(std::string_view key) const;
};

class UserDirectory {
 public:
  virtual ~UserDirectory() = default;

  // Finds `user` ("local@domain"; matched case-insensitively, as Dovecot's
  // auth_username_format=%Lu does). nullopt: no such user. An error is temporary (the
  // directory cannot be read): callers defer, they never treat it as "unknown user".
  virtual Result<std::optional<UserRecord>> lookup(std::string_view user) = 0;

  // Problems found since the last call ("users:12: missing ':'", ...), each reported
  // once, for the caller to log as warnings. The entries concerned were skipped.
  virtual std::vector<std::string> take_warnings() { return {}; }

  // Every user name, for `correio user list`. Fails for a directory that cannot list
  // (an SQL query file without iterate_query) or cannot be read.
  virtual Result<std::vector<std::string>> list_users() {
    return Error{"this user directory cannot list its users"};
  }
};

// Opens a directory from its `user_directory` value, e.g. "passwd-file:/etc/correio/users".
// Fails on an unknown type, an unreadable file, or a bad query file. The SQL servers are
// not contacted yet: their errors come from lookup().
//
// `default_realm` (auth_default_realm, Dovecot's setting of that name): a name without
// '@' is looked up as name@realm, and name@realm also finds a bare "name" entry, whose
// record then says user = "name@realm" — so a Dovecot passwd-file of bare names serves
// the realm's mail unchanged.
Result<std::unique_ptr<UserDirectory>> open_user_directory(std::string_view spec,
                                                           std::string_view default_realm = {});

}  // namespace correio::auth
