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

// The first word of an action, upper-cased.
std::string action_word(std::string_view value) {
  std::string_view t = base::trim(value);
  std::string word(t.substr(0, t.find_first_of(" \t")));
  for (char& c : word)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  return word;
}

// The problem with one table entry's action, "" when there is none.
std::string action_problem(std::string_view where, std::string_view value, CheckUse use,
                           const std::string& parameter) {
  if (use == CheckUse::cleanup) return {};  // cleanup performs every action, FILTER too
  // header_checks(5) "not supported with smtp header/body checks"; refused here so that
  // no rule is silently skipped while mail goes out.
  CheckAction action = parse_check_action(base::trim(value), false, parameter);
  if (supported_in_delivery(action.verb)) return {};
  return fmt::format(
      "{}: {}: action not supported by the smtp/lmtp client (only DUNNO, IGNORE, INFO, "
      "PREPEND, REPLACE and WARN; header_checks(5))",
      where, action_word(value));
}

}  // namespace

std::vector<std::string> content_check_problems(const config::Config& config,
                                                std::string_view prefix, CheckUse use) {
  std::vector<std::string> problems;
  for (std::string_view name : kTableNames) {
    std::string parameter = std::string(prefix) + std::string(name);
    for (const std::string& spec : maps::split_map_list(config.get(parameter))) {
      // FILTER is honoured (queue_file_format.hpp's filter record): for cleanup only a
      // table that does not open is a problem.
      auto map = maps::open_map(spec);
      if (!map) {
        problems.push_back(problem(config, parameter, map.error().message));
        continue;
      }
      // Only the smtp/lmtp clients refuse actions. Tables whose results cannot be listed
      // (static:, SQL) are checked per message: such an action then defers the message
      // (content_inspector.cpp).
      if (use == CheckUse::cleanup) continue;
      auto results = (*map)->written_results();
      if (!results) continue;
      for (const auto& [where, value] : *results)
        if (std::string text = action_problem(where, value, use, parameter); !text.empty())
          problems.push_back(problem(config, parameter, text));
    }
  }
  return problems;
}

Result<CheckTables> CheckTables::open(const config::Config& config, std::string_view prefix,
                                      base::Logger& log, CheckUse use) {
  if (auto problems = content_check_problems(config, prefix, use); !problems.empty())
    return Error{problems.front()};
  CheckTables tables;
  tables.use = use;
  CheckTable* slots[] = {&tables.header, &tables.mime_header, &tables.nested_header, &tables.body};
  std::map<std::string, std::shared_ptr<maps::Map>> opened;  // spec -> table, opened once
  maps::MapOptions options = maps::daemon_map_options(config.get_bool("smtputf8_enable"));
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

Result<CheckTables> CheckTables::open_milter_header_checks(const config::Config& config,
                                                           base::Logger& log) {
  CheckTables tables;
  tables.header.parameter = "milter_header_checks";
  std::string spec = config.get(tables.header.parameter);
  if (base::trim(spec).empty()) return tables;
  maps::MapOptions options = maps::daemon_map_options(config.get_bool("smtputf8_enable"));
  options.warn = [&log](const std::string& text) { log.warning("{}", text); };
  auto maps = maps::open_maps(spec, options);
  if (!maps) {
    std::string where = config.location(tables.header.parameter);
    return Error{fmt::format("{}{}error: milter_header_checks: {}", where,
                             where.empty() ? "" : ": ", maps.error().message)};
  }
  tables.header.map = std::shared_ptr<maps::Map>(std::move(*maps));
  tables.mime.disable_mime = true;  // a header section only
  tables.mime.header_size_limit =
      static_cast<size_t>(std::max(0LL, config.get_int("header_size_limit")));
  return tables;
}

}  // namespace correio::cleanup
