// libFuzzer target for a pipe service's master.cf arguments (flags=, user=, size=, eol=,
// argv=... split at spaces) and the ${name} expansion of argv: never a crash, and a
// parsed argv always keeps its command as the first element.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "delivery/pipe/pipe_command.hpp"

namespace pa = correio::delivery::pipe_agent;

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
  auto options = pa::parse_pipe_options(args);
  if (!options) return 0;
  pa::Expansion e{"sender@example.com",
                  "User+ext@Example.COM",
                  "orig@example.com",
                  "example.com",
                  "192.0.2.1",
                  "ABCDEF",
                  1234,
                  "+-"};
  if (auto argv = pa::expand_argv(*options, e)) {
    if (argv->empty() || (*argv)[0] != options->argv[0]) std::abort();
  }
  return 0;
}
