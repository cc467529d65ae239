// Opening the content inspection tables and checking their actions at start (see the
// header).
#include "cleanup/check_tables.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "base/strings.hpp"
#include "cleanup/check_action.hpp"

namespace correio::cleanup {
namespace {

constexpr std::string_view kTableNames[] = {"header_checks", "mime_header_checks",
                                            "nested_header_checks", "body_checks"};

std::string problem(const config::Config& config, const std::string& parameter,
                    std::string_view text) {
  std::string where = config.location(parameter);
  return fmt::format("{}{}error: {}: {}", where, where.empty() ? "" : ": ", parameter, text);
}

}  // namespace

std::vector<std::string> content_check_problems(const config::Config& config,
                                                std::string_view prefix) {
  std::vector<std::string> problems;
  for (std::string_view name : kTableNames) {
    std::string parameter = std::string(prefix) + std::string(name);
    for (const std::string& spec : maps::split_map_list(config.get(parameter))) {
      // FILTER is honoured (queue_file_format.hpp's filter record): only a table that
      // does not open is a problem.
      if (auto map = maps::open_map(spec); !map)
        problems.push_back(problem(config, parameter, map.error().message));
    }
  }
  return problems;
}

Result<CheckTables> CheckTables::open(const config::Config& config, std::string_view prefix,
                                      base::Logger& log) {
  if (auto problems = content_check_problems(config, prefix); !problems.empty())
    return Error{problems.front()};
  CheckTables tables;
  CheckTable* slots[] = {&tables.header, &tables.mime_header, &tables.nested_header, &tables.body};
  std::map<std::string, std::shared_ptr<maps::Map>> opened;  // spec -> table, opened once
  maps::MapOptions options;
  options.warn = [&log](const std::string& text) { log.warning("{}", text); };
  for (size_t i = 0; i < 4; ++i) {
    slots[i]->parameter = std::string(prefix) + std::string(kTableNames[i]);
    std::string spec = config.get(slots[i]->parameter);
    if (base::trim(spec).empty()) continue;
    if (auto found = opened.find(spec); found != opened.end()) {
      slots[i]->map = found->second;
      continue;
    }
    auto maps = maps::open_maps(spec, options);
    if (!maps) return Error{slots[i]->parameter + ": " + maps.error().message};
    slots[i]->map = std::shared_ptr<maps::Map>(std::move(*maps));
    opened.emplace(spec, slots[i]->map);
  }
  tables.body_size_limit = config.get_int("body_checks_size_limit");
  tables.mime.disable_mime = config.get_bool("disable_mime_input_processing");
  auto size = [&](const char* name) {
    return static_cast<size_t>(std::max(0LL, config.get_int(name)));
  };
  tables.mime.header_size_limit = size("header_size_limit");
  tables.mime.line_length_limit = size("line_length_limit");
  tables.mime.nesting_limit = size("mime_nesting_limit");
  return tables;
}

}  // namespace correio::cleanup
