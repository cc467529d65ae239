// libFuzzer target for the SQL table query files (sqlite:, pgsql:, mysql:) and their
// %-expansions of query and result_format with a key taken from the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "maps/detail/sql_table.hpp"

using namespace correio;
using namespace correio::maps;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (std::string_view type : {"sqlite", "pgsql", "mysql"})
    (void)detail::parse_sql_table_file(text, "fuzz", type);
  auto quote = [](std::string_view s) { return Result<std::string>(std::string(s)); };
  std::string key(text.substr(0, text.size() / 3));
  std::string value(text.substr(text.size() / 3, text.size() / 3));
  std::string_view format = text.substr(2 * (text.size() / 3));
  (void)detail::check_sql_format(format, true);
  (void)detail::expand_sql(format, key, nullptr, quote);
  (void)detail::expand_sql(format, key, &value, quote);
  return 0;
}
