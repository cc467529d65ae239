// RFC 8970 PREVIEW: a short plain-text preview of a message — the first text part,
// transfer-decoded and converted to UTF-8, HTML reduced to its text, quoted lines (a '>'
// at the start) left out, whitespace runs made one space, at most 200 characters. The algorithm is
// the server's choice (RFC 8970 §3); this one gives what Dovecot gives. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "mail/mime_parser.hpp"

namespace correio::mail {

inline constexpr std::size_t kPreviewCharacters = 200;

// "" when the message has no text part.
std::string message_preview(std::string_view raw, const MimePart& root);

// The text of an HTML document: tags removed, <style>/<script> content dropped,
// the common entities and numeric references decoded. For previews, not for display.
std::string html_to_text(std::string_view html);

}  // namespace correio::mail
