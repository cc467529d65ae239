// libFuzzer target for the qmgr <-> delivery agent messages (read from a UNIX socket by
// both sides): decoding must never crash, and what decodes must encode and decode again
// to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "delivery/protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto request = correio::delivery::decode_request(input)) {
    auto again = correio::delivery::decode_request(correio::delivery::encode_request(*request));
    if (!again || again->recipients.size() != request->recipients.size() ||
        again->sender != request->sender || again->queue_id != request->queue_id)
      std::abort();
  }
  if (auto results = correio::delivery::decode_results(input)) {
    auto again = correio::delivery::decode_results(correio::delivery::encode_results(*results));
    if (!again || again->size() != results->size()) std::abort();
  }
  return 0;
}
