// Building and reading the CDB files behind cdb: tables (Postfix's dict_cdb with
// tinycdb): postmap writes NAME.cdb whole into a temporary file and renames it into
// place; readers memory-map it and reopen when the file at the path was replaced.
// Functions are thread-safe; an open map is not.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/result.hpp"

namespace correio::maps {

// "/etc/postfix/transport" -> "/etc/postfix/transport.cdb".
std::string cdb_file(const std::string& name);

// Writes `entries` (keys unique) to `db_path` atomically (temporary file, fsync, rename,
// directory fsync); the new file gets `owner_uid`/`owner_gid` when they are not -1.
Status build_cdb(const std::string& db_path,
                 const std::vector<std::pair<std::string, std::string>>& entries,
                 int owner_uid = -1, int owner_gid = -1);

// Every entry of an existing CDB file, in file order.
Result<std::vector<std::pair<std::string, std::string>>> read_cdb(const std::string& db_path);

}  // namespace correio::maps
