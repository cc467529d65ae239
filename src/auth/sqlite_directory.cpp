// The sqlite: user directory (see sqlite_directory.hpp).
#include "auth/sqlite_directory.hpp"

#include "auth/detail/sql_row.hpp"
#include "base/strings.hpp"

namespace correio::auth {

const char* const kSqliteUsersSchema =
    "CREATE TABLE IF NOT EXISTS users (\n"
    "  user       TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,\n"
    "  password   TEXT NOT NULL DEFAULT '',\n"
    "  uid        INTEGER,\n"
    "  gid        INTEGER,\n"
    "  home       TEXT,\n"
    "  quota_rule TEXT\n"
    ");\n";

Result<std::unique_ptr<SqliteDirectory>> SqliteDirectory::open(std::filesystem::path path) {
  std::unique_ptr<SqliteDirectory> dir(new SqliteDirectory(std::move(path)));
  if (auto ok = dir->ensure_open(); !ok) return ok.error();
  // A file without the users table is a mistake to report now, not at the first mail.
  if (auto probe = dir->db_->query("SELECT user FROM users LIMIT 0"); !probe) return probe.error();
  return dir;
}

Status SqliteDirectory::ensure_open() {
  if (db_) return {};
  auto db = sql::SqliteDb::open(path_, sql::SqliteDb::Mode::read_only);
  if (!db) return db.error();
  db_.emplace(std::move(db).value());
  return {};
}

Result<std::optional<UserRecord>> SqliteDirectory::lookup(std::string_view user) {
  if (auto ok = ensure_open(); !ok) return ok.error();
  std::string key = base::to_lower(user);
  auto rows = db_->query("SELECT * FROM users WHERE user = ?1", {key});
  if (!rows) {
    db_.reset();  // the file may have been replaced: open it afresh next time
    return rows.error();
  }
  if (rows->empty()) return std::optional<UserRecord>();
  auto record = detail::user_from_row(rows->front(), key);
  if (!record) return Error{"sqlite " + path_.string() + ": " + record.error().message};
  return std::optional<UserRecord>(std::move(record).value());
}

Result<std::vector<std::string>> SqliteDirectory::list_users() {
  if (auto ok = ensure_open(); !ok) return ok.error();
  auto rows = db_->query("SELECT user FROM users ORDER BY user");
  if (!rows) {
    db_.reset();
    return rows.error();
  }
  std::vector<std::string> users;
  for (const auto& row : *rows)
    if (row.at(0).second) users.push_back(*row.at(0).second);
  return users;
}

}  // namespace correio::auth
