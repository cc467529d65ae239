// A table held in memory: what texthash: and inline: both are once their source is read.
// Keys are folded to lower case when asked (Postfix's default); the first value of a key
// wins. Immutable after construction; not thread-safe while being filled.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "maps/key_fold.hpp"
#include "maps/map.hpp"

namespace correio::maps::detail {

class MemoryMap final : public Map {
 public:
  MemoryMap(std::string spec, bool fold, bool utf8)
      : spec_(std::move(spec)), fold_(fold), utf8_(utf8) {}

  // False when `key` is already there (the earlier value stays).
  bool add(std::string key, std::string value) {
    if (fold_) key = fold_key(key, utf8_);
    if (!table_.emplace(key, value).second) return false;
    order_.emplace_back(std::move(key), std::move(value));
    return true;
  }

  Result<std::optional<std::string>> lookup(std::string_view key) override {
    auto it = table_.find(fold_ ? fold_key(key, utf8_) : std::string(key));
    if (it == table_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Result<std::vector<std::pair<std::string, std::string>>> entries() override { return order_; }
  std::string spec() const override { return spec_; }

 private:
  std::string spec_;
  bool fold_;
  bool utf8_;
  std::map<std::string, std::string, std::less<>> table_;
  std::vector<std::pair<std::string, std::string>> order_;  // in source order, for postmap -s
};

}  // namespace correio::maps::detail
