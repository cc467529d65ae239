// libFuzzer target for the To:/Cc:/Bcc: address-list tokenizer (src/mail/address_list.cpp)
// and sendmail -t's header scan (src/cli/sendmail_options.cpp), both fed by local users'
// messages: any bytes must give a result, never a crash or over-read.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cli/sendmail_options.hpp"
#include "mail/address_list.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (const auto& a : correio::mail::parse_addr_specs(bytes))
    if (a.empty() || a.size() > size) std::abort();
  auto scan = correio::cli::scan_headers(bytes, true);
  // Removing Bcc: lines never adds bytes.
  if (scan.headers_without_bcc.size() > size) std::abort();
  return 0;
}
