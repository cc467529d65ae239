// neuter_helo_name(): Postfix's printable() + neuter() over the HELO argument (see
// helo_name.hpp).
#include "smtp/helo_name.hpp"

namespace correio::smtp {

std::string neuter_helo_name(std::string_view argument) {
  // Postfix smtpd.c NEUTER_CHARACTERS ("This filter is applied after printable()").
  constexpr std::string_view kNeutered = " <>()\\\";@";
  std::string out(argument);
  for (char& c : out) {
    auto byte = static_cast<unsigned char>(c);
    bool printable = byte >= 0x20 && byte < 0x7f;
    if (!printable || kNeutered.find(c) != std::string_view::npos) c = '?';
  }
  return out;
}

}  // namespace correio::smtp
