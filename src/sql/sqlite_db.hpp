// A small RAII wrapper over one SQLite database connection: open read-only or
// read-write, run statements with bound text parameters, transactions. Used by the
// sqlite: user directory and the sqlite: lookup table.
// Not thread-safe: one thread at a time per SqliteDb.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "sql/client.hpp"

struct sqlite3;

namespace correio::sql {

class SqliteDb {
 public:
  enum class Mode { read_only, read_write, create };

  // read_only/read_write fail when the file does not exist. A busy database (a writer
  // holds its lock) is waited for up to `busy_timeout_ms`, then the call fails.
  static Result<SqliteDb> open(const std::filesystem::path& path, Mode mode,
                               int busy_timeout_ms = 5000);

  SqliteDb(SqliteDb&&) noexcept = default;
  SqliteDb& operator=(SqliteDb&&) noexcept = default;
  ~SqliteDb();

  // Runs `statement` with ?1, ?2, ... bound to `params` (nullopt binds NULL); returns
  // its rows, column values as text (NULL is nullopt).
  Result<std::vector<Row>> query(std::string_view statement,
                                 const std::vector<std::optional<std::string>>& params = {});
  // Statements without parameters or results, ';'-separated (schema, BEGIN, COMMIT).
  Status exec(const std::string& statements);
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int changes() const;

 private:
  struct Closer {
    void operator()(sqlite3* db) const;
  };
  SqliteDb(std::unique_ptr<sqlite3, Closer> db, std::string name)
      : db_(std::move(db)), name_(std::move(name)) {}
  Error error(std::string_view what) const;

  std::unique_ptr<sqlite3, Closer> db_;
  std::string name_;
};

}  // namespace correio::sql
