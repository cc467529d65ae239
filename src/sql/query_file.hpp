// Query files for the SQL user directories (pgsql:FILE, mysql:FILE), in the style of
// Postfix's pgsql_table(5) and mysql_table(5): main.cf syntax (`name = value`, '#'
// comments, continuation lines) with the parameters
//
//   hosts          = inet:db1.example:5432 db2 unix:/run/postgresql   (tried in order)
//   user, password, dbname
//   query          = SELECT ... WHERE user = '%s'
//   iterate_query  = SELECT user FROM users        (optional; Dovecot's name; `user list`)
//   domain         = example.org, example.net      (optional: other keys are not queried)
//   connect_timeout = 5                            (seconds)
//
// In `query`, %% is '%', %s the whole key, %u its local part (the whole key when it has
// no '@'), %d its domain; each expansion is escaped by the client library's own escape
// function. A %d key without a domain suppresses the query (no result), as in Postfix.
// Pure value types and functions; thread-safe.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace correio::sql {

// One database server from `hosts`: "unix:/path" (a socket: pgsql's socket directory,
// mysql's socket file), "inet:host:port", "host:port", "[v6addr]:port" or "host".
struct Host {
  std::string name;       // host name or address; empty for a UNIX socket
  std::string unix_path;  // set for unix:
  std::optional<unsigned> port;
  std::string display;  // as written, for messages
};

Result<Host> parse_host(std::string_view spec);

struct QueryFile {
  std::string file;  // for messages
  std::vector<Host> hosts;
  std::string user;
  std::string password;
  std::string dbname;
  std::string query;
  std::string iterate_query;
  std::vector<std::string> domains;  // lowercased; empty: every key is queried
  unsigned connect_timeout = 5;
};

// Errors read "FILE:LINE: error: ..." (or "FILE: error: ..." for a missing parameter).
// Unknown parameter names are errors: a typo must not silently change what is queried.
Result<QueryFile> parse_query_file(std::string_view text, std::string_view file_name);
Result<QueryFile> load_query_file(const std::filesystem::path& path);

// Checks the %-expansions of a query template; "" when valid, else the reason.
std::string check_query_template(std::string_view query);

// Expands `query` for `key` with every substituted value passed through `escape`.
// nullopt: the query is suppressed (a %d with no domain in the key). Fails when `escape`
// fails (e.g. a key that is not valid in the connection's character set).
using EscapeFunction = std::function<Result<std::string>(std::string_view)>;
Result<std::optional<std::string>> expand_query(std::string_view query, std::string_view key,
                                                const EscapeFunction& escape);

}  // namespace correio::sql
