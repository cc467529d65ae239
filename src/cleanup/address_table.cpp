// Postfix's address lookup order and result mapping (see address_table.hpp).
#include "cleanup/address_table.hpp"

#include "base/strings.hpp"
#include "resolve/address.hpp"

namespace correio::cleanup {

Result<AddressTable> AddressTable::open(std::string_view parameter, std::string_view list,
                                        const maps::MapOptions& options) {
  AddressTable table;
  table.parameter_ = std::string(parameter);
  auto maps = maps::open_maps(list, options);
  if (!maps) return Error{table.parameter_ + ": " + maps.error().message};
  if ((*maps)->size() > 0) table.maps_ = std::shared_ptr<maps::MapList>(std::move(*maps));
  return table;
}

Result<std::optional<AddressTable::Match>> AddressTable::find(std::string_view address,
                                                              std::string_view delimiters,
                                                              const LocalDomainTest& is_local) {
  using Found = std::optional<Match>;
  if (!maps_) return Found();
  // mail_addr_find(3): the bare local part is a key only for a local domain (or no
  // domain); the table list is searched key by key (maps_find() for each key).
  auto form = maps::AddressForm::kFull;
  if (size_t at = address.rfind('@'); at != std::string_view::npos && is_local) {
    auto mine = is_local(address.substr(at + 1));
    if (!mine) return mine.error();
    if (*mine) form = maps::AddressForm::kLocalDomain;
  }
  auto found = maps::lookup_address(*maps_, address, delimiters, form);
  if (!found) return Error{parameter_ + ": " + found.error().message};
  if (!*found) return Found();
  auto& m = **found;
  return Found(Match{std::move(m.value), std::move(m.key), std::move(m.extension), m.catch_all});
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
