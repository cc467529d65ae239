// postmap and postalias (Postfix's postmap(1), postalias(1)): the command line, and the
// operations on existing tables — query keys (-q), dump (-s), delete keys (-d); building a
// table is postmap_build.cpp. No privilege of its own: run by root, a table gets the
// source file's owner, as Postfix does.
#include <fmt/format.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "base/base64.hpp"
#include "base/strings.hpp"
#include "cli/commands.hpp"
#include "cli/postmap_tool.hpp"
#include "maps/cdb_map.hpp"
#include "maps/key_fold.hpp"
#include "maps/lmdb_map.hpp"
#include "maps/map.hpp"

namespace correio::cli {
namespace {

using postmap_tool::fatal;
using postmap_tool::Options;
using postmap_tool::Tool;

int usage(const Tool& tool) {
  if (tool.aliases())
    return fatal(tool,
                 "usage: postalias [-Nfinoprsuvw] [-c config_dir] [-d key] [-q key] "
                 "[map_type:]file...");
  return fatal(tool,
               "usage: postmap [-bfFhimnNoprsuUvw] [-c config_dir] [-d key] [-q key] "
               "[map_type:]file...");
}

// One option letter; false on a usage error (the caller prints the usage line).
bool apply_flag(const Tool& tool, char flag, Options& o) {
  switch (flag) {
    case 'i':
      o.incremental = true;
      return true;
    case 'f':
      o.fold_case = false;
      return true;
    case 'F':  // postmap only (postalias(1) has no -F)
      o.file_values = true;
      return !tool.aliases();
    case 'u':
      o.no_utf8 = true;
      return true;
    // Message query modes (postmap only; postalias(1) has none of them).
    case 'b':
      o.body_keys = true;
      return !tool.aliases();
    case 'h':
      o.header_keys = true;
      return !tool.aliases();
    case 'm':
      o.mime_keys = true;
      return !tool.aliases();
    case 'U':
      o.force_utf8 = true;
      return !tool.aliases();
    case 'w':  // postmap(1): do not complain about duplicates, keep the first
      o.duplicates = maps::Duplicates::kIgnore;
      return true;
    case 'r':  // postmap(1): do not complain about duplicates, the last one wins
      o.duplicates = maps::Duplicates::kReplace;
      return true;
    // -n is what Correio's tables are; -v (verbose), -o and -p (privileges and file modes
    // of a root run, which Correio handles itself) change no result.
    case 'n':
    case 'v':
    case 'o':
    case 'p':
      return true;
    default:
      return false;
  }
}

// -s, -q and -d exclude each other, with Postfix's two wordings.
std::optional<std::string> conflict(char flag, const Options& o) {
  if (flag == 's' && (o.query || o.delete_key)) return "specify only one of -s or -q or -d";
  if ((flag == 'q' || flag == 'd') && (o.dump || o.query || o.delete_key))
    return "specify only one of -s -q or -d";
  return std::nullopt;
}

// Parses argv; nullopt after printing why (usage or a fatal conflict).
std::optional<Options> parse_args(const Tool& tool, int argc, char** argv) {
  Options o;
  int i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; ++i) {
    for (const char* p = argv[i] + 1; *p;) {
      char flag = *p++;
      if (auto why = conflict(flag, o)) return (fatal(tool, *why), std::nullopt);
      if (flag == 'c' || flag == 'q' || flag == 'd') {
        // The value is the rest of this argument, or the next argument.
        const char* value = *p ? p : (i + 1 < argc ? argv[++i] : nullptr);
        if (!value) return (usage(tool), std::nullopt);
        if (flag == 'c')
          o.config_dir = value;
        else if (flag == 'q')
          o.query = value;
        else
          o.delete_key = value;
        p = "";
      } else if (flag == 's') {
        o.dump = true;
      } else if (flag == 'N') {
        // Correio's tables store keys and values without the terminating NUL, as
        // Postfix's -n; including it is refused rather than ignored.
        std::fprintf(stderr,
                     "%s: fatal: -N is not supported: Correio's tables never store the "
                     "terminating NUL (the -n form)\n",
                     tool.name);
        return std::nullopt;
      } else if (!apply_flag(tool, flag, o)) {
        std::fprintf(stderr, "%s: invalid option -- '%c'\n", tool.name, flag);
        return (usage(tool), std::nullopt);
      }
    }
  }
  for (; i < argc; ++i) o.tables.emplace_back(argv[i]);
  if (o.tables.empty()) return (usage(tool), std::nullopt);
  bool any_key_mode = o.body_keys || o.header_keys || o.mime_keys;
  if (any_key_mode && o.query != "-")
    return (fatal(tool, "specify -b -h or -m only with \"-q -\""), std::nullopt);
  if (o.mime_keys && !o.body_keys && !o.header_keys)
    std::fprintf(stderr, "%s: warning: ignoring -m option without -b or -h\n", tool.name);
  return o;
}

// The name Postfix's messages give a table: "type:name", with a database file's
// suffix for the file-based types ("cdb:/etc/postfix/x.cdb").
std::string message_name(const maps::Map& map) {
  std::string spec = map.spec();
  size_t colon = spec.find(':');
  std::string type = spec.substr(0, colon);
  if (type == "hash" || type == "lmdb") return type + ":" + maps::lmdb_file(spec.substr(colon + 1));
  if (type == "cdb") return maps::cdb_file(spec);
  return spec;
}

struct Printer {
  const Tool& tool;
  bool base64 = false;  // -F: values are base64-decoded before they are printed

