// libFuzzer target for what a POP3 client controls before and after login: command lines
// (keyword, arguments, message numbers, TOP's line count), base64 SASL responses; and the
// RETR/TOP formatting of whatever bytes a Maildir file holds.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/base64.hpp"
#include "pop3d/command.hpp"
#include "pop3d/message_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t pos = 0;
  while (pos < input.size()) {
    size_t lf = input.find('\n', pos);
    size_t end = lf == std::string_view::npos ? input.size() : lf + 1;
    std::string_view line = input.substr(pos, end - pos);
    pos = end;
    if (line.size() > correio::pop3d::kMaxCommandLine) continue;  // the reader refuses these
    correio::pop3d::Command command = correio::pop3d::parse_command(line);
    for (const auto& arg : command.args) {
      correio::pop3d::parse_message_number(arg);
      correio::pop3d::parse_line_count(arg);
      correio::base::base64_decode(arg);
    }
  }
  std::optional<uint64_t> top;
  if (size && (data[0] & 1)) top = data[0] >> 1;
  std::string formatted = correio::pop3d::format_message(input, top);
  // Every line of the result ends in CRLF, and none is the lone terminator ".".
  if (!formatted.empty() &&
      (formatted.size() < 2 || formatted.substr(formatted.size() - 2) != "\r\n"))
    __builtin_trap();
  if (formatted.starts_with(".\r\n") || formatted.find("\r\n.\r\n") != std::string::npos)
    __builtin_trap();
  return 0;
}
