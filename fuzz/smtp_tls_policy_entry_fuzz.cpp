// libFuzzer target: the smtp agent's TLS policy table values (smtp_tls_policy_maps entries
// such as "secure match=nexthop:.example.com ciphers=high"; delivery/smtp/tls_policy.hpp),
// and the names, protocols and ciphers derived from an accepted entry.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "delivery/smtp/tls_policy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace correio::delivery::smtp_agent;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto entry = parse_policy_entry(text);
  if (!entry) return 0;
  // match= is only accepted where names are checked.
  if (entry->match && entry->level < correio::smtp::TlsLevel::verify) __builtin_trap();
  TlsSettings settings;
  settings.verify_match = {"hostname"};
  settings.secure_match = {"nexthop", "dot-nexthop"};
  settings.protocols = settings.mandatory_protocols = ">=TLSv1.2";
  settings.ciphers = settings.mandatory_ciphers = "medium";
  settings.lists = {"HIGH", "MEDIUM", "eNULL"};
  auto check = peer_check(settings, *entry, "mx.example.com", "example.com");
  if (check && check->require_match && check->names.empty()) __builtin_trap();
  return 0;
}
