// libFuzzer target for the hand-off line of the pre-login split (login/handoff.hpp): what
// a post-login daemon reads from a login process, which may be compromised. What parses
// must format and parse back to the same hand-off.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "login/handoff.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace correio::login;
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_handoff(line);
  if (!parsed) return 0;
  std::string again = format_handoff(*parsed);
  again.pop_back();
  auto back = parse_handoff(again);
  if (!back || back->auth_id != parsed->auth_id || back->cookie != parsed->cookie ||
      back->user != parsed->user || back->pipelined != parsed->pipelined ||
      back->tag != parsed->tag || back->tls != parsed->tls)
    std::abort();
  return 0;
}
