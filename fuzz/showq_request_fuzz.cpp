// libFuzzer target for what any local user sends to public/showq: the request line.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "showq/showq_protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // The daemon parses what precedes the first newline, within kMaxRequest bytes.
  std::string_view line = input.substr(0, input.find('\n'));
  if (line.size() < correio::showq::kMaxRequest) correio::showq::parse_request(line);
  return 0;
}
