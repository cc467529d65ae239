// Postfix's smtpd_check.c lookup orders (check_domain_access, check_addr_access,
// check_mail_access) over one table.
#include "smtpd/access/access_table.hpp"

namespace correio::smtpd::access {
Result<std::unique_ptr<AccessTable>> AccessTable::open(std::string_view spec,
                                                       const maps::MapOptions& options) {
  auto map = maps::open_map(spec, options);
  if (!map) return map.error();
  return std::make_unique<AccessTable>(std::move(*map));
}

AccessTable::AccessTable(std::unique_ptr<maps::Map> map)
    : map_(std::move(map)), spec_(map_->spec()) {}

AccessTable::Found AccessTable::find(std::string_view key, bool partial) {
  // access(5): a pattern table sees only the whole string (smtpd_check.c's PARTIAL).
  auto value = partial ? map_->lookup_partial(key) : map_->lookup(key);
  if (!value) return value.error();
  if (!*value) return std::optional<TableMatch>();
  return std::optional<TableMatch>(TableMatch{std::move(**value), std::string(key)});
}

AccessTable::Found AccessTable::find_parents(std::string_view domain, bool parent_style) {
  for (size_t dot = domain.find('.', 1); dot != std::string_view::npos;
       dot = domain.find('.', dot + 1)) {
    std::string_view key = parent_style ? domain.substr(dot + 1) : domain.substr(dot);
    if (key.empty() || key == ".") break;
    auto found = find(key, true);
    if (!found || *found) return found;
  }
  return std::optional<TableMatch>();
}

AccessTable::Found AccessTable::find_domain(std::string_view domain, bool parent_style) {
  auto found = find(domain, false);
  if (!found || *found) return found;
  return find_parents(domain, parent_style);
}

AccessTable::Found AccessTable::find_address(std::string_view address) {
  auto found = find(address, false);
  if (!found || *found) return found;
  char sep = address.find(':') != std::string_view::npos ? ':' : '.';
  std::string_view rest = address;
  for (size_t cut = rest.rfind(sep); cut != std::string_view::npos && cut > 0;
       cut = rest.rfind(sep)) {
    rest = rest.substr(0, cut);
    // IPv6 "2001:db8::1": a trailing ':' is no network prefix of its own.
    if (rest.ends_with(sep)) continue;
    found = find(rest, true);
    if (!found || *found) return found;
  }
  return std::optional<TableMatch>();
}

AccessTable::Found AccessTable::find_mail(std::string_view address, std::string_view delimiters,
                                          bool parent_style) {
  auto found = find(address, false);
  if (!found || *found) return found;
  auto [local, domain, base_local, has_domain] = maps::address_key_parts(address, delimiters);
  // access(5): user@domain (address extension removed), domain, parents, user@.
  if (base_local != local && has_domain) {
    found = find(std::string(base_local) + "@" + std::string(domain), true);
    if (!found || *found) return found;
  }
  if (!domain.empty()) {
    found = find(domain, true);
    if (!found || *found) return found;
    found = find_parents(domain, parent_style);
    if (!found || *found) return found;
  }
  if (has_domain) {
    found = find(std::string(local) + "@", true);
    if (!found || *found) return found;
    if (base_local != local) return find(std::string(base_local) + "@", true);
  }
  return std::optional<TableMatch>();
}

}  // namespace correio::smtpd::access
