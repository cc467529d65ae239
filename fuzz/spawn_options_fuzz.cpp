// libFuzzer target for a spawn service's master.cf arguments (user=, argv=... split at
// spaces): never a crash, and a parsed command is an absolute path with a user.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "spawn/spawn_options.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> args;
  std::string word;
  for (char c : input) {
    if (c == ' ') {
      if (!word.empty()) args.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) args.push_back(word);
  auto options = correio::spawn::parse_spawn_options(args);
  if (options &&
      (options->user.empty() || options->argv.empty() || !options->argv[0].starts_with("/")))
    std::abort();
  return 0;
}
