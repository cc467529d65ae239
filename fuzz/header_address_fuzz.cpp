// libFuzzer target for cleanup's in-place header address rewriting
// (src/cleanup/header_address.cpp) and table value splitting (address_table.cpp): any
// bytes give a result; an identity rewrite changes nothing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cleanup/address_table.hpp"
#include "cleanup/header_address.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string same =
      correio::cleanup::rewrite_address_list(bytes, [](const std::string& a) { return a; });
  if (same != bytes) std::abort();
  // Replacing every address must terminate and give bounded output.
  std::string changed =
      correio::cleanup::rewrite_address_list(bytes, [](const std::string& a) { return a + ".x"; });
  if (changed.size() > 4 * size + 16) std::abort();
  for (const auto& item : correio::cleanup::split_address_value(bytes))
    if (item.empty() || item.size() > size) std::abort();
  return 0;
}
