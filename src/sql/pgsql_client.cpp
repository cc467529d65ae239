// The PostgreSQL client (libpq): one blocking connection, PQescapeStringConn for keys.
#include <fmt/format.h>
#include <libpq-fe.h>

#include <memory>

#include "base/strings.hpp"
#include "sql/client.hpp"

namespace correio::sql {
namespace {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

std::string last_line(const char* message) {
  return std::string(base::trim(message ? message : "unknown error"));
}

class PgsqlClient final : public Client {
 public:
  ~PgsqlClient() override { disconnect(); }

  Status connect(const Host& host, const QueryFile& file) override {
    disconnect();
    std::string port = host.port ? std::to_string(*host.port) : "";
    std::string timeout = std::to_string(file.connect_timeout);
    // A socket directory or a host name; libpq takes both as "host".
    std::string where = host.unix_path.empty() ? host.name : host.unix_path;
    const char* keys[] = {"host",
                          "port",
                          "user",
                          "password",
                          "dbname",
                          "connect_timeout",
                          "client_encoding",
                          "application_name",
                          nullptr};
    const char* values[] = {where.c_str(),
                            port.empty() ? nullptr : port.c_str(),
                            file.user.empty() ? nullptr : file.user.c_str(),
                            file.password.empty() ? nullptr : file.password.c_str(),
                            file.dbname.c_str(),
                            timeout.c_str(),
                            "UTF8",
                            "correio",
                            nullptr};
    conn_ = PQconnectdbParams(keys, values, 0);
    if (conn_ == nullptr) return Error{"out of memory"};
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string why = last_line(PQerrorMessage(conn_));
      disconnect();
      return Error{why};
    }
    return {};
  }

  bool connected() const override { return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK; }

  void disconnect() override {
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = nullptr;
  }

  Result<std::string> escape(std::string_view value) override {
    std::string out(value.size() * 2 + 1, '\0');
    int error = 0;
    size_t n = PQescapeStringConn(conn_, out.data(), value.data(), value.size(), &error);
    if (error != 0) return Error{"cannot escape key: " + last_line(PQerrorMessage(conn_))};
    out.resize(n);
    return out;
  }

  Result<std::vector<Row>> execute(const std::string& statement) override {
    PgResult result(PQexec(conn_, statement.c_str()));
    if (!result) return Error{last_line(PQerrorMessage(conn_))};
    ExecStatusType status = PQresultStatus(result.get());
    if (status == PGRES_COMMAND_OK) return std::vector<Row>();
    if (status != PGRES_TUPLES_OK) return Error{last_line(PQresultErrorMessage(result.get()))};
    int rows = PQntuples(result.get());
    int columns = PQnfields(result.get());
    if (static_cast<size_t>(rows) > kMaxResultRows)
      return Error{fmt::format("query returned {} rows (limit {})", rows, kMaxResultRows)};
    std::vector<Row> out(static_cast<size_t>(rows));
    for (int r = 0; r < rows; ++r) {
      for (int c = 0; c < columns; ++c) {
        std::optional<std::string> value;
        if (!PQgetisnull(result.get(), r, c))
          value.emplace(PQgetvalue(result.get(), r, c),
                        static_cast<size_t>(PQgetlength(result.get(), r, c)));
        out[static_cast<size_t>(r)].emplace_back(PQfname(result.get(), c), std::move(value));
      }
    }
    return out;
  }

 private:
  PGconn* conn_ = nullptr;
};

}  // namespace

std::unique_ptr<Client> make_pgsql_client() {
  return std::make_unique<PgsqlClient>();
}

}  // namespace correio::sql
