// libFuzzer target: the bundle of key and certificate files the master hands to a service
// process in a memfd (tls/handed_files.hpp). Whatever parses must serialize back to the
// same bytes: the format has one spelling.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tls/handed_files.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto files = correio::tls::HandedFiles::parse(text);
  if (files) {
    auto again = correio::tls::HandedFiles::parse(files->serialize());
    if (!again || again->serialize() != files->serialize()) __builtin_trap();
  }
  return 0;
}
