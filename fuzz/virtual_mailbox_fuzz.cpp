// libFuzzer target for virtual_mailbox_maps results (a database or table row, any bytes):
// never a crash, and an accepted result always names a path under virtual_mailbox_base.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "delivery/virtual_mailboxes.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::filesystem::path base("/var/vmail");
  auto box = correio::delivery::mailbox_from_result(base, input);
  if (!box) return 0;
  auto relative = box->path.lexically_normal().lexically_relative(base);
  if (relative.empty() || relative == "." || *relative.begin() == "..") std::abort();
  return 0;
}
