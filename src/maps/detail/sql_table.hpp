// What sqlite:, pgsql: and mysql: tables share (Postfix's sqlite_table(5),
// pgsql_table(5), mysql_table(5) and its db_common.c): the query file, the %-expansions
// of `query` and `result_format`, the `domain` filter and `expansion_limit`, and the
// table that joins every non-empty column of every row with commas. The database is
// reached through a SqlSource: sqlite_map.cpp, pgsql_map.cpp and mysql_map.cpp each
// supply one. Private to src/maps; not thread-safe (one connection per table).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "maps/map.hpp"
#include "sql/client.hpp"

namespace correio::maps::detail {

struct SqlTableFile {
  sql::QueryFile connection;  // hosts, user, password, dbname, connect_timeout (pgsql, mysql)
  std::string dbpath;         // sqlite
  std::string query;
  std::string result_format = "%s";
  std::vector<std::string> domains;  // lower-case; empty: every key is looked up
  size_t expansion_limit = 0;        // 0: no limit
};

// `type` is "sqlite", "pgsql" or "mysql" (sqlite wants dbpath, the others hosts and
// dbname). Errors read "FILE:LINE: error: ..." or "FILE: error: ..."; an unknown
// parameter is an error, so that a typo does not silently change the table.
Result<SqlTableFile> parse_sql_table_file(std::string_view text, std::string_view file_name,
                                          std::string_view type);

// Expands `format` for `key`: %% %s %u %d %S %U %D %1..%9. With `value` (result_format)
// the lower-case letters take the value apart and the upper-case ones and digits the key;
// without it (query) both take the key. Each substitution passes through `quote`.
// nullopt: suppressed — Postfix then skips the query or drops that result (an unqualified
// key and %d, an empty local part and %u, too few domain labels for %3).
using Quote = std::function<Result<std::string>(std::string_view)>;
Result<std::optional<std::string>> expand_sql(std::string_view format, std::string_view key,
                                              const std::string* value, const Quote& quote);
// Checks `format` for unknown %-sequences; "" when valid, else the reason.
std::string check_sql_format(std::string_view format, bool result_format);

// Runs one query for a key: `build` gets the database's quote function and makes the
// statement (nullopt: no statement). The rows' columns, NULL as nullopt.
class SqlSource {
 public:
  virtual ~SqlSource() = default;
  using Build = std::function<Result<std::optional<std::string>>(const Quote& quote)>;
  virtual Result<std::vector<sql::Row>> run(const Build& build) = 0;
};

std::unique_ptr<Map> make_sql_map(std::string spec, SqlTableFile file,
                                  std::unique_ptr<SqlSource> source, const MapOptions& options);

// Reads and parses TYPE's query file `name`.
Result<SqlTableFile> load_sql_table_file(std::string_view name, std::string_view type);

}  // namespace correio::maps::detail
