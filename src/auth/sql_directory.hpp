// user_directory types pgsql:/etc/correio/pgsql-users.cf and mysql:/etc/correio/mysql-
// users.cf: a PostgreSQL or MariaDB/MySQL server asked through a Postfix-style query file
// (sql/query_file.hpp), e.g.
//
//   hosts = inet:db.example.org:5432
//   user = correio
//   password = secret
//   dbname = mail
//   query = SELECT user, password, uid, gid, home, quota_rule FROM users WHERE user = '%s'
//   iterate_query = SELECT user FROM users
//
// The result columns are read by name (detail/sql_row.hpp); no row: no such user; more
// than one row: an error. The key is lowercased first (Dovecot's %Lu). The connection is
// made at the first lookup and remade after it broke; an unreachable server is an error
// (the caller defers), never "unknown user". Owned by one thread; not thread-safe.
#pragma once

#include <memory>

#include "auth/user_directory.hpp"
#include "sql/client.hpp"

namespace correio::auth {

class SqlDirectory final : public UserDirectory {
 public:
  enum class Kind { pgsql, mysql };

  // Reads and checks the query file; does not connect yet (the server may be down while
  // the daemon starts: its lookups then defer until it is back).
  static Result<std::unique_ptr<SqlDirectory>> open(Kind kind, const std::filesystem::path& file);

  Result<std::optional<UserRecord>> lookup(std::string_view user) override;
  Result<std::vector<std::string>> list_users() override;

 private:
  explicit SqlDirectory(sql::QueryRunner runner) : runner_(std::move(runner)) {}
  sql::QueryRunner runner_;
};

}  // namespace correio::auth
