// user_directory type sqlite:/path/users.db — the embedded directory for sites too large
// for a passwd-file. One table, created by `correio user add` when the file is missing:
//
//   CREATE TABLE users (
//     user       TEXT NOT NULL PRIMARY KEY COLLATE NOCASE, -- "alice@example.org"
//     password   TEXT NOT NULL DEFAULT '',                -- "{SHA512-CRYPT}$6$..."
//     uid        INTEGER,                                 -- NULL: virtual_uid_maps
//     gid        INTEGER,
//     home       TEXT,                                    -- NULL: under virtual_mailbox_base
//     quota_rule TEXT                                     -- "*:storage=1G" (userdb_quota_rule)
//   );
//
// Columns an administrator adds become extra fields "userdb_COLUMN" (detail/sql_row.hpp).
// Lookups open the file read-only; a writer's transaction is waited for (busy timeout),
// so `correio user` can edit the directory while the daemons use it.
// Owned by one daemon thread; not thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include "auth/user_directory.hpp"
#include "sql/sqlite_db.hpp"

namespace correio::auth {

// The schema above, as SQL (also in docs/admin-guide.md).
extern const char* const kSqliteUsersSchema;

class SqliteDirectory final : public UserDirectory {
 public:
  // Fails when the file cannot be opened (missing, unreadable, not a database).
  static Result<std::unique_ptr<SqliteDirectory>> open(std::filesystem::path path);

  Result<std::optional<UserRecord>> lookup(std::string_view user) override;
  Result<std::vector<std::string>> list_users() override;

 private:
  explicit SqliteDirectory(std::filesystem::path path) : path_(std::move(path)) {}
  Status ensure_open();

  std::filesystem::path path_;
  std::optional<sql::SqliteDb> db_;  // reopened after an error
};

}  // namespace correio::auth
