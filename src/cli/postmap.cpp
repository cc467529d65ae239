// postmap, postalias and newaliases (Postfix's postmap(1), postalias(1), newaliases(1)):
// compile a table's source file into FILE.lmdb (built aside, renamed into place), query
// keys (-q) and dump tables (-s). No privilege of its own: run by root, the table gets
// the source file's owner, as Postfix does.
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/strings.hpp"
#include "cli/commands.hpp"
#include "config/config.hpp"
#include "maps/cdb_map.hpp"
#include "maps/lmdb_map.hpp"
#include "maps/map.hpp"
#include "maps/source_file.hpp"

namespace correio::cli {
namespace {

struct Options {
  const char* config_dir = nullptr;
  bool incremental = false;  // -i: add stdin's entries to the existing table
  bool fold_case = true;     // -f turns folding off
  bool dump = false;         // -s
  maps::Duplicates duplicates = maps::Duplicates::kWarn;  // -w ignores, -r replaces
  std::optional<std::string> query;                       // -q KEY ("-": keys from stdin)
  std::vector<std::string> tables;                        // [type:]file
};

struct Tool {
  const char* name;  // "postmap", "postalias"
  maps::SourceSyntax syntax;
};

int usage(const Tool& tool) {
  std::fprintf(stderr, "usage: %s [-finrsw] [-c config_dir] [-q key] [type:]file...\n", tool.name);
  return 1;
}

// Parses argv; nullopt on a usage error.
std::optional<Options> parse_args(const Tool& tool, int argc, char** argv) {
  Options o;
  int i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; ++i) {
    for (const char* p = argv[i] + 1; *p;) {
      switch (char flag = *p++) {
        case 'c':
        case 'q': {
          // The value is the rest of this argument, or the next argument.
          const char* value = *p ? p : (i + 1 < argc ? argv[++i] : nullptr);
          if (!value) return std::nullopt;
          if (flag == 'c')
            o.config_dir = value;
          else
            o.query = value;
          p = "";
          break;
        }
        case 'i':
          o.incremental = true;
          break;
        case 'f':
          o.fold_case = false;
          break;
        case 's':
          o.dump = true;
          break;
        case 'w':  // postmap(1): do not complain about duplicates, keep the first
          o.duplicates = maps::Duplicates::kIgnore;
          break;
        case 'r':  // postmap(1): do not complain about duplicates, the last one wins
          o.duplicates = maps::Duplicates::kReplace;
          break;
        case 'N':
          // Correio's tables store keys and values without the terminating NUL, as
          // Postfix's -n; including it is refused rather than ignored.
          std::fprintf(stderr,
                       "%s: fatal: -N is not supported: Correio's tables never store the "
                       "terminating NUL (the -n form)\n",
                       tool.name);
          return std::nullopt;
        // -n is what Correio's tables are; -v (verbose), -o and -p (privileges and file
        // modes of a root run, which Correio handles itself) change no result.
        case 'n':
        case 'v':
        case 'o':
        case 'p':
          break;
        default:
          return std::nullopt;
      }
    }
  }
  for (; i < argc; ++i) o.tables.emplace_back(argv[i]);
  if (o.tables.empty() || (o.dump && o.query)) return std::nullopt;
  return o;
}

// "file" -> "hash:file"; "type:file" unchanged.
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

// Compiles `spec` (hash:FILE, lmdb:FILE or cdb:FILE) from FILE, or with -i from stdin
// into it.
int compile(const Tool& tool, const std::string& spec, const Options& o) {
  size_t colon = spec.find(':');
  std::string type = spec.substr(0, colon), file = spec.substr(colon + 1);
  bool cdb = type == "cdb";
  if (type != "hash" && type != "lmdb" && !cdb)
    return fatal(tool, fmt::format("unsupported dictionary type for {}: {}", tool.name, type));
  std::string db = cdb ? maps::cdb_file(file) : maps::lmdb_file(file);
  std::vector<std::pair<std::string, std::string>> entries;
  std::map<std::string, bool, std::less<>> present;
  maps::ParsedSource parsed;
  if (o.incremental) {
    auto old = cdb ? maps::read_cdb(db) : maps::read_lmdb(db);
    if (!old) return fatal(tool, old.error().message);
    entries = std::move(*old);
    std::string text((std::istreambuf_iterator<char>(std::cin)), {});
    parsed = maps::parse_source(text, "-", tool.syntax, o.fold_case, o.duplicates);
  } else {
    auto read = maps::read_source(file, tool.syntax, o.fold_case, o.duplicates);
    if (!read) return fatal(tool, read.error().message);
    parsed = std::move(*read);
  }
  for (const auto& w : parsed.warnings)
    std::fprintf(stderr, "%s: warning: %s\n", tool.name, w.c_str());
  for (size_t k = 0; k < entries.size(); ++k) present[entries[k].first] = true;
  for (auto& e : parsed.entries) {
    if (present.count(e.key)) {  // -i replaces an existing key's value
      for (auto& old : entries)
        if (old.first == e.key) old.second = e.value;
      continue;
    }
    entries.emplace_back(std::move(e.key), std::move(e.value));
  }
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

// -q: the first table that has the key prints its value. Exit 0 found, 1 not found.
int query(const Tool& tool, const std::vector<std::unique_ptr<maps::Map>>& tables,
          const std::string& key, bool print_key) {
  for (const auto& map : tables) {
    auto found = map->lookup(key);
    if (!found) {
      fatal(tool, found.error().message);
      return 2;  // a table failure, not "not found"
    }
    if (*found) {
      // Postfix's dict_get() complains about an empty value (a pattern table's rule with
      // no result) and postmap prints it all the same.
      if ((*found)->empty()) {
        std::fprintf(stderr, "%s: warning: table %s: key %s: empty string result is not allowed\n",
                     tool.name, map->spec().c_str(), key.c_str());
        std::fprintf(stderr, "%s: warning: table %s should return NO RESULT in case of NOT FOUND\n",
                     tool.name, map->spec().c_str());
      }
      if (print_key)
        std::printf("%s\t%s\n", key.c_str(), (*found)->c_str());
      else
        std::printf("%s\n", (*found)->c_str());
      return 0;
    }
  }
  return 1;
}

int run(const Tool& tool, int argc, char** argv) {
  auto o = parse_args(tool, argc, argv);
  if (!o) return usage(tool);
  auto config = config::Config::load(config::resolve_config_dir(o->config_dir));
  if (!config) return fatal(tool, config.error().message);

  if (!o->query && !o->dump) {
    int status = 0;
    for (const auto& t : o->tables) status |= compile(tool, with_type(t, *config), *o);
    return status;
  }
  maps::MapOptions mo;
  mo.syntax = tool.syntax;
  mo.fold_case = o->fold_case;
  mo.warn = [&tool](const std::string& text) {
    std::fprintf(stderr, "%s: warning: %s\n", tool.name, text.c_str());
  };
  std::vector<std::unique_ptr<maps::Map>> tables;
  for (const auto& t : o->tables) {
    auto map = maps::open_map(with_type(t, *config), mo);
    if (!map) return fatal(tool, map.error().message);
    tables.push_back(std::move(*map));
  }
  if (o->dump) {
    for (const auto& map : tables) {
      auto all = map->entries();
      if (!all) return fatal(tool, all.error().message);
      for (const auto& [k, v] : *all) std::printf("%s\t%s\n", k.c_str(), v.c_str());
    }
    return 0;
  }
  if (*o->query != "-") return query(tool, tables, *o->query, false);
  // -q -: keys from stdin, found ones printed as "key<TAB>value".
  int status = 1;
  for (std::string key; std::getline(std::cin, key);) {
    std::string_view k = base::trim(key);
    if (k.empty()) continue;
    int s = query(tool, tables, std::string(k), true);
    if (s > 1) return s;
    if (s == 0) status = 0;
  }
  return status;
}

}  // namespace

int postmap_main(int argc, char** argv) {
  return run({"postmap", maps::SourceSyntax::kPostmap}, argc, argv);
}

int postalias_main(int argc, char** argv) {
  return run({"postalias", maps::SourceSyntax::kAliases}, argc, argv);
}

// newaliases [-c DIR]: postalias for every hash:/lmdb: table in alias_database.
int newaliases_main(int argc, char** argv) {
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
    if (type == "hash" || type == "lmdb" || type == "cdb") status |= compile(tool, typed, o);
  }
  return status;
}

}  // namespace correio::cli
