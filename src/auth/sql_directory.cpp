// The pgsql: and mysql: user directories (see sql_directory.hpp).
#include "auth/sql_directory.hpp"

#include <fmt/format.h>

#include "auth/detail/sql_row.hpp"
#include "base/strings.hpp"

namespace correio::auth {

Result<std::unique_ptr<SqlDirectory>> SqlDirectory::open(Kind kind,
                                                         const std::filesystem::path& file) {
  auto query_file = sql::load_query_file(file);
  if (!query_file) return query_file.error();
  auto client = kind == Kind::pgsql ? sql::make_pgsql_client() : sql::make_mysql_client();
  return std::unique_ptr<SqlDirectory>(
      new SqlDirectory(sql::QueryRunner(std::move(query_file).value(), std::move(client))));
}

Result<std::optional<UserRecord>> SqlDirectory::lookup(std::string_view user) {
  std::string key = base::to_lower(user);
  auto rows = runner_.lookup(key);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<UserRecord>();
  if (rows->size() > 1)
    return Error{fmt::format("{}: query returned {} rows for user {} (expected one)",
                             runner_.file().file, rows->size(), key)};
  auto record = detail::user_from_row(rows->front(), key);
  if (!record) return Error{runner_.file().file + ": " + record.error().message};
  return std::optional<UserRecord>(std::move(record).value());
}

Result<std::vector<std::string>> SqlDirectory::list_users() {
  auto rows = runner_.iterate();
  if (!rows) return rows.error();
  std::vector<std::string> users;
  for (const auto& row : *rows) {
    // The "user" column, else the first one.
    const std::optional<std::string>* value = row.empty() ? nullptr : &row.front().second;
    for (const auto& [name, v] : row)
      if (base::iequals(name, "user")) value = &v;
    if (value != nullptr && *value) users.push_back(**value);
  }
  return users;
}

}  // namespace correio::auth
