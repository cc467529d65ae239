// inline:{ key=value, { key = value with, commas } } — a small table written in main.cf
// itself (Postfix's dict_inline): items are separated by commas or whitespace, an item in
// braces may hold both, and '=' splits key from value with whitespace around it trimmed.
#include <fmt/format.h>

#include "base/strings.hpp"
#include "maps/detail/map_types.hpp"
#include "maps/detail/memory_map.hpp"

namespace correio::maps::detail {
Result<std::unique_ptr<Map>> open_inline(std::string_view name, const MapOptions& options) {
  std::string_view body = base::trim(name);
  if (body.size() < 2 || body.front() != '{' || body.back() != '}')
    return Error{fmt::format("inline:{}: value must be enclosed in {{}}", name)};
  auto map =
      std::make_unique<MemoryMap>("inline:" + std::string(name), options.fold_case, options.utf8);
  // The items: split_map_list() keeps "{ ... }" groups whole.
  for (const auto& item : split_map_list(body.substr(1, body.size() - 2))) {
    auto inner = strip_braces(item);
    if (!inner) return Error{fmt::format("inline:{}: unbalanced {{}} in \"{}\"", name, item)};
    size_t eq = inner->find('=');
    std::string_view key = base::trim(inner->substr(0, eq));
    if (eq == std::string_view::npos || key.empty())
      return Error{fmt::format("inline:{}: \"{}\": need \"key=value\"", name, item)};
    if (!map->add(std::string(key), std::string(base::trim(inner->substr(eq + 1)))))
      return Error{fmt::format("inline:{}: duplicate key \"{}\"", name, key)};
  }
  return std::unique_ptr<Map>(std::move(map));
}

}  // namespace correio::maps::detail
