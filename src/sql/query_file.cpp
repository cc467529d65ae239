// Postfix-style SQL query files: parsing and %-expansion (see query_file.hpp).
#include "sql/query_file.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "base/strings.hpp"
#include "config/main_cf.hpp"

namespace correio::sql {
namespace {

constexpr size_t kMaxQueryFileSize = 1024 * 1024;

std::optional<unsigned> parse_port(std::string_view s) {
  auto n = base::parse_int(s);
  if (!n || *n < 1 || *n > 65535) return std::nullopt;
  return static_cast<unsigned>(*n);
}

}  // namespace

Result<Host> parse_host(std::string_view spec) {
  Host host;
  host.display = std::string(spec);
  if (spec.empty()) return Error{"empty host"};
  if (spec.substr(0, 5) == "unix:") {
    host.unix_path = std::string(spec.substr(5));
    if (host.unix_path.empty() || host.unix_path.front() != '/')
      return Error{fmt::format("host \"{}\": unix: needs an absolute path", spec)};
    return host;
  }
  if (spec.substr(0, 5) == "inet:") spec.remove_prefix(5);
  std::string_view port;
  if (!spec.empty() && spec.front() == '[') {  // [2001:db8::1]:5432
    size_t close = spec.find(']');
    if (close == std::string_view::npos)
      return Error{fmt::format("host \"{}\": missing ']'", host.display)};
    host.name = std::string(spec.substr(1, close - 1));
    std::string_view rest = spec.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':')
        return Error{fmt::format("host \"{}\": junk after ']'", host.display)};
      port = rest.substr(1);
    }
  } else {
    size_t colon = spec.rfind(':');
    host.name = std::string(spec.substr(0, colon));
    if (colon != std::string_view::npos) port = spec.substr(colon + 1);
  }
  if (host.name.empty()) return Error{fmt::format("host \"{}\": empty host name", host.display)};
  if (!port.empty() || spec.find(':') != std::string_view::npos) {
    host.port = parse_port(port);
    if (!host.port) return Error{fmt::format("host \"{}\": bad port", host.display)};
  }
  return host;
}

std::string check_query_template(std::string_view query) {
  for (size_t i = 0; i < query.size(); ++i) {
    if (query[i] != '%') continue;
    if (i + 1 == query.size()) return "'%' at the end of the query";
    char c = query[++i];
    if (c != '%' && c != 's' && c != 'u' && c != 'd')
      return fmt::format("unknown expansion \"%{}\" in the query (use %s, %u, %d or %%)", c);
  }
  return "";
}

Result<std::optional<std::string>> expand_query(std::string_view query, std::string_view key,
                                                const EscapeFunction& escape) {
  size_t at = key.rfind('@');
  std::string_view local = at == std::string_view::npos ? key : key.substr(0, at);
  std::string_view domain = at == std::string_view::npos ? "" : key.substr(at + 1);
  std::string out;
  for (size_t i = 0; i < query.size(); ++i) {
    if (query[i] != '%' || i + 1 == query.size()) {
      out += query[i];
      continue;
    }
    char c = query[++i];
    std::string_view value;
    if (c == '%') {
      out += '%';
      continue;
    } else if (c == 's') {
      value = key;
    } else if (c == 'u') {
      value = local;
    } else if (c == 'd') {
      if (domain.empty()) return std::optional<std::string>();  // Postfix: no query
      value = domain;
    } else {
      return Error{fmt::format("unknown expansion \"%{}\"", c)};
    }
    auto escaped = escape(value);
    if (!escaped) return escaped.error();
    out += *escaped;
  }
  return std::optional<std::string>(std::move(out));
}

Result<QueryFile> parse_query_file(std::string_view text, std::string_view file_name) {
  auto parsed = config::MainCf::parse(text, file_name);
  if (!parsed) return parsed.error();
  QueryFile file;
  file.file = std::string(file_name);
  std::string hosts = "localhost";
  auto fail = [&](int line, const std::string& what) {
    return Error{fmt::format("{}:{}: error: {}", file_name, line, what)};
  };
  // The effective (last) entry of each name is what counts, as in main.cf.
  for (const auto& entry : parsed->entries()) {
    if (parsed->find(entry.name) != &entry) continue;
    const std::string& v = entry.value;
    if (entry.name == "hosts") {
      hosts = v;
    } else if (entry.name == "user") {
      file.user = v;
    } else if (entry.name == "password") {
      file.password = v;
    } else if (entry.name == "dbname") {
      file.dbname = v;
    } else if (entry.name == "query" || entry.name == "iterate_query") {
      if (auto why = check_query_template(v); !why.empty()) return fail(entry.line, why);
      (entry.name == "query" ? file.query : file.iterate_query) = v;
    } else if (entry.name == "domain") {
      for (const auto& d : base::split_list(v)) file.domains.push_back(base::to_lower(d));
    } else if (entry.name == "connect_timeout") {
      auto n = base::parse_int(v);
      if (!n || *n < 1 || *n > 3600)
        return fail(entry.line, fmt::format("bad connect_timeout \"{}\" (1..3600 seconds)", v));
      file.connect_timeout = static_cast<unsigned>(*n);
    } else if (entry.name == "table" || entry.name == "select_field" ||
               entry.name == "where_field" || entry.name == "additional_conditions") {
      return fail(entry.line, fmt::format("\"{}\" (Postfix's old query interface) is not "
                                          "supported: write the whole query in \"query\"",
                                          entry.name));
    } else {
      return fail(entry.line, fmt::format("unknown parameter \"{}\"", entry.name));
    }
  }
  for (const auto& spec : base::split_list(hosts)) {
    auto host = parse_host(spec);
    if (!host) {
      const auto* e = parsed->find("hosts");
      return fail(e ? e->line : 0, host.error().message);
    }
    file.hosts.push_back(std::move(*host));
  }
  if (file.hosts.empty())
    return Error{fmt::format("{}: error: \"hosts\" names no server", file_name)};
  if (file.query.empty())
    return Error{
        fmt::format("{}: error: missing \"query\" (SELECT ... WHERE user = '%s')", file_name)};
  if (file.dbname.empty()) return Error{fmt::format("{}: error: missing \"dbname\"", file_name)};
  return file;
}

Result<QueryFile> load_query_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno))};
  std::string text;
  text.resize(kMaxQueryFileSize + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return Error{fmt::format("{}: read error", path.string())};
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxQueryFileSize)
    return Error{fmt::format("{}: larger than {} bytes", path.string(), kMaxQueryFileSize)};
  return parse_query_file(text, path.string());
}

}  // namespace correio::sql
