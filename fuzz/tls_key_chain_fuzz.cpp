// libFuzzer target: the PEM key/certificate chain parser fed by smtpd_tls_chain_files,
// tls_server_sni_maps values and certificate files (tls/key_chain.hpp).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tls/key_chain.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view pem(reinterpret_cast<const char*>(data), size);
  auto chains = correio::tls::parse_key_chains(pem, "fuzz.pem");
  if (chains) {
    for (const auto& chain : *chains)
      if (!chain.key || !chain.leaf) __builtin_trap();  // assemble() promises both
  }
  return 0;
}
