// A UserRecord from an SQL row (see sql_row.hpp).
#include "auth/detail/sql_row.hpp"

#include <fmt/format.h>

#include <limits>

#include "base/strings.hpp"

namespace correio::auth::detail {

Result<UserRecord> user_from_row(const sql::Row& row, std::string_view key) {
  UserRecord user;
  user.user = std::string(key);
  for (const auto& [column, value] : row) {
    if (!value) continue;
    std::string name = base::to_lower(column);
    std::string_view bare = name;
    if (bare.substr(0, 7) == "userdb_") bare.remove_prefix(7);
    if (bare == "uid" || bare == "gid") {
      auto n = base::parse_int(*value);
      if (!n || *n < 0 || *n >= std::numeric_limits<uint32_t>::max())
        return Error{fmt::format("user {}: invalid {} \"{}\"", key, bare, *value)};
      (bare == "uid" ? user.uid : user.gid) = static_cast<uint32_t>(*n);
    } else if (name == "user") {
      if (!value->empty()) user.user = *value;
    } else if (name == "password") {
      user.password = *value;
    } else if (bare == "home") {
      if (!value->empty() && value->front() != '/')
        return Error{fmt::format("user {}: home directory is not absolute: \"{}\"", key, *value)};
      user.home = *value;
    } else if (bare == "gecos") {
      user.gecos = *value;
    } else if (bare == "shell") {
      user.shell = *value;
    } else {
      user.extra_fields.emplace_back("userdb_" + std::string(bare), *value);
    }
  }
  return user;
}

}  // namespace correio::auth::detail
