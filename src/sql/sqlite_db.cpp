// SqliteDb: the SQLite C API behind RAII (see sqlite_db.hpp).
#include "sql/sqlite_db.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

namespace correio::sql {
namespace {

struct Finalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

}  // namespace

void SqliteDb::Closer::operator()(sqlite3* db) const {
  sqlite3_close_v2(db);
}

SqliteDb::~SqliteDb() = default;

Error SqliteDb::error(std::string_view what) const {
  return Error{fmt::format("sqlite {}: {}: {}", name_, what, sqlite3_errmsg(db_.get()))};
}

Result<SqliteDb> SqliteDb::open(const std::filesystem::path& path, Mode mode, int busy_timeout_ms) {
  int flags = SQLITE_OPEN_NOMUTEX;
  flags |= mode == Mode::read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (mode == Mode::create) flags |= SQLITE_OPEN_CREATE;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<sqlite3, Closer> db(raw);
  if (rc != SQLITE_OK) {
    std::string why = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    return Error{fmt::format("sqlite {}: open: {}", path.string(), why)};
  }
  sqlite3_busy_timeout(db.get(), busy_timeout_ms);
  sqlite3_extended_result_codes(db.get(), 1);
  return SqliteDb(std::move(db), path.string());
}

Result<std::vector<Row>> SqliteDb::query(std::string_view statement,
                                         const std::vector<std::optional<std::string>>& params) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_.get(), statement.data(), static_cast<int>(statement.size()), &raw,
                         nullptr) != SQLITE_OK)
    return error("prepare");
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt(raw);
  for (size_t i = 0; i < params.size(); ++i) {
    int index = static_cast<int>(i + 1);
    int rc = params[i] ? sqlite3_bind_text(stmt.get(), index, params[i]->data(),
                                           static_cast<int>(params[i]->size()), SQLITE_TRANSIENT)
                       : sqlite3_bind_null(stmt.get(), index);
    if (rc != SQLITE_OK) return error("bind");
  }
  std::vector<Row> rows;
  for (;;) {
    int rc = sqlite3_step(stmt.get());
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return error("step");
    if (rows.size() >= kMaxResultRows)
      return Error{fmt::format("sqlite {}: more than {} rows", name_, kMaxResultRows)};
    Row row;
    int columns = sqlite3_column_count(stmt.get());
    for (int c = 0; c < columns; ++c) {
      std::optional<std::string> value;
      if (sqlite3_column_type(stmt.get(), c) != SQLITE_NULL) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), c));
        value.emplace(text ? text : "", static_cast<size_t>(sqlite3_column_bytes(stmt.get(), c)));
      }
      row.emplace_back(sqlite3_column_name(stmt.get(), c), std::move(value));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Status SqliteDb::exec(const std::string& statements) {
  char* message = nullptr;
  if (sqlite3_exec(db_.get(), statements.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string why = message ? message : sqlite3_errmsg(db_.get());
    sqlite3_free(message);
    return Error{fmt::format("sqlite {}: {}", name_, why)};
  }
  return {};
}

int SqliteDb::changes() const {
  return sqlite3_changes(db_.get());
}

}  // namespace correio::sql
