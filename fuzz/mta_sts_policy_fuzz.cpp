// Fuzzes the MTA-STS texts read from the network (src/delivery/smtp/mta_sts_policy.cpp):
// the policy file fetched over HTTPS, the "_mta-sts" TXT record, and MX matching.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "delivery/smtp/mta_sts_policy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace correio::delivery::smtp_agent;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)parse_sts_record(input);
  auto policy = parse_sts_policy(input);
  if (policy) {
    (void)sts_mx_matches(*policy, "mx1.example.com");
    (void)sts_mx_matches(*policy, input.substr(0, 64));
  }
  return 0;
}
