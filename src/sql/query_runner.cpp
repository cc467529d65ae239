// QueryRunner: hosts in order, key expansion with the client's escaping, one reconnect
// after a broken connection (see client.hpp).
#include <fmt/format.h>

#include "base/strings.hpp"
#include "sql/client.hpp"

namespace correio::sql {

Status QueryRunner::ensure_connected() {
  if (client_->connected()) return {};
  std::string errors;
  for (const auto& host : file_.hosts) {
    auto ok = client_->connect(host, file_);
    if (ok) return {};
    if (!errors.empty()) errors += "; ";
    errors += host.display + ": " + ok.error().message;
  }
  return Error{fmt::format("{}: no database server answered ({})", file_.file, errors)};
}

template <typename Build>
Result<std::vector<Row>> QueryRunner::run(const Build& build) {
  std::string last_error;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (auto up = ensure_connected(); !up) return up.error();
    Result<std::optional<std::string>> statement = build();
    if (!statement) return Error{file_.file + ": " + statement.error().message};
    if (!*statement) return std::vector<Row>();
    auto rows = client_->execute(**statement);
    if (rows) return rows;
    last_error = rows.error().message;
    // A failed statement on a healthy connection (a syntax error, a missing table) will
    // fail again: report it. A broken connection gets one fresh try.
    if (client_->connected()) break;
    client_->disconnect();
  }
  return Error{fmt::format("{}: query failed: {}", file_.file, last_error)};
}

Result<std::vector<Row>> QueryRunner::lookup(std::string_view key) {
  if (!file_.domains.empty()) {
    size_t at = key.rfind('@');
    if (at == std::string_view::npos) return std::vector<Row>();
    std::string domain = base::to_lower(key.substr(at + 1));
    bool listed = false;
    for (const auto& d : file_.domains) listed = listed || d == domain;
    if (!listed) return std::vector<Row>();
  }
  return run([&] {
    return expand_query(file_.query, key,
                        [this](std::string_view v) { return client_->escape(v); });
  });
}

Result<std::vector<Row>> QueryRunner::iterate() {
  if (file_.iterate_query.empty())
    return Error{file_.file + ": no iterate_query: this directory cannot list its users"};
  return run([&]() -> Result<std::optional<std::string>> {
    return std::optional<std::string>(file_.iterate_query);
  });
}

Result<std::vector<Row>> QueryRunner::run_statement(const StatementBuilder& build) {
  EscapeFunction escape = [this](std::string_view v) { return client_->escape(v); };
  return run([&] { return build(escape); });
}

}  // namespace correio::sql
