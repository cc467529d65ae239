// libFuzzer target: main.cf parsing, then expansion and validation of every parameter.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config.hpp"
#include "config/parameters.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto main_cf = correio::config::MainCf::parse(text, "main.cf");
  if (!main_cf) return 0;
  auto config = correio::config::Config::from_main_cf(*main_cf, "/etc/correio");
  if (!config) return 0;
  for (const auto& e : main_cf->entries()) (void)config->get(e.name);
  (void)config->validate();
  (void)config->expand(text.substr(0, 256));
  return 0;
}
