// libFuzzer target for Postfix's network match list (mynetworks and the lists like it,
// from main.cf): parsing, negation, inline: tables, and matching a few addresses.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "maps/network_list.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // No files, databases or commands: only what parses from the text itself.
  if (text.find('/') != std::string_view::npos) return 0;
  for (std::string_view type : {"sql", "pipemap", "proxy", "unionmap", "lmdb", "cdb"})
    if (text.find(type) != std::string_view::npos) return 0;
  auto list = correio::maps::NetworkList::parse(text);
  if (!list.ok()) return 0;
  for (std::string_view address : {"127.0.0.1", "192.0.2.255", "::1", "[2001:db8::1]", "x"})
    (void)list->match(address);
  return 0;
}
