// libFuzzer target for the autoconfiguration service's parsers (src/autoconfig), fed by
// untrusted HTTP clients: the request head, the autodiscover request body and the
// address check. Any bytes give a result or an error, never a crash; what is accepted
// keeps the parser's promises (an absolute path, no line breaks, a bounded body).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "autoconfig/documents.hpp"
#include "http/request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto request = correio::http::parse_request_head(bytes, 65536);
  if (request) {
    if (request->path.empty() || request->path[0] != '/') std::abort();
    if (request->path.find_first_of("\r\n") != std::string::npos) std::abort();
    if (request->content_length > 65536) std::abort();
    for (const auto& [name, value] : request->query)
      if (value.find_first_of("\r\n") != std::string::npos) std::abort();
  }
  std::string address = correio::autoconfig::autodiscover_request_address(bytes);
  if (!address.empty() && !correio::autoconfig::plausible_address(address)) std::abort();
  return 0;
}
