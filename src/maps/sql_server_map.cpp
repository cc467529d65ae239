// pgsql:FILE and mysql:FILE — tables answered by a PostgreSQL or MySQL/MariaDB server
// (Postfix's pgsql_table(5), mysql_table(5)), over src/sql's clients: `hosts` tried in
// order, keys escaped by the client library, one reconnect after a broken connection.
// A server that does not answer is a temporary failure, never "not found".
#include "maps/detail/map_types.hpp"
#include "maps/detail/sql_table.hpp"

namespace correio::maps::detail {
namespace {

class ServerSource final : public SqlSource {
 public:
  explicit ServerSource(sql::QueryRunner runner) : runner_(std::move(runner)) {}
  Result<std::vector<sql::Row>> run(const Build& build) override {
    return runner_.run_statement(build);
  }

 private:
  sql::QueryRunner runner_;
};

}  // namespace

Result<std::unique_ptr<Map>> open_sql_server(std::string_view type, std::string_view name,
                                             const MapOptions& options) {
  auto file = load_sql_table_file(name, type);
  if (!file) return file.error();
  auto client = type == "pgsql" ? sql::make_pgsql_client() : sql::make_mysql_client();
  auto source =
      std::make_unique<ServerSource>(sql::QueryRunner(file->connection, std::move(client)));
  return make_sql_map(std::string(type) + ":" + std::string(name), std::move(*file),
                      std::move(source), options);
}

}  // namespace correio::maps::detail
