// Fuzzes the MTA-STS texts read from the network (src/delivery/smtp/mta_sts_policy.cpp):
// the policy file fetched over HTTPS, the "_mta-sts" TXT record, MX matching, and the
// policy cache file read back from disk (src/delivery/smtp/mta_sts_store.cpp).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "delivery/smtp/mta_sts_policy.hpp"
#include "delivery/smtp/mta_sts_store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace correio::delivery::smtp_agent;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)parse_sts_record(input);
  auto policy = parse_sts_policy(input);
  if (policy) {
    (void)sts_mx_matches(*policy, "mx1.example.com");
    (void)sts_mx_matches(*policy, input.substr(0, 64));
  }
  auto cached = parse_sts_cache(input);
  if (cached) (void)format_sts_cache(*cached);
  return 0;
}
