// A connection to one SQL server behind one small interface (one file per client
// library: pgsql_client.cpp over libpq, mysql_client.cpp over MariaDB Connector/C), and
// QueryRunner, which runs a query file's queries over it: connect to the first `hosts`
// entry that answers, escape and expand the key, reconnect once when the connection broke.
//
// Every failure is an Error meaning "try again later": a caller of a user directory
// defers, it never treats an unreachable database as "unknown user".
// Not thread-safe: a Client and a QueryRunner belong to one thread at a time.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "sql/query_file.hpp"

namespace correio::sql {

// One result row: (column name, value) in column order; NULL is nullopt.
using Row = std::vector<std::pair<std::string, std::optional<std::string>>>;

inline constexpr size_t kMaxResultRows = 100000;

class Client {
 public:
  virtual ~Client() = default;
  // Connects to `host`, closing any previous connection.
  virtual Status connect(const Host& host, const QueryFile& file) = 0;
  // False before connect() and after the server went away (the next call reconnects).
  virtual bool connected() const = 0;
  virtual void disconnect() = 0;
  // The client library's escape for a value inside '...' (connection character set).
  virtual Result<std::string> escape(std::string_view value) = 0;
  // Runs one statement; its rows (none for a statement that returns none).
  virtual Result<std::vector<Row>> execute(const std::string& statement) = 0;
};

std::unique_ptr<Client> make_pgsql_client();
std::unique_ptr<Client> make_mysql_client();

class QueryRunner {
 public:
  QueryRunner(QueryFile file, std::unique_ptr<Client> client)
      : file_(std::move(file)), client_(std::move(client)) {}

  const QueryFile& file() const { return file_; }

  // The rows of `query` for `key`; none when the key's domain is not in `domain` or a %d
  // has no domain to expand.
  Result<std::vector<Row>> lookup(std::string_view key);
  // The rows of iterate_query; an error when the file has none.
  Result<std::vector<Row>> iterate();
  // The rows of the statement `build` makes with the connected client's escape (nullopt:
  // no statement, no rows): for callers with their own expansions (the SQL lookup tables).
  using StatementBuilder = std::function<Result<std::optional<std::string>>(const EscapeFunction&)>;
  Result<std::vector<Row>> run_statement(const StatementBuilder& build);

 private:
  // Runs the statement built by `build` (given the connected client's escape), with one
  // reconnect-and-retry when the connection turned out to be broken.
  template <typename Build>
  Result<std::vector<Row>> run(const Build& build);
  Status ensure_connected();

  QueryFile file_;
  std::unique_ptr<Client> client_;
};

}  // namespace correio::sql
