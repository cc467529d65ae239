// static:value and static:{ value with spaces } — every key finds the same value
// (Postfix's dict_static).
#include <fmt/format.h>

#include "maps/detail/map_types.hpp"

namespace correio::maps::detail {
namespace {

class StaticMap final : public Map {
 public:
  StaticMap(std::string name, std::string value)
      : name_(std::move(name)), value_(std::move(value)) {}
  Result<std::optional<std::string>> lookup(std::string_view) override {
    return std::optional<std::string>(value_);
  }
  std::string spec() const override { return "static:" + name_; }

 private:
  std::string name_, value_;
};

}  // namespace

Result<std::unique_ptr<Map>> open_static(std::string_view name) {
  auto value = strip_braces(name);
  if (!value) return Error{fmt::format("static:{}: unbalanced {{}}", name)};
  return std::unique_ptr<Map>(std::make_unique<StaticMap>(std::string(name), std::string(*value)));
}

}  // namespace correio::maps::detail