  // One "key<TAB>value" line (postalias: "key:<TAB>value"), or the value alone. False
  // when a -F value is not base64 (warned about).
  bool print(const maps::Map& map, const std::string& key, const std::string& value,
             bool with_key) const {
    std::string shown = value;
    if (base64) {
      auto decoded = base::base64_decode(value);
      if (!decoded) {
        std::fprintf(stderr, "%s: warning: table %s: key %s: malformed BASE64 value: %s\n",
                     tool.name, message_name(map).c_str(), key.c_str(), value.c_str());
        return false;
      }
      shown = std::move(*decoded);
    }
    if (with_key)
      std::printf("%s%s\t%s\n", key.c_str(), tool.aliases() ? ":" : "", shown.c_str());
    else
      std::printf("%s\n", shown.c_str());
    return true;
  }
};

// What one -q key came to: the exit status, except kFatal (exit 1 as any Postfix fatal
// error, and no further keys). A table that fails exits 2, which scripts can tell from
// "not found".
constexpr int kFound = 0, kNotFound = 1, kTableError = 2, kFatal = 3;

// Postfix's dict_get() and dict_seq() complain about an empty value (a pattern table's
// rule with no result, a -F file that was empty) and postmap prints it all the same.
void warn_empty(const Tool& tool, const maps::Map& map, const std::string& key) {
  std::fprintf(stderr, "%s: warning: table %s: key %s: empty string result is not allowed\n",
               tool.name, map.spec().c_str(), key.c_str());
  std::fprintf(stderr, "%s: warning: table %s should return NO RESULT in case of NOT FOUND\n",
               tool.name, map.spec().c_str());
}

// How -q treats keys: the tables fold them as the daemons do (MapOptions::utf8, from
// smtputf8_enable; -u turns it off): Unicode case folding with UTF-8, ASCII without.
struct KeyMode {
  bool utf8 = true;
};

// -q: the first table that has the key prints its value.
int query(const Printer& out, const std::vector<std::unique_ptr<maps::Map>>& tables,
          const std::string& key, bool print_key, KeyMode mode) {
  const Tool& tool = out.tool;
  for (const auto& map : tables) {
    // Postfix's dict_utf8 layer refuses a key that is not UTF-8 before the table sees it.
    if (mode.utf8 && !maps::valid_utf8(key)) {
      std::fprintf(stderr,
                   "%s: warning: %s: non-UTF-8 key \"%s\": malformed UTF-8 or invalid codepoint\n",
                   tool.name, message_name(*map).c_str(), maps::printable(key).c_str());
      continue;
    }
    auto found = map->lookup(key);
    if (!found) {
      fatal(tool, found.error().message);
      return kTableError;
    }
    if (!*found) continue;
    if ((*found)->empty()) warn_empty(tool, *map, key);
    if (!out.print(*map, key, **found, print_key))
      return (fatal(tool, fmt::format("table {}: query error", message_name(*map))), kFatal);
    return kFound;
  }
  return kNotFound;
}

// -s: Postfix lists the first table only.
int dump(const Printer& out, maps::Map& map) {
  auto all = map.entries();
  if (!all) return fatal(out.tool, all.error().message);
  for (const auto& [k, v] : *all) {
    if (v.empty()) warn_empty(out.tool, map, k);
    out.print(map, k, v, true);
  }
  return 0;
}

// -d: why a table cannot lose a key, in Postfix's words; nullopt when it can.
std::optional<std::string> delete_refusal(const std::string& spec) {
  std::string type = spec.substr(0, spec.find(':'));
  if (type == "hash" || type == "lmdb") return std::nullopt;
  if (type == "cdb")
    return "dict_cdb_open: inappropriate open flags for cdb database - specify O_RDONLY or "
           "O_WRONLY|O_CREAT|O_TRUNC";
  if (type == "static") return fmt::format("table {}: delete operation is not supported", spec);
  return fmt::format("{} map requires O_RDONLY access mode", spec);
}

// -d KEY or -d - (keys from stdin, one a line, as they are): one entry per table goes.
// Exit 0 when some key was found.
int remove_keys(const Tool& tool, const Options& o, const config::Config& config) {
  bool utf8 = postmap_tool::utf8_enabled(o, config);
  std::vector<std::string> dbs;
  for (const auto& t : o.tables) {
    std::string spec = postmap_tool::with_type(t, config);
    if (spec.starts_with("proxy:")) spec.erase(0, 6);  // Correio writes the table itself
    if (auto why = delete_refusal(spec)) return fatal(tool, *why);
    dbs.push_back(maps::lmdb_file(spec.substr(spec.find(':') + 1)));
  }
  std::vector<std::string> keys;
  if (*o.delete_key != "-")
    keys.push_back(*o.delete_key);
  else
    for (std::string line; std::getline(std::cin, line);) keys.push_back(line);
  bool found = false;
  for (const auto& raw : keys) {
    std::string key = o.fold_case ? maps::fold_key(raw, utf8) : raw;
    for (const auto& db : dbs) {
      auto gone = maps::delete_lmdb_key(db, key);
      if (!gone) return fatal(tool, gone.error().message);
      found |= *gone;
    }
  }
  return found ? 0 : 1;
}

int run(const Tool& tool, int argc, char** argv) {
  auto o = parse_args(tool, argc, argv);
  if (!o) return 1;
  auto config = config::Config::load(config::resolve_config_dir(o->config_dir));
  if (!config) return fatal(tool, config.error().message);
  if (o->delete_key) return remove_keys(tool, *o, *config);
  if (!o->query && !o->dump) {
    int status = 0;
    for (const auto& t : o->tables)
      status |= postmap_tool::compile(tool, postmap_tool::with_type(t, *config), *o, *config);
    return status;
  }
  KeyMode mode;
  mode.utf8 = postmap_tool::utf8_enabled(*o, *config);
  // postmap(1): -b and -h turn the UTF-8 checks off (message text is often not UTF-8),
  // unless -U.
  bool message_mode = o->body_keys || o->header_keys;
  if (message_mode && !o->force_utf8) mode.utf8 = false;
  maps::MapOptions mo;
  mo.syntax = tool.syntax;
  mo.fold_case = o->fold_case;
  mo.utf8 = mode.utf8;
  mo.warn = [&tool](const std::string& text) {
    std::fprintf(stderr, "%s: warning: %s\n", tool.name, text.c_str());
  };
  std::vector<std::unique_ptr<maps::Map>> tables;
  for (const auto& t : o->tables) {
    auto map = maps::open_map(postmap_tool::with_type(t, *config), mo);
    if (!map) return fatal(tool, map.error().message);
    tables.push_back(std::move(*map));
  }
  Printer out{tool, o->file_values};
  if (o->dump) return dump(out, *tables.front());
  if (*o->query != "-") {
    int s = query(out, tables, *o->query, false, mode);
    return s == kFatal ? 1 : s;
  }
  // -q -: keys from stdin, found ones printed as "key<TAB>value".
  int status = 1;
  if (message_mode) {
    // -b/-h: a message on stdin; Postfix's postmap_body() stops at a table error.
    bool fatal_error = false;
    postmap_tool::message_keys(std::cin, {o->header_keys, o->body_keys, o->mime_keys},
                               [&](const std::string& key) {
                                 int s = query(out, tables, key, true, mode);
                                 if (s == kFound) status = 0;
                                 fatal_error = s == kFatal || s == kTableError;
                                 return !fatal_error;
                               });
    return fatal_error ? 1 : status;
  }
  for (std::string key; std::getline(std::cin, key);) {
    std::string_view k = base::trim(key);
    if (k.empty()) continue;
    int s = query(out, tables, std::string(k), true, mode);
    if (s == kFatal) return 1;
    if (s == kTableError) return s;
    if (s == kFound) status = 0;
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

}  // namespace correio::cli
