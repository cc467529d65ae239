// RFC 2045/2046 MIME structure of a message: a tree of parts with the offsets of each part's
// header and body in the raw bytes and its decoded Content-* fields. Pure function over the
// caller's bytes; the tree owns its strings, offsets refer to the `raw` passed to
// parse_mime() (keep it alive and unchanged while you use them). Thread-safe; never throws
// on malformed input (only std::bad_alloc), never recurses deeper than kMaxMimeDepth.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace correio::mail {

// Like Dovecot's message parser (max_nested_mime_parts, max_total_mime_parts): a
// multipart or message/rfc822 nested deeper than this is not descended into (it keeps its
// type and has no children); the part count bound keeps a hostile message's tree small.
inline constexpr int kMaxMimeDepth = 100;
inline constexpr std::size_t kMaxMimeParts = 10000;

// A Content-Type / Content-Disposition parameter after RFC 2231 processing: continuations
// joined, name lowercased. For extended (name*=charset'lang'value) parameters `value` is
// the percent-decoded bytes converted to UTF-8 and `charset`/`language` are filled in.
// `wire_name`/`wire_value` are what BODYSTRUCTURE prints, as Dovecot does: continuations
// joined but still encoded, "filename*" "utf-8''%E2%82%AC.pdf" (see docs/mime.md).
struct MimeParam {
  std::string name;        // lowercased, without the '*' markers: use this to look up
  std::string value;       // decoded value (UTF-8 for extended parameters)
  std::string charset;     // RFC 2231 charset, empty when not extended
  std::string language;    // RFC 2231 language, empty when absent
  bool extended = false;   // written as name*=... / name*0*=...
  std::string wire_name;   // "name" or "name*"
  std::string wire_value;  // joined, not percent-decoded
};

struct MimePart {
  // Offsets into the raw message. The header runs from header_offset for header_size bytes
  // (including the blank line); the body follows immediately for body_size bytes. For the
  // top-level message header_offset is 0. For a part of a multipart, the body excludes the
  // line end that belongs to the next boundary delimiter (RFC 2046 §5.1.1).
  std::size_t header_offset = 0;
  std::size_t header_size = 0;
  std::size_t body_offset = 0;
  std::size_t body_size = 0;
  bool has_header_blank_line = true;

  // Sizes as IMAP reports them: body octets after bare LF -> CRLF, and LF count.
  std::size_t body_size_crlf = 0;
  std::size_t header_size_crlf = 0;
  std::size_t body_lines = 0;

  // Content-Type (RFC 2045 §5): lowercased; defaults text/plain (or message/rfc822 inside
  // multipart/digest), charset us-ascii is added by the IMAP output, not here.
  std::string type = "text";
  std::string subtype = "plain";
  std::vector<MimeParam> type_params;  // in header order
  bool has_content_type = false;       // a syntactically valid Content-Type was present

  std::string transfer_encoding;  // Content-Transfer-Encoding value as written (trimmed);
                                  // empty = absent (7bit)
  std::string id;                 // Content-ID, unfolded, empty = absent
  std::string description;        // Content-Description, unfolded, raw (not 2047-decoded)
  std::string disposition;        // Content-Disposition type lowercased, empty = absent
  std::vector<MimeParam> disposition_params;
  std::vector<std::string> language;  // Content-Language tags
  std::string location;               // Content-Location, unfolded
  std::string md5;                    // Content-MD5
  bool has_language = false, has_location = false, has_md5 = false;
  bool has_id = false, has_description = false;

  // multipart/*: the children (empty when there was no boundary, no delimiter line, or the
  // nesting limit was reached; BODYSTRUCTURE then shows Dovecot's empty text/plain child).
  // message/rfc822 (and message/global): exactly one child, the embedded message, whose
  // header/body offsets are inside this part's body.
  std::vector<MimePart> children;

  bool is_multipart() const { return type == "multipart"; }
  bool is_message_rfc822() const {
    return type == "message" && (subtype == "rfc822" || subtype == "global");
  }
  // The parameter `name` (lowercase) of Content-Type, or nullptr.
  const MimeParam* type_param(std::string_view name) const;
};

// Parses the whole message. The returned root describes the message itself (its header is
// the message header). Always succeeds: malformed structure degrades to childless parts.
MimePart parse_mime(std::string_view raw);

// The part addressed by an IMAP part number path ("1.2" -> {1,2}) following RFC 3501 §6.4.5:
// a non-multipart message has part 1 = its body; numbers inside a message/rfc822 part
// address the embedded message's parts. nullptr when it does not exist.
const MimePart* find_part(const MimePart& root, const std::vector<unsigned>& path);

}  // namespace correio::mail
