// parse_command(): one command line split into verb and argument (see command.hpp).
#include "smtp/command.hpp"

#include <cctype>

#include "base/strings.hpp"

namespace correio::smtp {

Command parse_command(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  Command command;
  size_t space = line.find(' ');
  command.verb = std::string(line.substr(0, space));
  for (char& c : command.verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (space != std::string_view::npos)
    command.argument = std::string(base::trim(line.substr(space + 1)));
  return command;
}

bool has_forbidden_bytes(std::string_view line) {
  if (line.ends_with('\n')) line.remove_suffix(1);
  if (line.ends_with('\r')) line.remove_suffix(1);
  return line.find_first_of(std::string_view("\0\r", 2)) != std::string_view::npos;
}

}  // namespace correio::smtp
