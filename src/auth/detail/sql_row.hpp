// Private to correio_auth: a user from one SQL result row (sqlite:, pgsql:, mysql:).
//
// Columns are matched by name, case-insensitively, as Dovecot's SQL userdb does:
// user, password, uid, gid, home, gecos, shell (each also with a "userdb_" prefix).
// Every other non-NULL column becomes the extra field "userdb_NAME" ("quota_rule" gives
// userdb_quota_rule, the name a passwd-file uses). NULL columns are left out.
#pragma once

#include <string_view>

#include "auth/user_directory.hpp"
#include "sql/client.hpp"

namespace correio::auth::detail {

// Fails on a uid/gid that is not a number or a home that is not absolute, naming the
// user; `key` is the user looked up (used when the row has no user column).
Result<UserRecord> user_from_row(const sql::Row& row, std::string_view key);

}  // namespace correio::auth::detail
