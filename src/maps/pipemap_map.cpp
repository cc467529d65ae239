// pipemap:{ table, table, ... } — the key goes to the first table, its value is the key
// for the next, and the last table's value is the answer (Postfix's dict_pipe); any
// table that finds nothing ends the lookup with nothing.
#include <fmt/format.h>

#include "maps/detail/map_types.hpp"

namespace correio::maps::detail {
namespace {

class PipeMap final : public Map {
 public:
  PipeMap(std::string spec, std::vector<std::unique_ptr<Map>> maps)
      : spec_(std::move(spec)), maps_(std::move(maps)) {}

  Result<std::optional<std::string>> lookup(std::string_view key) override {
    std::string current(key);
    for (auto& map : maps_) {
      auto found = map->lookup(current);
      if (!found || !*found) return found;
      current = std::move(**found);
    }
    return std::optional<std::string>(std::move(current));
  }
  std::string spec() const override { return spec_; }
  // "The first table determines the pattern-matching flags" (Postfix's dict_union.c).
  bool fixed_keys() const override { return maps_.front()->fixed_keys(); }

 private:
  std::string spec_;
  std::vector<std::unique_ptr<Map>> maps_;
};

}  // namespace

Result<std::unique_ptr<Map>> open_pipemap(std::string_view name, const MapOptions& options) {
  auto maps = open_composite_members("pipemap", name, options);
  if (!maps) return maps.error();
  return std::unique_ptr<Map>(
      std::make_unique<PipeMap>("pipemap:" + std::string(name), std::move(*maps)));
}

}  // namespace correio::maps::detail
