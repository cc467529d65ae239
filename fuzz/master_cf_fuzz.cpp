// libFuzzer target: master.cf parsing; every parsed entry must print and parse again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/master_cf.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto services = correio::config::parse_master_cf(text, "master.cf");
  if (!services) return 0;
  for (const auto& s : *services) {
    (void)s.format(true);
    auto again = correio::config::parse_master_cf(s.to_line() + "\n", "master.cf");
    if (!again || again->size() != 1 || again->front().overrides != s.overrides) std::abort();
  }
  return 0;
}
