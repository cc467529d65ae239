// libFuzzer target: the SCRAM-SHA-256 client's parsing of what a server sends
// (server-first and server-final messages; auth/scram_client.hpp). The input is split at
// its first NUL into the two messages.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/scram_client.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t nul = text.find('\0');
  std::string_view first = text.substr(0, nul);
  std::string_view last = nul == std::string_view::npos ? "" : text.substr(nul + 1);
  correio::auth::ScramClient client("user", "pencil", "fuzznonce");
  if (!client.first()) __builtin_trap();
  auto final = client.final(first);
  // A proof is only ever computed for a nonce that extends ours.
  if (final && !std::string_view(*final).starts_with("c=biws,r=fuzznonce")) __builtin_trap();
  if (final) (void)client.verify(last);
  return 0;
}
