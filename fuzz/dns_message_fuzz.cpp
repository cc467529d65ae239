// Fuzzes the reading of DNS responses that c-ares does not parse for us: the header flags
// and the answer records of one type, as TLSA records, and the CNAME chain of a name
// (src/dns/message.cpp). The bytes come
// from the network (the resolver, or whoever spoofs it).
#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> message(data, size);
  (void)correio::dns::read_header(message);
  (void)correio::dns::answer_rdata(message, correio::dns::kTypeA);
  (void)correio::dns::tlsa_records(message);
  (void)correio::dns::cname_expansion(message, "mx.example.com");
  return 0;
}
