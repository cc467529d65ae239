// postconf's reports about the build rather than the configuration: -m (table types),
// -a / -A (SASL server / client types), -l (mailbox lock methods), -T (TLS library).
// Private to src/cli.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace correio::cli::postconf {

// The lines for -m, -a, -A or -l, each ending in '\n'; may be empty.
std::string info_lines(char option);

// The lines for -T MODE: compile-version, run-version, public-key-algorithms,
// mail-version. An unknown mode is an Error with Postfix's warning text.
Result<std::string> tls_info(std::string_view mode);

}  // namespace correio::cli::postconf
