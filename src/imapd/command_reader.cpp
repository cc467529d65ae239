#include "imapd/command_reader.hpp"

#include <charconv>
#include <optional>

namespace correio::imapd {

bool parse_literal_announcement(std::string_view line, LiteralAnnouncement& out) {
  // Strip the line terminator.
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty() || line.back() != '}') return false;
  size_t open = line.rfind('{');
  if (open == std::string_view::npos) return false;
  std::string_view inside = line.substr(open + 1, line.size() - open - 2);
  out.non_synchronising = false;
  if (!inside.empty() && (inside.back() == '+' || inside.back() == '-')) {
    out.non_synchronising = true;
    inside.remove_suffix(1);
  }
  if (inside.empty() || inside.size() > 19) return false;
  auto [end, ec] = std::from_chars(inside.data(), inside.data() + inside.size(), out.size);
  return ec == std::errc{} && end == inside.data() + inside.size();
}

asio::awaitable<CommandInput> read_command(io::Connection& conn, const CommandLimits& limits) {
  io::LineResult first = co_await conn.read_line(limits.max_line_length);
  CommandInput input = co_await read_command(conn, limits, std::move(first));
  co_return input;
}

asio::awaitable<CommandInput> read_command(io::Connection& conn, const CommandLimits& limits,
                                           io::LineResult first) {
  CommandInput input;
  std::optional<io::LineResult> given(std::move(first));
  for (;;) {
    io::LineResult line;
    if (given) {
      line = std::move(*given);
      given.reset();
    } else {
      line = co_await conn.read_line(limits.max_line_length);
    }
    switch (line.status) {
      case io::ReadStatus::ok:
        break;
      case io::ReadStatus::too_long:
        input.status = CommandStatus::line_too_long;
        co_return input;
      case io::ReadStatus::timeout:
        input.status = CommandStatus::timeout;
        co_return input;
      case io::ReadStatus::closed:
        input.status = CommandStatus::closed;
        co_return input;
    }
    LiteralAnnouncement literal;
    bool has_literal = parse_literal_announcement(line.line, literal);
    if (!has_literal) {
      input.text += line.line;
      input.status = CommandStatus::ok;
      co_return input;
    }
    bool too_big = literal.size > limits.max_literal_size ||
                   input.text.size() + line.line.size() + literal.size > limits.max_command_size;
    if (too_big) {
      input.text += line.line;
      input.status =
          literal.non_synchronising ? CommandStatus::fatal : CommandStatus::literal_refused;
      co_return input;
    }
    input.text += line.line;
    if (!literal.non_synchronising) {
      bool written = co_await conn.write("+ Ready for literal data\r\n");
      if (!written) {
        input.status = CommandStatus::closed;
        co_return input;
      }
    }
    io::ReadStatus status = co_await conn.read_exact(literal.size, input.text);
    if (status != io::ReadStatus::ok) {
      input.status =
          status == io::ReadStatus::timeout ? CommandStatus::timeout : CommandStatus::closed;
      co_return input;
    }
  }
}

}  // namespace correio::imapd
