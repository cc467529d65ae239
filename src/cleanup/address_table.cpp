// Postfix's address lookup order and result mapping (see address_table.hpp).
#include "cleanup/address_table.hpp"

#include "base/strings.hpp"
#include "resolve/address.hpp"

namespace correio::cleanup {

Result<AddressTable> AddressTable::open(std::string_view parameter, std::string_view list) {
  AddressTable table;
  table.parameter_ = std::string(parameter);
  for (const std::string& spec : maps::split_map_list(list)) {
    auto map = maps::open_map(spec);
    if (!map) return Error{table.parameter_ + ": " + map.error().message};
    bool pattern = spec.starts_with("regexp:") || spec.starts_with("pcre:");
    table.tables_.push_back({std::shared_ptr<maps::Map>(std::move(map.value())), pattern});
  }
  return table;
}

// maps_find(3): the first table that knows the key answers; a failing table stops the
// search, so that a temporary error is never mistaken for "not found".
Result<std::optional<std::string>> AddressTable::lookup(const std::string& key, bool partial) {
  for (Table& t : tables_) {
    if (partial && t.pattern) continue;
    auto found = t.map->lookup(key);
    if (!found) return Error{parameter_ + ": " + found.error().message};
    if (*found) return found;
  }
  return std::optional<std::string>();
}

Result<std::optional<AddressTable::Match>> AddressTable::find(std::string_view address,
                                                              std::string_view delimiters,
                                                              const LocalDomainTest& is_local) {
  using Found = std::optional<Match>;
  if (tables_.empty()) return Found();
  resolve::AddressParts parts = resolve::split_address(address, false);
  bool has_domain = address.find('@') != std::string_view::npos;
  std::string base = resolve::base_local_part(parts.local, delimiters);
  std::string extension = parts.local.substr(base.size());
  std::string full(address);

  auto try_key = [&](const std::string& key, bool partial, std::string_view ext,
                     bool catch_all) -> Result<Found> {
    auto value = lookup(key, partial);
    if (!value) return value.error();
    if (!*value) return Found();
    return Found(Match{std::move(**value), key, std::string(ext), catch_all});
  };

  if (has_domain) {
    auto hit = try_key(full, false, "", false);
    if (!hit || *hit) return hit;
    if (!extension.empty()) {
      hit = try_key(base + "@" + parts.domain, true, extension, false);
      if (!hit || *hit) return hit;
    }
  }
  bool local = !has_domain;
  if (has_domain && is_local) {
    auto mine = is_local(parts.domain);
    if (!mine) return mine.error();
    local = *mine;
  }
  if (local) {
    // An address without a domain is looked up whole first, pattern tables included.
    auto hit = try_key(parts.local, has_domain, "", false);
    if (!hit || *hit) return hit;
    if (!extension.empty()) {
      hit = try_key(base, true, extension, false);
      if (!hit || *hit) return hit;
    }
  }
  if (has_domain && !parts.domain.empty()) return try_key("@" + parts.domain, true, "", true);
  return Found();
}

Result<std::optional<std::vector<std::string>>> AddressTable::map(std::string_view address,
                                                                  std::string_view delimiters,
                                                                  const LocalDomainTest& is_local,
                                                                  bool propagate,
                                                                  const Completion& complete) {
  using Mapped = std::optional<std::vector<std::string>>;
  auto found = find(address, delimiters, is_local);
  if (!found) return found.error();
  if (!*found) return Mapped();
  std::vector<std::string> out;
  resolve::AddressParts parts = resolve::split_address(address, false);
  std::string base = resolve::base_local_part(parts.local, delimiters);
  for (std::string& item : split_address_value((*found)->value)) {
    // mail_addr_map(3): "@other" keeps the user, without its extension.
    if (item.starts_with("@")) item = base + item;
    if (propagate && !(*found)->extension.empty()) item = add_extension(item, (*found)->extension);
    out.push_back(complete ? complete(item) : std::move(item));
  }
  return Mapped(std::move(out));
}

std::vector<std::string> split_address_value(std::string_view value) {
  std::vector<std::string> out;
  std::string current;
  bool quoted = false;
  auto flush = [&] {
    std::string_view item = base::trim(current);
    if (item.size() >= 2 && item.front() == '<' && item.back() == '>')
      item = item.substr(1, item.size() - 2);
    if (!item.empty()) out.emplace_back(item);
    current.clear();
  };
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (quoted && c == '\\' && i + 1 < value.size()) {
      current += c;
      current += value[++i];
      continue;
    }
    if (c == '"') quoted = !quoted;
    if (c == ',' && !quoted) {
      flush();
      continue;
    }
    current += c;
  }
  flush();
  return out;
}

std::string add_extension(std::string_view address, std::string_view extension) {
  size_t at = address.rfind('@');
  if (at == std::string_view::npos) return std::string(address) + std::string(extension);
  return std::string(address.substr(0, at)) + std::string(extension) +
         std::string(address.substr(at));
}

}  // namespace correio::cleanup
