// open_user_directory(): the TYPE:NAME dispatch of user_directory (see user_directory.hpp).
#include "auth/user_directory.hpp"

#include "auth/passwd_file.hpp"
#include "auth/sql_directory.hpp"
#include "auth/sqlite_directory.hpp"
#include "auth/unix_directory.hpp"

namespace correio::auth {

std::optional<std::string_view> UserRecord::extra(std::string_view key) const {
  for (const auto& [k, v] : extra_fields)
    if (k == key) return std::string_view(v);
  return std::nullopt;
}

Result<std::unique_ptr<UserDirectory>> open_user_directory(std::string_view spec) {
  size_t colon = spec.find(':');
  if (colon == std::string_view::npos)
    return Error{"user_directory: expected TYPE:NAME, got \"" + std::string(spec) + "\""};
  std::string_view type = spec.substr(0, colon);
  std::string_view name = spec.substr(colon + 1);
  if (type == "passwd-file") {
    auto dir = PasswdFileDirectory::open(std::string(name));
    if (!dir) return dir.error();
    return std::unique_ptr<UserDirectory>(std::move(dir).value());
  }
  if (type == "sqlite") {
    auto dir = SqliteDirectory::open(std::string(name));
    if (!dir) return dir.error();
    return std::unique_ptr<UserDirectory>(std::move(dir).value());
  }
  if (type == "pgsql" || type == "mysql") {
    auto kind = type == "pgsql" ? SqlDirectory::Kind::pgsql : SqlDirectory::Kind::mysql;
    auto dir = SqlDirectory::open(kind, std::string(name));
    if (!dir) return dir.error();
    return std::unique_ptr<UserDirectory>(std::move(dir).value());
  }
  if (type == "unix") return std::unique_ptr<UserDirectory>(std::make_unique<UnixDirectory>());
  return Error{"user_directory: unsupported type \"" + std::string(type) + "\" in \"" +
               std::string(spec) + "\""};
}

}  // namespace correio::auth
