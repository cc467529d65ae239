// main.cf as written: `name = value` logical lines, comments and continuations (postconf(5)).
#include "config/main_cf.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/strings.hpp"
#include "config/detail/logical_lines.hpp"

namespace correio::config {

bool is_valid_parameter_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxParameterNameLength) return false;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    // Letters, digits and '_'; '.', '-' and ':' appear in service-dependent names such
    // as "127.0.0.1:10025_time_limit" or "relay-out_destination_concurrency_limit".
    if (!std::isalnum(u) && c != '_' && c != '.' && c != '-' && c != ':') return false;
  }
  return true;
}

Result<MainCf> MainCf::parse(std::string_view text, std::string_view file_name,
                             std::vector<std::string>* warnings) {
  auto lines = detail::read_logical_lines(text, file_name);
  if (!lines) return lines.error();

  MainCf main_cf;
  main_cf.file_name_ = std::string(file_name);
  for (const auto& logical : *lines) {
    std::string_view rest = logical.text;
    // The name ends at the first blank or '='; Postfix's split_nameval(3).
    size_t name_end = rest.find_first_of(" \t\r\f\v=");
    std::string_view name = rest.substr(0, name_end);
    std::string_view after =
        name_end == std::string_view::npos ? std::string_view{} : rest.substr(name_end);
    after = base::trim_left(after);
    if (after.empty() || after.front() != '=') {
      return Error{fmt::format("{}:{}: error: missing '=' after parameter name: \"{}\"", file_name,
                               logical.line, name)};
    }
    if (!is_valid_parameter_name(name)) {
      return Error{
          fmt::format("{}:{}: error: bad parameter name: \"{}\"", file_name, logical.line, name)};
    }
    // A '#' inside the value is data, not a comment (postconf(5)).
    std::string value(base::trim(after.substr(1)));
    if (warnings && main_cf.find(name)) {
      warnings->push_back(fmt::format("{}:{}: warning: overriding earlier entry: {}={}", file_name,
                                      logical.line, name, value));
    }
    main_cf.entries_.push_back(MainCfEntry{std::string(name), std::move(value), logical.line});
  }
  return main_cf;
}

Result<MainCf> MainCf::load(const std::filesystem::path& file, std::vector<std::string>* warnings) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) {
      MainCf empty;
      empty.file_name_ = file.string();
      return empty;
    }
    return Error{fmt::format("open {}: {}", file.string(), std::strerror(errno))};
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Error{fmt::format("read {}: {}", file.string(), std::strerror(errno))};
  return parse(buffer.str(), file.string(), warnings);
}

const MainCfEntry* MainCf::find(std::string_view name) const {
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it)
    if (it->name == name) return &*it;
  return nullptr;
}

}  // namespace correio::config
