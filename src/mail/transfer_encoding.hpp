// RFC 2045 §6 Content-Transfer-Encoding decoding (base64, quoted-printable; 7bit, 8bit and
// binary are identity). Pure, thread-safe, lenient like Dovecot: bad base64 characters are
// skipped, broken quoted-printable escapes are kept literally.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace correio::mail {

enum class TransferEncoding { kIdentity, kBase64, kQuotedPrintable, kUnknown };

// Classifies a Content-Transfer-Encoding value (case-insensitive, trimmed). Empty = 7bit.
// kUnknown is what IMAP BINARY answers with NO [UNKNOWN-CTE] (RFC 3516 §4.3).
TransferEncoding classify_transfer_encoding(std::string_view value);

std::string decode_base64(std::string_view text);
std::string decode_quoted_printable(std::string_view text);

// Decodes `body` according to `cte`; nullopt when the encoding is unknown.
std::optional<std::string> decode_transfer_encoding(std::string_view body, std::string_view cte);

}  // namespace correio::mail
