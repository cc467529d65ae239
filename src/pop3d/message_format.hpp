// A stored message as POP3 sends it (RFC 1939 §3): CRLF line ends, a '.' added before each
// line starting with '.', and for TOP (RFC 1939 §7) only the header, the blank line and
// the first N body lines. Pure functions; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace correio::pop3d {

// The body of a multi-line response for RETR (`top_lines` nullopt) or TOP n, without the
// terminating ".\r\n" but always ending in CRLF (unless empty). `content` has LF or CRLF
// line ends (Maildir files hold LF). A NUL byte goes out as 0x80 (see docs/admin-guide.md).
std::string format_message(std::string_view content, std::optional<uint64_t> top_lines);

}  // namespace correio::pop3d
