// What postmap.cpp (options, queries, dumps, deletes) and postmap_build.cpp (compiling a
// source file into a table) share: the parsed command line and the tool's name and syntax.
// Single-threaded command-line code.
#pragma once

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "maps/source_file.hpp"

namespace correio::cli::postmap_tool {

struct Tool {
  const char* name;  // "postmap", "postalias", "newaliases"
  maps::SourceSyntax syntax;
  bool aliases() const { return syntax == maps::SourceSyntax::kAliases; }
};

struct Options {
  const char* config_dir = nullptr;
  bool incremental = false;  // -i: add stdin's entries to the existing table
  bool fold_case = true;     // -f turns folding off
  bool dump = false;         // -s
  bool file_values = false;  // -F: values are file names (build) / base64 (query, dump)
  bool no_utf8 = false;      // -u: no UTF-8 checks, ASCII-only case folding
  maps::Duplicates duplicates = maps::Duplicates::kWarn;  // -w ignores, -r replaces
  std::optional<std::string> query;                       // -q KEY ("-": keys from stdin)
  std::optional<std::string> delete_key;                  // -d KEY ("-": keys from stdin)
  bool header_keys = false;         // -h: with -q -, each logical header of a message is a key
  bool body_keys = false;           // -b: with -q -, each body line of a message is a key
  bool mime_keys = false;           // -m: MIME parsing for -b and -h
  bool force_utf8 = false;          // -U: keep the UTF-8 checks that -b and -h turn off
  std::vector<std::string> tables;  // [type:]file
};

// Postfix's util_utf8_enable for this run: smtputf8_enable = yes and no -u.
bool utf8_enabled(const Options& o, const config::Config& config);

// "file" -> "hash:file" (default_database_type); "type:file" unchanged.
std::string with_type(const std::string& table, const config::Config& config);

// Which keys message_keys() makes of a message: -h, -b, -m.
struct MessageKeys {
  bool headers = false;
  bool body = false;
  bool mime = false;
};
// Receives one lookup key; false stops the reading.
using KeyCallback = std::function<bool(const std::string& key)>;

// postmap -q - with -b/-h: reads a message (LF or CRLF lines) from `in` and passes each
// key to `key`, in message order: logical headers (folded lines joined with "\n") with
// `headers`, body lines with `body`. Without `mime` the headers are the primary ones and
// everything after them is body, and with `headers` alone the reading stops at the end of
// the primary headers (Postfix's postmap_head_end()); with `mime`, the headers of every
// part and attached message too, and body lines are only the parts' bodies.
void message_keys(std::istream& in, const MessageKeys& which, const KeyCallback& key);

// Prints "TOOL: fatal: TEXT"; returns 1.
int fatal(const Tool& tool, const std::string& text);

// Compiles `spec` (hash:FILE, lmdb:FILE or cdb:FILE) from FILE, or with -i from stdin
// into it. Returns the exit status.
int compile(const Tool& tool, const std::string& spec, const Options& o,
            const config::Config& config);

}  // namespace correio::cli::postmap_tool
