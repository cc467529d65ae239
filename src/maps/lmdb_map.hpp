// Building and reading the LMDB files behind hash: and lmdb: tables. Postfix's hash: is a
// Berkeley DB file; Correio stores both types as NAME.lmdb (docs/lookup-tables.md says
// why). Files are written whole into a temporary file and renamed into place, so a
// reader sees the old table or the new one, never a half-built one; a reader notices the
// rename at its next lookup and reopens. Functions are thread-safe; an open map is not.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"

namespace correio::maps {

// "/etc/aliases" -> "/etc/aliases.lmdb".
std::string lmdb_file(const std::string& name);

// Writes `entries` (keys unique) to `db_path` atomically: a temporary file in the same
// directory, synced, then renamed over `db_path`, then the directory synced. The new
// file gets `owner_uid`/`owner_gid` when they are not -1 (postmap run by root gives the
// table the source file's owner, as Postfix does).
Status build_lmdb(const std::string& db_path,
                  const std::vector<std::pair<std::string, std::string>>& entries,
                  int owner_uid = -1, int owner_gid = -1);

// Every entry of an existing LMDB file, in key order.
Result<std::vector<std::pair<std::string, std::string>>> read_lmdb(const std::string& db_path);

// postmap -d: removes `key` (as stored: already folded) from an existing LMDB file, which
// is rebuilt aside and renamed into place with its owner kept. False: no such key (the
// file is left alone). Error: the file cannot be read or written.
Result<bool> delete_lmdb_key(const std::string& db_path, std::string_view key);

}  // namespace correio::maps
