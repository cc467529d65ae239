// SASLprep through libidn's stringprep (see saslprep.hpp).
#include "auth/saslprep.hpp"

#include <stringprep.h>

#include <cstdlib>
#include <memory>

namespace correio::auth {

Result<std::string> saslprep(std::string_view text, bool stored) {
  // stringprep reads a C string: an embedded NUL would cut the input short, and U+0000
  // is prohibited anyway (RFC 4013 §2.3, RFC 3454 C.2.1).
  if (text.find('\0') != std::string_view::npos)
    return Error{"SASLprep: prohibited character (NUL)"};
  std::string input(text);
  char* out = nullptr;
  auto flags = stored ? STRINGPREP_NO_UNASSIGNED : Stringprep_profile_flags{};
  int rc = stringprep_profile(input.c_str(), &out, "SASLprep", flags);
  std::unique_ptr<char, decltype(&std::free)> owned(out, &std::free);
  if (rc != STRINGPREP_OK)
    return Error{std::string("SASLprep: ") + stringprep_strerror(static_cast<Stringprep_rc>(rc))};
  std::string result(owned.get());
  if (result.empty()) return Error{"SASLprep: empty string"};
  return result;
}

std::string scram_password(std::string_view password) {
  auto prepared = saslprep(password);
  return prepared ? std::move(*prepared) : std::string(password);
}

}  // namespace correio::auth
