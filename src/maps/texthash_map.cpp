// texthash: a source file read whole into memory when the table is opened (Postfix's
// dict_thash): the same syntax postmap reads, no database file needed.
#include "base/strings.hpp"
#include "maps/detail/map_types.hpp"
#include "maps/detail/memory_map.hpp"
#include "maps/source_file.hpp"

namespace correio::maps::detail {
Result<std::unique_ptr<Map>> open_texthash(std::string_view name, const MapOptions& options) {
  auto parsed = read_source(std::string(name), options.syntax, options.fold_case, Duplicates::kWarn,
                            options.utf8);
  if (!parsed) return parsed.error();
  // dict_thash words one warning longer than postmap does.
  if (options.warn)
    for (const auto& w : parsed->warnings)
      options.warn(
          w.ends_with("expected format: key whitespace value") ? w + " -- ignoring this line" : w);
  auto map =
      std::make_unique<MemoryMap>("texthash:" + std::string(name), options.fold_case, options.utf8);
  for (auto& e : parsed->entries) map->add(std::move(e.key), std::move(e.value));
  return std::unique_ptr<Map>(std::move(map));
}

}  // namespace correio::maps::detail
