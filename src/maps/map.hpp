// Lookup tables (Postfix's dict_*): one small interface, one file per table type, chosen
// by "type:name" — texthash:, hash: and lmdb: (both LMDB files built by postmap),
// inline:{...}, static:, regexp:, pcre:, cidr:, sqlite:, pgsql:, mysql:, unionmap:{...},
// pipemap:{...}, unix:passwd.byname and the proxy: prefix. docs/lookup-tables.md
// describes the syntax and the choices.
// A Map is owned by its caller (std::unique_ptr); it is not thread-safe: use one from
// one thread at a time. Values returned are copies the caller owns.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"

namespace correio::maps {

// Which source-file syntax a text table uses (postmap(1) vs. aliases(5)).
enum class SourceSyntax {
  kPostmap,  // "key whitespace value"
  kAliases,  // "name: value, value"
};

struct MapOptions {
  SourceSyntax syntax = SourceSyntax::kPostmap;
  bool fold_case = true;  // lower-case keys when building and when looking up (Postfix's
                          // default; postmap -f turns it off)
  // smtputf8_enable (Postfix's dict_utf8 layer): keys are folded with Unicode case folding
  // and source lines must be UTF-8; false (smtputf8_enable = no, postmap -u): only ASCII
  // letters are folded and any byte is taken. Daemons and postmap set it from main.cf, so
  // that a key is folded alike when the table is built and when it is looked up.
  bool utf8 = true;
  // Receives "FILE, line N: ..." warnings about bad source lines; may be empty.
  std::function<void(const std::string&)> warn;
};

// The options a daemon opens its tables with: `smtputf8_enable` (main.cf) decides how
// keys are folded, as postmap folded them when it built the table.
inline MapOptions daemon_map_options(bool smtputf8_enable) {
  MapOptions options;
  options.utf8 = smtputf8_enable;
  return options;
}

class Map {
 public:
  virtual ~Map() = default;

  // The value for `key`; nullopt when the table has no such key; an Error for a
  // temporary failure (unreadable or corrupt database), which callers turn into 4.x.x.
  virtual Result<std::optional<std::string>> lookup(std::string_view key) = 0;

  // Every (key, value) pair in the table's order, for postmap -s. Types that cannot
  // enumerate (static:) return an Error.
  virtual Result<std::vector<std::pair<std::string, std::string>>> entries() {
    return Error{spec() + ": sequential access is not supported"};
  }

  // Every result the table can give as written in its source, each with where it is
  // ("pcre map /etc/postfix/header_checks, line 3"), for checks of a table's actions at
  // start (header_checks' FILTER). By default the values of entries() (where: "SPEC key
  // KEY"); an Error for types that cannot know them in advance (static:, SQL tables).
  virtual Result<std::vector<std::pair<std::string, std::string>>> written_results();

  // The "type:name" this map was opened as.
  virtual std::string spec() const = 0;

  // Whether the table's keys are fixed strings (Postfix's DICT_FLAG_FIXED: hash:, cdb:,
  // texthash:, inline:, static:, SQL, unix:) rather than patterns (DICT_FLAG_PATTERN:
  // regexp:, pcre:, cidr:). unionmap: and pipemap: take their first table's kind, as
  // Postfix's dict_union and dict_pipe do.
  virtual bool fixed_keys() const { return true; }

  // lookup() of a partial key: "user@domain" without its extension, "@domain", the bare
  // local part of a local address, a parent domain, a shorter network prefix. Postfix
  // asks only fixed-string tables with those (maps_find() with DICT_FLAG_FIXED, as
  // mail_addr_find(3) and access(5) do); a pattern table sees the whole key only, so it
  // finds nothing here.
  virtual Result<std::optional<std::string>> lookup_partial(std::string_view key) {
    if (!fixed_keys()) return std::optional<std::string>();
    return lookup(key);
  }
};

// The table types open_map() accepts, sorted (postconf -m lists them).
const std::vector<std::string_view>& map_types();

// Opens one table: "texthash:/etc/aliases", "hash:/etc/postfix/virtual" (the LMDB file
// /etc/postfix/virtual.lmdb), "lmdb:/path", "inline:{ a=1, { b = 2 } }", "static:value",
// "static:{ text with spaces }". Errors: no "type:", unknown type, missing or unreadable
// file ("open database /x.lmdb: No such file or directory").
Result<std::unique_ptr<Map>> open_map(std::string_view spec, const MapOptions& options = {});

// Splits Postfix's map list "hash:/a, texthash:/b inline:{ x=y, z=w }" on commas and
// whitespace, keeping braces {...} together.
std::vector<std::string> split_map_list(std::string_view list);

// A list of tables searched in order; the first table that knows a key answers, an error
// in any table searched stops the search (as Postfix's maps_find()). An empty list finds
// nothing.
class MapList final : public Map {
 public:
  explicit MapList(std::vector<std::unique_ptr<Map>> maps, std::string spec);
  Result<std::optional<std::string>> lookup(std::string_view key) override;
  // Only the fixed-string members are asked.
  Result<std::optional<std::string>> lookup_partial(std::string_view key) override;
  std::string spec() const override { return spec_; }
  bool fixed_keys() const override;
  size_t size() const { return maps_.size(); }

 private:
  std::vector<std::unique_ptr<Map>> maps_;
  std::string spec_;
};

Result<std::unique_ptr<MapList>> open_maps(std::string_view list, const MapOptions& options = {});

// An address as table lookups cut it: local part, domain, and the local part without its
// extension (everything from the first recipient_delimiter character; a local part that
// starts with one keeps it whole, as Postfix does). Views into the address.
struct AddressKeyParts {
  std::string_view local, domain, base_local;
  bool has_domain = false;  // an '@' was there
};
AddressKeyParts address_key_parts(std::string_view address, std::string_view delimiters);

// How lookup_address() searches a table with an address (Postfix's mail_addr_find(3)).
// The whole address is a full key, asked of every table; the others are partial keys,
// asked of fixed-string tables only (Map::lookup_partial()).
enum class AddressForm {
  // user+ext@domain, user@domain, @domain: canonical/virtual-style tables, for an
  // address in a domain that is not local. An address without a domain is looked up as
  // kLocalDomain does: user+ext (full key), user.
  kFull,
  // The domain is local (mydestination, $myorigin...; canonical(5), virtual(5)):
  // user+ext@domain, user@domain, user+ext, user, @domain.
  kLocalDomain,
  // the local part only: user+ext, user, both full keys, as local(8) searches
  // alias_maps (it asks each table directly, pattern tables included).
  kLocalPart,
};

struct AddressMatch {
  std::string value;
  std::string key;         // the key that matched, e.g. "user@domain" or "@domain"
  std::string extension;   // "+ext" when the key was found without it, else ""
  bool catch_all = false;  // found by "@domain"
};

// Looks `address` up in `map` in the order of `form`; `delimiters` is
// recipient_delimiter (any of its characters splits off the extension; "" = none).
// The first key found wins; an Error from the table stops the search.
Result<std::optional<AddressMatch>> lookup_address(Map& map, std::string_view address,
                                                   std::string_view delimiters,
                                                   AddressForm form = AddressForm::kFull);

}  // namespace correio::maps
