// libFuzzer target for the passwd-file parser (auth/passwd_file.hpp): any bytes must parse
// into users and warnings without a crash, and every user must have a non-empty name.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "auth/passwd_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto contents = correio::auth::parse_passwd_file(text, "fuzz");
  for (const auto& user : contents.users)
    if (user.user.empty()) std::abort();
  return 0;
}
