// sqlite:FILE — a table answered by an SQLite database file named by `dbpath`, opened
// read-only (Postfix's sqlite_table(5)). Values are quoted into the query as
// sqlite3_mprintf("%q") does: single quotes doubled.
#include "maps/detail/map_types.hpp"
#include "maps/detail/sql_table.hpp"
#include "sql/sqlite_db.hpp"

namespace correio::maps::detail {
namespace {

class SqliteSource final : public SqlSource {
 public:
  explicit SqliteSource(std::string path) : path_(std::move(path)) {}
  Result<std::vector<sql::Row>> run(const Build& build) override {
    auto statement = build([](std::string_view s) -> Result<std::string> {
      std::string out;
      for (char c : s) {
        if (c == '\0') return Error{"a NUL in the key"};
        out += c;
        if (c == '\'') out += '\'';
      }
      return out;
    });
    if (!statement) return statement.error();
    if (!*statement) return std::vector<sql::Row>();
    // Opened per lookup when not yet open: a database created after the table was opened
    // is found, and an error is retried at the next lookup.
    if (!db_) {
      auto db = sql::SqliteDb::open(path_, sql::SqliteDb::Mode::read_only);
      if (!db) return db.error();
      db_.emplace(std::move(*db));
    }
    return db_->query(**statement);
  }

 private:
  std::string path_;
  std::optional<sql::SqliteDb> db_;
};

}  // namespace

Result<std::unique_ptr<Map>> open_sqlite(std::string_view name, const MapOptions& options) {
  auto file = load_sql_table_file(name, "sqlite");
  if (!file) return file.error();
  auto source = std::make_unique<SqliteSource>(file->dbpath);
  return make_sql_map("sqlite:" + std::string(name), std::move(*file), std::move(source), options);
}

}  // namespace correio::maps::detail
