// Private to the mail library: parsing Content-* header values into a MimePart
// (RFC 2045 §5 Content-Type, RFC 2183 Content-Disposition, RFC 2231 parameters).
#pragma once

#include <string_view>
#include <vector>

#include "mail/mime_parser.hpp"

namespace correio::mail::detail {

// Parses "; a=b; c*0*=..." parameters from the lexer's current position to the end.
std::vector<MimeParam> parse_mime_params(std::string_view text);

// Fills the Content-* members of `part` from the header block `header`.
// `default_rfc822`: the part is inside multipart/digest (default message/rfc822).
void apply_content_fields(std::string_view header, bool default_rfc822, MimePart& part);

}  // namespace correio::mail::detail
