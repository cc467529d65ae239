// RFC 6152 §3 and RFC 1652 §3: a message with an 8-bit body may not go to a server that
// does not announce 8BITMIME. As Postfix does (mime_state.c), each text leaf part whose
// body has 8-bit bytes and is labelled 7bit, 8bit or nothing is re-encoded as
// quoted-printable (RFC 2045 §6.7) and relabelled; multiparts and message/rfc822 parts are
// descended into, never encoded themselves (RFC 2046 §5.2.1). Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace correio::mail {

// RFC 2045 §6.7 quoted-printable of `body` (LF or CRLF line ends, kept as LF): lines of
// at most 76 characters with soft breaks, "=" and bytes outside 33..126 escaped (a space
// or tab only at a line's end).
std::string encode_quoted_printable(std::string_view body);

// The message with every 8-bit leaf body converted as above (LF line ends). Headers are
// left as they are: 8-bit header text cannot be downgraded (Postfix sends it unchanged).
std::string downgrade_8bit_bodies(std::string_view message);

}  // namespace correio::mail
