// IMAP4 (RFC 3501 §7.4.2 / RFC 9051 §7.5.2) FETCH strings built from a message: ENVELOPE,
// BODY, BODYSTRUCTURE, and the string quoting rules they use. Pure functions; thread-safe.
// Output matches what Dovecot prints for the same message (see docs/mime.md for the few
// deliberate differences). Sizes are counted as the message is sent (bare LF -> CRLF).
#pragma once

#include <string>
#include <string_view>

#include "mail/mime_parser.hpp"

namespace correio::mail {

// An IMAP string: "quoted" (with \" and \\ escaped) when it is short (< 1024 octets) and
// has no CR, LF, NUL or 8-bit octets; otherwise a literal "{n}\r\n" followed by the bytes.
std::string imap_string(std::string_view value);
// nstring: NIL for nullptr, imap_string otherwise.
std::string imap_nstring(const std::string* value);
// IMAP astring-free helper used by the parsers' callers: NIL when `present` is false.
std::string imap_nstring(std::string_view value, bool present);

// ENVELOPE of a message or embedded message given its header block:
// (date subject from sender reply-to to cc bcc in-reply-to message-id).
// sender and reply-to default to from (RFC 3501 §7.4.2) when absent or empty.
std::string imap_envelope(std::string_view header);

// BODY (extensible=false) or BODYSTRUCTURE (extensible=true) of a parsed message.
// `raw` must be the bytes `root` was parsed from.
std::string imap_body_structure(std::string_view raw, const MimePart& root, bool extensible);
// Convenience: parses `raw` first.
std::string imap_body_structure(std::string_view raw, bool extensible);

// RFC822.SIZE: the message size with bare LF counted as CRLF.
std::size_t imap_message_size(std::string_view raw);

}  // namespace correio::mail
