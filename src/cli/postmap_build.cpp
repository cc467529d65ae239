// postmap/postalias/newaliases compiling a source file into a table (Postfix's
// postmap(1) and postalias(1) without -q, -s or -d): FILE.lmdb or FILE.cdb, built aside
// and renamed into place; -i adds stdin's entries; -F stores files' content as base64.
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>

#include "base/base64.hpp"
#include "base/strings.hpp"
#include "cli/commands.hpp"
#include "cli/postmap_tool.hpp"
#include "maps/cdb_map.hpp"
#include "maps/lmdb_map.hpp"

namespace correio::cli::postmap_tool {
namespace {

// Reads a whole file for -F; an Error names the file as Postfix does ("open NAME: ...").
Result<std::string> read_value_file(const std::string& name) {
  std::ifstream in(name, std::ios::binary);
  if (!in) return Error{fmt::format("open {}: {}", name, std::strerror(errno))};
  std::string text((std::istreambuf_iterator<char>(in)), {});
  if (in.bad()) return Error{fmt::format("read {}: {}", name, std::strerror(errno))};
  if (text.size() > maps::kMaxSourceFileSize) return Error{fmt::format("{}: file too large", name)};
  return text;
}

// postmap -F: "the value must specify one or more filenames separated by comma and/or
// whitespace; postmap(1) will concatenate the file content (with a newline character
// inserted between files) and will store the base64-encoded result instead of the value".
Result<std::string> file_value(std::string_view names) {
  std::string joined;
  bool first = true;
  for (std::string_view rest = names; !rest.empty();) {
    size_t start = rest.find_first_not_of(", \t\r\n");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    size_t end = std::min(rest.find_first_of(", \t\r\n"), rest.size());
    auto content = read_value_file(std::string(rest.substr(0, end)));
    if (!content) return content.error();
    if (!first) joined += '\n';
    joined += *content;
    first = false;
    rest.remove_prefix(end);
  }
  return base::base64_encode(joined);
}

// postalias(1) stores, as Sendmail's newaliases does, "@" -> "@" (the alias database is
// complete) and, for NIS, YP_LAST_MODIFIED and YP_MASTER_NAME. Their upper-case keys are
// never found by a (folded) lookup.
void add_alias_markers(std::vector<std::pair<std::string, std::string>>& entries,
                       const config::Config& config) {
  std::pair<std::string, std::string> markers[] = {
      {"YP_LAST_MODIFIED", std::to_string(std::time(nullptr))},
      {"YP_MASTER_NAME", config.get("myhostname")},
      {"@", "@"},
  };
  for (auto& marker : markers) {
    bool replaced = false;
    for (auto& e : entries)
      if (e.first == marker.first) replaced = (e.second = marker.second, true);
    if (!replaced) entries.push_back(std::move(marker));
  }
}

}  // namespace

bool utf8_enabled(const Options& o, const config::Config& config) {
  return !o.no_utf8 && config.get_bool("smtputf8_enable");
}

std::string with_type(const std::string& table, const config::Config& config) {
  if (table.find(':') != std::string::npos) return table;
  std::string type = config.raw("default_database_type").has_value()
                         ? config.get("default_database_type")
                         : "hash";
  return type + ":" + table;
}

int fatal(const Tool& tool, const std::string& text) {
  std::fprintf(stderr, "%s: fatal: %s\n", tool.name, text.c_str());
  return 1;
}

int compile(const Tool& tool, const std::string& spec, const Options& o,
            const config::Config& config) {
  size_t colon = spec.find(':');
  std::string type = spec.substr(0, colon), file = spec.substr(colon + 1);
  bool cdb = type == "cdb";
  if (type != "hash" && type != "lmdb" && !cdb)
    return fatal(tool, fmt::format("unsupported dictionary type for {}: {}", tool.name, type));
  std::string db = cdb ? maps::cdb_file(file) : maps::lmdb_file(file);
  bool utf8 = utf8_enabled(o, config);
  std::vector<std::pair<std::string, std::string>> entries;
  std::map<std::string, size_t, std::less<>> present;  // key -> index in entries
  maps::ParsedSource parsed;
  if (o.incremental) {
    auto old = cdb ? maps::read_cdb(db) : maps::read_lmdb(db);
    if (!old) return fatal(tool, old.error().message);
    entries = std::move(*old);
    std::string text((std::istreambuf_iterator<char>(std::cin)), {});
    parsed = maps::parse_source(text, "-", tool.syntax, o.fold_case, o.duplicates, utf8);
  } else {
    auto read = maps::read_source(file, tool.syntax, o.fold_case, o.duplicates, utf8);
    if (!read) return fatal(tool, read.error().message);
    parsed = std::move(*read);
  }
  for (const auto& w : parsed.warnings)
    std::fprintf(stderr, "%s: warning: %s\n", tool.name, w.c_str());
  for (size_t k = 0; k < entries.size(); ++k) present[entries[k].first] = k;
  for (auto& e : parsed.entries) {
    if (o.file_values) {
      auto value = file_value(e.value);
      if (!value) {
        std::fprintf(stderr, "%s: warning: %s, line %d: %s: skipping this entry\n", tool.name,
                     o.incremental ? "-" : file.c_str(), e.line, value.error().message.c_str());
        continue;
      }
      e.value = std::move(*value);
    }
    if (auto it = present.find(e.key); it != present.end()) {  // -i replaces a value
      entries[it->second].second = std::move(e.value);
      continue;
    }
    present.emplace(e.key, entries.size());
    entries.emplace_back(std::move(e.key), std::move(e.value));
  }
  if (tool.aliases()) add_alias_markers(entries, config);
  int uid = -1, gid = -1;
  struct stat st {};
  if (::geteuid() == 0 && !o.incremental && ::stat(file.c_str(), &st) == 0) {
    uid = static_cast<int>(st.st_uid);
    gid = static_cast<int>(st.st_gid);
  }
  auto built =
      cdb ? maps::build_cdb(db, entries, uid, gid) : maps::build_lmdb(db, entries, uid, gid);
  if (!built) return fatal(tool, built.error().message);
  return 0;
}

}  // namespace correio::cli::postmap_tool

namespace correio::cli {

// newaliases [-c DIR]: postalias for every hash:/lmdb:/cdb: table in alias_database.
int newaliases_main(int argc, char** argv) {
  using namespace postmap_tool;
  const char* config_dir = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "-c") == 0 && i + 1 < argc)
      config_dir = argv[++i];
    else
      return (std::fprintf(stderr, "usage: newaliases [-c config_dir]\n"), 1);
  }
  Tool tool{"newaliases", maps::SourceSyntax::kAliases};
  auto config = config::Config::load(config::resolve_config_dir(config_dir));
  if (!config) return fatal(tool, config.error().message);
  Options o;
  int status = 0;
  for (const auto& spec : maps::split_map_list(config->get("alias_database"))) {
    std::string typed = with_type(spec, *config);
    std::string type = typed.substr(0, typed.find(':'));
    if (type == "hash" || type == "lmdb" || type == "cdb")
      status |= compile(tool, typed, o, *config);
  }
  return status;
}

}  // namespace correio::cli
