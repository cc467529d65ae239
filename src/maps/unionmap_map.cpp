// unionmap:{ table, table, ... } — every table is asked and the values found are joined
// with commas in table order (Postfix's dict_union); nothing found in any: not found.
#include <fmt/format.h>

#include "maps/detail/map_types.hpp"

namespace correio::maps::detail {
namespace {

class UnionMap final : public Map {
 public:
  UnionMap(std::string spec, std::vector<std::unique_ptr<Map>> maps)
      : spec_(std::move(spec)), maps_(std::move(maps)) {}

  Result<std::optional<std::string>> lookup(std::string_view key) override {
    std::optional<std::string> joined;
    for (auto& map : maps_) {
      auto found = map->lookup(key);
      if (!found) return found.error();  // one table failing fails the union (Postfix)
      if (!*found) continue;
      joined = joined ? *joined + "," + **found : std::move(**found);
    }
    return joined;
  }
  std::string spec() const override { return spec_; }
  // "The first table determines the pattern-matching flags" (Postfix's dict_union.c).
  bool fixed_keys() const override { return maps_.front()->fixed_keys(); }

 private:
  std::string spec_;
  std::vector<std::unique_ptr<Map>> maps_;
};

}  // namespace

Result<std::unique_ptr<Map>> open_unionmap(std::string_view name, const MapOptions& options) {
  auto maps = open_composite_members("unionmap", name, options);
  if (!maps) return maps.error();
  return std::unique_ptr<Map>(
      std::make_unique<UnionMap>("unionmap:" + std::string(name), std::move(*maps)));
}

}  // namespace correio::maps::detail
