// texthash: a source file read whole into memory when the table is opened (Postfix's
// dict_thash): the same syntax postmap reads, no database file needed.
#include <map>

#include "base/strings.hpp"
#include "maps/detail/map_types.hpp"
#include "maps/source_file.hpp"

namespace correio::maps::detail {
namespace {

class TexthashMap final : public Map {
 public:
  TexthashMap(std::string name, std::vector<SourceEntry> entries, bool fold)
      : name_(std::move(name)), fold_(fold) {
    for (auto& e : entries) order_.emplace_back(e.key, e.value);
    for (auto& e : entries) table_.emplace(std::move(e.key), std::move(e.value));
  }

  Result<std::optional<std::string>> lookup(std::string_view key) override {
    auto it = table_.find(fold_ ? base::to_lower(key) : std::string(key));
    if (it == table_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Result<std::vector<std::pair<std::string, std::string>>> entries() override { return order_; }
  std::string spec() const override { return "texthash:" + name_; }

 private:
  std::string name_;
  bool fold_;
  std::map<std::string, std::string, std::less<>> table_;
  std::vector<std::pair<std::string, std::string>> order_;
};

}  // namespace

Result<std::unique_ptr<Map>> open_texthash(std::string_view name, const MapOptions& options) {
  auto parsed = read_source(std::string(name), options.syntax, options.fold_case);
  if (!parsed) return parsed.error();
  if (options.warn)
    for (const auto& w : parsed->warnings) options.warn(w);
  return std::unique_ptr<Map>(std::make_unique<TexthashMap>(
      std::string(name), std::move(parsed->entries), options.fold_case));
}

}  // namespace correio::maps::detail
