// smtp_generic_maps on the way out (see generic_maps.hpp).
#include "cleanup/generic_maps.hpp"

#include "base/strings.hpp"
#include "cleanup/address_rewrite.hpp"
#include "cleanup/header_address.hpp"

namespace correio::cleanup {

Result<std::optional<GenericMaps>> GenericMaps::open(const config::Config& config) {
  using Opened = std::optional<GenericMaps>;
  std::string list = config.get("smtp_generic_maps");
  if (list.empty()) return Opened();
  GenericMaps g;
  auto table = AddressTable::open("smtp_generic_maps", list,
                                  maps::daemon_map_options(config.get_bool("smtputf8_enable")));
  if (!table) return table.error();
  g.table_ = std::move(*table);
  auto resolver = resolve::Resolver::open(config);
  if (!resolver) return resolver.error();
  g.resolver_.emplace(std::move(*resolver));
  g.myorigin_ = config.get("myorigin");
  g.delimiter_ = config.get("recipient_delimiter");
  for (const auto& item : config.get_list("propagate_unmatched_extensions"))
    if (base::iequals(item, "generic")) g.propagate_ = true;
  return Opened(std::move(g));
}

Result<std::string> GenericMaps::address(std::string_view in) {
  std::string address(in);
  if (address.empty()) return address;
  // generic(5): "user" keys for $myorigin, $mydestination (and the interface addresses).
  LocalDomainTest is_local = [this](std::string_view domain) -> Result<bool> {
    if (base::iequals(domain, myorigin_)) return true;
    auto c = resolver_->classify_domain(domain);
    if (!c) return c.error();
    return *c == resolve::AddressClass::kLocal;
  };
  Completion complete = [this](std::string_view a) {
    std::string out(a);
    if (out.find('@') == std::string::npos && !myorigin_.empty()) out += "@" + myorigin_;
    return out;
  };
  for (int count = 0; count < 100; ++count) {
    auto mapped = table_.map(address, delimiter_, is_local, propagate_, complete);
    if (!mapped) return mapped.error();
    if (!*mapped || (*mapped)->empty()) return address;
    std::string next = (*mapped)->front();
    bool self = base::iequals(next, address);
    address = std::move(next);
    if (self) break;
  }
  return address;
}

Result<std::string> GenericMaps::content(std::string_view message) {
  std::string out;
  size_t pos = 0;
  while (pos < message.size()) {
    size_t end = message.find('\n', pos);
    end = end == std::string_view::npos ? message.size() : end + 1;
    std::string_view line = message.substr(pos, end - pos);
    size_t colon = line.find(':');
    if (line == "\n" || colon == std::string_view::npos || line.front() == ' ' ||
        line.front() == '\t')
      break;  // the header section ends (a stray continuation stays as it is)
    // The logical header: this line and its continuation lines.
    while (end < message.size() && (message[end] == ' ' || message[end] == '\t')) {
      size_t next = message.find('\n', end);
      end = next == std::string_view::npos ? message.size() : next + 1;
    }
    std::string_view header = message.substr(pos, end - pos);
    if (header_kind(base::trim(header.substr(0, colon))) == HeaderKind::kNone) {
      out.append(header);
    } else {
      std::optional<Error> failed;
      out.append(header.substr(0, colon + 1));
      out += rewrite_address_list(header.substr(colon + 1), [&](const std::string& a) {
        if (failed) return a;
        auto r = address(a);
        if (!r) {
          failed = r.error();
          return a;
        }
        return *r;
      });
      if (failed) return *failed;
    }
    pos = end;
  }
  out.append(message.substr(pos));
  return out;
}

}  // namespace correio::cleanup
