// Base64 (RFC 4648 §4, with padding) as the mail protocols use it: SASL exchanges in SMTP
// AUTH, IMAP AUTHENTICATE and POP3 AUTH, and the password schemes that store base64.
// Stateless; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace correio::base {

std::string base64_encode(std::string_view bytes);

// Strict: only the base64 alphabet, length a multiple of 4, '=' only as final padding and
// zero bits after the last byte. nullopt otherwise (RFC 4954 §4: the server rejects
// "malformed" base64 with 501 5.5.2; IMAP and POP3 answer BAD / -ERR likewise).
// The empty string decodes to the empty string.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace correio::base
