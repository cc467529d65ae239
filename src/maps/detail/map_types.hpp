// The constructors behind open_map(), one per table type, each in its own file. Private
// to src/maps: callers use open_map().
#pragma once

#include <memory>
#include <string_view>

#include "maps/map.hpp"

namespace correio::maps::detail {

Result<std::unique_ptr<Map>> open_texthash(std::string_view name, const MapOptions& options);
// `type` is "hash" or "lmdb"; both open NAME.lmdb.
Result<std::unique_ptr<Map>> open_lmdb(std::string_view type, std::string_view name,
                                       const MapOptions& options);
Result<std::unique_ptr<Map>> open_cdb(std::string_view name, const MapOptions& options);
Result<std::unique_ptr<Map>> open_inline(std::string_view name, const MapOptions& options);
Result<std::unique_ptr<Map>> open_static(std::string_view name);
Result<std::unique_ptr<Map>> open_regexp(std::string_view name, const MapOptions& options);
Result<std::unique_ptr<Map>> open_pcre(std::string_view name, const MapOptions& options);
Result<std::unique_ptr<Map>> open_cidr(std::string_view name, const MapOptions& options);
// cidr: from the file's text (`file` names it in warnings); for the fuzzer.
std::unique_ptr<Map> cidr_from_text(std::string_view text, std::string_view file,
                                    const MapOptions& options);
Result<std::unique_ptr<Map>> open_sqlite(std::string_view name, const MapOptions& options);
// `type` is "pgsql" or "mysql".
Result<std::unique_ptr<Map>> open_sql_server(std::string_view type, std::string_view name,
                                             const MapOptions& options);
Result<std::unique_ptr<Map>> open_unionmap(std::string_view name, const MapOptions& options);
Result<std::unique_ptr<Map>> open_pipemap(std::string_view name, const MapOptions& options);
// "passwd.byname" or "group.byname".
Result<std::unique_ptr<Map>> open_unix(std::string_view name, const MapOptions& options);

// The tables inside unionmap:{...} or pipemap:{...}, opened in order. Error: no braces,
// no table, or a table that cannot be opened.
Result<std::vector<std::unique_ptr<Map>>> open_composite_members(std::string_view type,
                                                                 std::string_view name,
                                                                 const MapOptions& options);

// "{ text }" -> "text" (trimmed); anything else unchanged. nullopt for an unbalanced "{".
std::optional<std::string_view> strip_braces(std::string_view s);

}  // namespace correio::maps::detail
