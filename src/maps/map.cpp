// open_map()'s "type:name" dispatch, map lists, and address-style lookups (map.hpp).
#include "maps/map.hpp"

#include <fmt/format.h>

#include "base/strings.hpp"
#include "maps/detail/map_types.hpp"

namespace correio::maps {

namespace detail {

std::optional<std::string_view> strip_braces(std::string_view s) {
  std::string_view t = base::trim(s);
  if (t.empty() || t.front() != '{') return t;
  if (t.back() != '}') return std::nullopt;
  return base::trim(t.substr(1, t.size() - 2));
}

Result<std::vector<std::unique_ptr<Map>>> open_composite_members(std::string_view type,
                                                                 std::string_view name,
                                                                 const MapOptions& options) {
  std::string_view body = base::trim(name);
  if (body.size() < 2 || body.front() != '{' || body.back() != '}')
    return Error{fmt::format("{}:{}: need \"{}:{{type:name...}}\"", type, name, type)};
  std::vector<std::unique_ptr<Map>> maps;
  for (const auto& spec : split_map_list(body.substr(1, body.size() - 2))) {
    auto map = open_map(spec, options);
    if (!map) return map.error();
    maps.push_back(std::move(*map));
  }
  if (maps.empty()) return Error{fmt::format("{}:{}: empty table list", type, name)};
  return maps;
}

}  // namespace detail

Result<std::vector<std::pair<std::string, std::string>>> Map::written_results() {
  auto all = entries();
  if (!all) return all.error();
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [key, value] : *all) out.emplace_back(spec() + " key " + key, std::move(value));
  return out;
}

// Keep in step with open_map() just below.
const std::vector<std::string_view>& map_types() {
  static const std::vector<std::string_view> types = {
      "cdb",     "cidr",  "hash",   "inline", "lmdb",   "mysql",    "pcre",     "pgsql",
      "pipemap", "proxy", "regexp", "sqlite", "static", "texthash", "unionmap", "unix"};
  return types;
}

Result<std::unique_ptr<Map>> open_map(std::string_view spec, const MapOptions& options) {
  spec = base::trim(spec);
  size_t colon = spec.find(':');
  if (colon == std::string_view::npos || colon == 0)
    return Error{fmt::format("{}: need dictionary type:name", spec)};
  std::string type = base::to_lower(spec.substr(0, colon));
  std::string_view name = spec.substr(colon + 1);
  // proxy:TYPE:NAME is TYPE:NAME read through Postfix's proxymap(8); Correio's daemons
  // read tables directly (a table file is readable by them), so the prefix is accepted
  // and dropped.
  if (type == "proxy") return open_map(name, options);
  if (type == "texthash") return detail::open_texthash(name, options);
  if (type == "hash" || type == "lmdb") return detail::open_lmdb(type, name, options);
  if (type == "cdb") return detail::open_cdb(name, options);
  if (type == "inline") return detail::open_inline(name, options);
  if (type == "static") return detail::open_static(name);
  if (type == "regexp") return detail::open_regexp(name, options);
  if (type == "pcre") return detail::open_pcre(name, options);
  if (type == "cidr") return detail::open_cidr(name, options);
  if (type == "sqlite") return detail::open_sqlite(name, options);
  if (type == "pgsql" || type == "mysql") return detail::open_sql_server(type, name, options);
  if (type == "unionmap") return detail::open_unionmap(name, options);
  if (type == "pipemap") return detail::open_pipemap(name, options);
  if (type == "unix") return detail::open_unix(name, options);
  return Error{fmt::format("unsupported dictionary type: {}", type)};
}

std::vector<std::string> split_map_list(std::string_view list) {
  std::vector<std::string> out;
  std::string current;
  int depth = 0;
  for (char c : list) {
    if (depth == 0 && (c == ',' || base::kWhitespace.find(c) != std::string_view::npos)) {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
      continue;
    }
    if (c == '{') ++depth;
    if (c == '}' && depth > 0) --depth;
    current += c;
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

MapList::MapList(std::vector<std::unique_ptr<Map>> maps, std::string spec)
    : maps_(std::move(maps)), spec_(std::move(spec)) {}

Result<std::optional<std::string>> MapList::lookup(std::string_view key) {
  for (auto& map : maps_) {
    auto found = map->lookup(key);
    if (!found || *found) return found;
  }
  return std::optional<std::string>();
}

Result<std::optional<std::string>> MapList::lookup_partial(std::string_view key) {
  for (auto& map : maps_) {
    auto found = map->lookup_partial(key);
    if (!found || *found) return found;
  }
  return std::optional<std::string>();
}

bool MapList::fixed_keys() const {
  for (const auto& map : maps_)
    if (map->fixed_keys()) return true;
  return false;
}

Result<std::unique_ptr<MapList>> open_maps(std::string_view list, const MapOptions& options) {
  std::vector<std::unique_ptr<Map>> maps;
  for (const auto& spec : split_map_list(list)) {
    auto map = open_map(spec, options);
    if (!map) return map.error();
    maps.push_back(std::move(*map));
  }
  return std::make_unique<MapList>(std::move(maps), std::string(base::trim(list)));
}

AddressKeyParts address_key_parts(std::string_view address, std::string_view delimiters) {
  AddressKeyParts parts;
  size_t at = address.rfind('@');
  parts.has_domain = at != std::string_view::npos;
  parts.local = address.substr(0, at);
  parts.domain = parts.has_domain ? address.substr(at + 1) : "";
  size_t cut = delimiters.empty() ? std::string_view::npos : parts.local.find_first_of(delimiters);
  parts.base_local =
      cut == 0 || cut == std::string_view::npos ? parts.local : parts.local.substr(0, cut);
  return parts;
}

Result<std::optional<AddressMatch>> lookup_address(Map& map, std::string_view address,
                                                   std::string_view delimiters, AddressForm form) {
  using Found = std::optional<AddressMatch>;
  auto [local, domain, base_local, has_domain] = address_key_parts(address, delimiters);
  std::string_view extension = local.substr(base_local.size());

  auto try_key = [&](std::string key, bool partial, std::string_view ext,
                     bool catch_all) -> Result<Found> {
    auto found = partial ? map.lookup_partial(key) : map.lookup(key);
    if (!found) return found.error();
    if (!*found) return Found();
    return Found(AddressMatch{std::move(**found), std::move(key), std::string(ext), catch_all});
  };

  if (form == AddressForm::kLocalPart) {
    auto hit = try_key(std::string(local), false, "", false);
    if (!hit || *hit || extension.empty()) return hit;
    return try_key(std::string(base_local), false, extension, false);
  }
  // mail_addr_find(3): user+ext@domain (full key), user@domain.
  if (has_domain) {
    auto hit = try_key(std::string(address), false, "", false);
    if (!hit || *hit) return hit;
    if (!extension.empty()) {
      hit = try_key(fmt::format("{}@{}", base_local, domain), true, extension, false);
      if (!hit || *hit) return hit;
    }
  }
  // user+ext, user: for a local domain, or an address without one (then the first is
  // the address itself, a full key).
  if (!has_domain || form == AddressForm::kLocalDomain) {
    auto hit = try_key(std::string(local), has_domain, "", false);
    if (!hit || *hit) return hit;
    if (!extension.empty()) {
      hit = try_key(std::string(base_local), true, extension, false);
      if (!hit || *hit) return hit;
    }
  }
  if (has_domain && !domain.empty()) return try_key(fmt::format("@{}", domain), true, "", true);
  return Found();
}

}  // namespace correio::maps
