// libFuzzer target for the lookup-table parsers fed by files and main.cf: postmap and
// aliases(5) source syntax (with and without UTF-8 checks), postalias' value
// normalization, key folding, inline:{...} and static:{...} specs, and map lists.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "maps/alias_value.hpp"
#include "maps/key_fold.hpp"
#include "maps/map.hpp"
#include "maps/source_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)correio::maps::parse_source(text, "fuzz", correio::maps::SourceSyntax::kPostmap);
  (void)correio::maps::parse_source(text, "fuzz", correio::maps::SourceSyntax::kAliases);
  (void)correio::maps::parse_source(text, "fuzz", correio::maps::SourceSyntax::kPostmap, true,
                                    correio::maps::Duplicates::kWarn, true);
  (void)correio::maps::normalize_alias_value(text);
  (void)correio::maps::fold_key(text, true);
  (void)correio::maps::printable(text);
  (void)correio::maps::split_map_list(text);
  for (std::string_view type : {"inline:", "static:"}) {
    auto map = correio::maps::open_map(std::string(type) + std::string(text));
    if (map.ok()) {
      (void)(*map)->lookup("key");
      (void)(*map)->entries();
    }
  }
  return 0;
}
