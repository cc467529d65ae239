// The MySQL/MariaDB client (MariaDB Connector/C): one blocking connection,
// mysql_real_escape_string for keys, utf8mb4.
#include <errmsg.h>
#include <fmt/format.h>
#include <mysql.h>

#include <memory>

#include "sql/client.hpp"

namespace correio::sql {
namespace {

struct ResultDeleter {
  void operator()(MYSQL_RES* r) const { mysql_free_result(r); }
};
using MyResult = std::unique_ptr<MYSQL_RES, ResultDeleter>;

// The errors after which the connection is gone (the server restarted, a timeout, ...).
bool connection_lost(unsigned error) {
  return error == CR_SERVER_GONE_ERROR || error == CR_SERVER_LOST || error == CR_CONNECTION_ERROR ||
         error == CR_CONN_HOST_ERROR;
}

class MysqlClient final : public Client {
 public:
  ~MysqlClient() override { disconnect(); }

  Status connect(const Host& host, const QueryFile& file) override {
    disconnect();
    conn_ = mysql_init(nullptr);
    if (conn_ == nullptr) return Error{"out of memory"};
    unsigned timeout = file.connect_timeout;
    // Read/write timeouts keep a hung server from holding a delivery forever.
    unsigned io_timeout = 30;
    mysql_optionsv(conn_, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_optionsv(conn_, MYSQL_OPT_READ_TIMEOUT, &io_timeout);
    mysql_optionsv(conn_, MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
    mysql_optionsv(conn_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    const char* socket = host.unix_path.empty() ? nullptr : host.unix_path.c_str();
    // "localhost" would mean the default socket to the client library; an explicit
    // unix: entry says so, anything else is TCP.
    std::string name = host.unix_path.empty() ? host.name : "localhost";
    if (socket == nullptr && name == "localhost") name = "127.0.0.1";
    if (mysql_real_connect(conn_, name.c_str(), file.user.empty() ? nullptr : file.user.c_str(),
                           file.password.empty() ? nullptr : file.password.c_str(),
                           file.dbname.c_str(), host.port.value_or(0), socket, 0) == nullptr) {
      std::string why = mysql_error(conn_);
      disconnect();
      return Error{why};
    }
    broken_ = false;
    return {};
  }

  bool connected() const override { return conn_ != nullptr && !broken_; }

  void disconnect() override {
    if (conn_ != nullptr) mysql_close(conn_);
    conn_ = nullptr;
  }

  Result<std::string> escape(std::string_view value) override {
    std::string out(value.size() * 2 + 1, '\0');
    unsigned long n = mysql_real_escape_string(conn_, out.data(), value.data(), value.size());
    if (n == static_cast<unsigned long>(-1)) return Error{"cannot escape key"};
    out.resize(n);
    return out;
  }

  Result<std::vector<Row>> execute(const std::string& statement) override {
    if (mysql_real_query(conn_, statement.data(), statement.size()) != 0) return failure();
    MyResult result(mysql_store_result(conn_));
    if (!result) {
      if (mysql_field_count(conn_) == 0) return std::vector<Row>();  // no result set
      return failure();
    }
    if (mysql_num_rows(result.get()) > kMaxResultRows)
      return Error{fmt::format("query returned {} rows (limit {})", mysql_num_rows(result.get()),
                               kMaxResultRows)};
    unsigned columns = mysql_num_fields(result.get());
    MYSQL_FIELD* fields = mysql_fetch_fields(result.get());
    std::vector<Row> out;
    while (MYSQL_ROW row = mysql_fetch_row(result.get())) {
      unsigned long* lengths = mysql_fetch_lengths(result.get());
      Row r;
      for (unsigned c = 0; c < columns; ++c) {
        std::optional<std::string> value;
        if (row[c] != nullptr) value.emplace(row[c], lengths[c]);
        r.emplace_back(fields[c].name, std::move(value));
      }
      out.push_back(std::move(r));
    }
    if (mysql_errno(conn_) != 0) return failure();
    return out;
  }

 private:
  Error failure() {
    unsigned error = mysql_errno(conn_);
    if (connection_lost(error)) broken_ = true;
    return Error{fmt::format("{} ({})", mysql_error(conn_), error)};
  }

  MYSQL* conn_ = nullptr;
  bool broken_ = false;
};

}  // namespace

std::unique_ptr<Client> make_mysql_client() {
  return std::make_unique<MysqlClient>();
}

}  // namespace correio::sql
