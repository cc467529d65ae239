// The query file and %-expansions of sqlite:, pgsql: and mysql: tables, as Postfix's
// db_common.c does them (see detail/sql_table.hpp).
#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "base/strings.hpp"
#include "config/main_cf.hpp"
#include "maps/detail/rule_table.hpp"
#include "maps/detail/sql_table.hpp"

namespace correio::maps::detail {
namespace {

// The key's (or value's) parts: "user@mail.example.com" -> user, mail.example.com.
struct Parts {
  std::string_view whole, local, domain;
  bool has_domain = false;
  explicit Parts(std::string_view s) : whole(s), local(s) {
    size_t at = s.rfind('@');
    if (at == std::string_view::npos) return;
    local = s.substr(0, at);
    domain = s.substr(at + 1);
    has_domain = true;
  }
  // %1 is the last label ("com"), %2 the one before it; nullopt when there is none.
  std::optional<std::string_view> label(int n) const {
    if (!has_domain || domain.empty()) return std::nullopt;
    std::string_view d = domain;
    for (int i = 1;; ++i) {
      size_t dot = d.rfind('.');
      std::string_view label = dot == std::string_view::npos ? d : d.substr(dot + 1);
      if (i == n) return label.empty() ? std::nullopt : std::optional(label);
      if (dot == std::string_view::npos) return std::nullopt;
      d = d.substr(0, dot);
    }
  }
};

constexpr std::string_view kParameters[] = {
    "hosts",         "user",   "password",        "dbname", "query",
    "result_format", "domain", "expansion_limit", "dbpath", "connect_timeout"};

}  // namespace

std::string check_sql_format(std::string_view format, bool result_format) {
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') continue;
    if (i + 1 == format.size()) return "'%' at the end";
    char c = format[++i];
    if (std::string_view("%sudSUD123456789").find(c) == std::string_view::npos)
      return fmt::format("unknown expansion \"%{}\" in the {}", c,
                         result_format ? "result_format" : "query");
  }
  return "";
}

Result<std::optional<std::string>> expand_sql(std::string_view format, std::string_view key,
                                              const std::string* value, const Quote& quote) {
  Parts k(key);
  Parts v(value ? std::string_view(*value) : key);
  std::string out;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 == format.size()) {
      out += format[i];
      continue;
    }
    char c = format[++i];
    std::optional<std::string_view> part;
    const Parts& p = (c >= 'A' && c <= 'Z') ? k : v;
    switch (c) {
      case '%':
        out += '%';
        continue;
      case 's':
      case 'S':
        part = p.whole;
        break;
      case 'u':
      case 'U':
        if (!p.has_domain || !p.local.empty()) part = p.local;
        break;
      case 'd':
      case 'D':
        if (p.has_domain && !p.domain.empty()) part = p.domain;
        break;
      default:
        if (c >= '1' && c <= '9') part = k.label(c - '0');
        break;
    }
    if (!part) return std::optional<std::string>();
    auto quoted = quote(*part);
    if (!quoted) return quoted.error();
    out += *quoted;
  }
  return std::optional<std::string>(std::move(out));
}

Result<SqlTableFile> parse_sql_table_file(std::string_view text, std::string_view file_name,
                                          std::string_view type) {
  auto parsed = config::MainCf::parse(text, file_name);
  if (!parsed) return parsed.error();
  SqlTableFile out;
  out.connection.file = std::string(file_name);
  std::string hosts = "localhost";
  auto fail = [&](int line, const std::string& what) {
    return Error{fmt::format("{}:{}: error: {}", file_name, line, what)};
  };
  for (const auto& e : parsed->entries()) {
    if (parsed->find(e.name) != &e) continue;  // the last one of a name counts
    bool known = false;
    for (auto name : kParameters) known = known || e.name == name;
    bool sqlite = type == "sqlite";
    bool server_only = e.name == "hosts" || e.name == "user" || e.name == "password" ||
                       e.name == "dbname" || e.name == "connect_timeout";
    if (!known || (e.name == "dbpath" && !sqlite) || (server_only && sqlite))
      return fail(e.line, fmt::format("unknown {} table parameter \"{}\"", type, e.name));
    const std::string& v = e.value;
    if (e.name == "hosts") hosts = v;
    if (e.name == "user") out.connection.user = v;
    if (e.name == "password") out.connection.password = v;
    if (e.name == "dbname") out.connection.dbname = v;
    if (e.name == "dbpath") out.dbpath = v;
    if (e.name == "query" || e.name == "result_format") {
      if (auto why = check_sql_format(v, e.name == "result_format"); !why.empty())
        return fail(e.line, why);
      (e.name == "query" ? out.query : out.result_format) = v;
    }
    if (e.name == "domain")
      for (const auto& d : base::split_list(v)) out.domains.push_back(base::to_lower(d));
    if (e.name == "expansion_limit" || e.name == "connect_timeout") {
      auto n = base::parse_int(v);
      if (!n || *n < 0 || *n > 1000000)
        return fail(e.line, fmt::format("bad {} \"{}\"", e.name, v));
      if (e.name == "expansion_limit") out.expansion_limit = static_cast<size_t>(*n);
      if (e.name == "connect_timeout") out.connection.connect_timeout = static_cast<unsigned>(*n);
    }
  }
  if (out.query.empty()) return Error{fmt::format("{}: error: missing \"query\"", file_name)};
  if (type == "sqlite") {
    if (out.dbpath.empty()) return Error{fmt::format("{}: error: missing \"dbpath\"", file_name)};
    return out;
  }
  for (const auto& spec : base::split_list(hosts)) {
    auto host = sql::parse_host(spec);
    if (!host)
      return fail(parsed->find("hosts") ? parsed->find("hosts")->line : 0, host.error().message);
    out.connection.hosts.push_back(std::move(*host));
  }
  if (out.connection.hosts.empty())
    return Error{fmt::format("{}: error: \"hosts\" names no server", file_name)};
  if (out.connection.dbname.empty())
    return Error{fmt::format("{}: error: missing \"dbname\"", file_name)};
  out.connection.query = out.query;
  return out;
}

Result<SqlTableFile> load_sql_table_file(std::string_view name, std::string_view type) {
  auto text = read_rule_file(std::string(name));
  if (!text) return text.error();
  return parse_sql_table_file(*text, name, type);
}

}  // namespace correio::maps::detail
