// inline:{ key=value, { key = value with, commas } } — a small table written in main.cf
// itself (Postfix's dict_inline): items are separated by commas or whitespace, an item in
// braces may hold both, and '=' splits key from value with whitespace around it trimmed.
#include <fmt/format.h>

#include <map>

#include "base/strings.hpp"
#include "maps/detail/map_types.hpp"

namespace correio::maps::detail {
namespace {

class InlineMap final : public Map {
 public:
  InlineMap(std::string name, bool fold) : name_(std::move(name)), fold_(fold) {}

  Result<std::optional<std::string>> lookup(std::string_view key) override {
    auto it = table_.find(fold_ ? base::to_lower(key) : std::string(key));
    if (it == table_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Result<std::vector<std::pair<std::string, std::string>>> entries() override { return order_; }
  std::string spec() const override { return "inline:" + name_; }

  bool add(std::string key, std::string value) {
    if (fold_) key = base::to_lower(key);
    if (!table_.emplace(key, value).second) return false;
    order_.emplace_back(std::move(key), std::move(value));
    return true;
  }

 private:
  std::string name_;
  bool fold_;
  std::map<std::string, std::string, std::less<>> table_;
  std::vector<std::pair<std::string, std::string>> order_;
};

}  // namespace

Result<std::unique_ptr<Map>> open_inline(std::string_view name, const MapOptions& options) {
  std::string_view body = base::trim(name);
  if (body.size() < 2 || body.front() != '{' || body.back() != '}')
    return Error{fmt::format("inline:{}: value must be enclosed in {{}}", name)};
  auto map = std::make_unique<InlineMap>(std::string(name), options.fold_case);
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
