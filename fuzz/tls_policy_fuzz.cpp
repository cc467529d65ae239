// libFuzzer target: the TLS protocol list and cipher exclusion parsers fed by main.cf and
// master.cf -o values (smtpd_tls_protocols, smtpd_tls_exclude_ciphers, ...; tls/policy.hpp).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tls/policy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto set = correio::tls::parse_protocols(text);
  if (set) {
    // parse_protocols promises a non-empty set within TLSv1..TLSv1.3.
    if (set->bits() == 0 || set->min_version() > set->max_version()) __builtin_trap();
  }
  // The same bytes as an exclusion list and as a grade.
  const correio::tls::CipherLists lists{"HIGH", "MEDIUM", "eNULL"};
  auto list = correio::tls::cipher_list("high", text, lists);
  if (list && !std::string_view(*list).starts_with("HIGH")) __builtin_trap();
  (void)correio::tls::cipher_list(text, "", lists);
  return 0;
}
