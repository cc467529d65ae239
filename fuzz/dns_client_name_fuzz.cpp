// Fuzzes the validation of DNS-supplied host names and the address comparison used for
// forward confirmation (src/dns/client_name.cpp).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)correio::dns::valid_hostname(input);
  // First line: the client address; the rest: candidate addresses, one per line.
  size_t nl = input.find('\n');
  std::string_view address = input.substr(0, nl);
  std::vector<std::string> candidates;
  while (nl != std::string_view::npos) {
    input.remove_prefix(nl + 1);
    nl = input.find('\n');
    candidates.emplace_back(input.substr(0, nl));
  }
  (void)correio::dns::address_listed(address, candidates);
  return 0;
}
