// FETCH BODY[section] / BODY.PEEK[section] / BINARY[section] / BINARY.SIZE[section]
// (RFC 3501 §6.4.5, RFC 3516): parsing a section spec and resolving it to the exact bytes
// to send. Output is CRLF-normalised (bare LF -> CRLF) as Dovecot sends it; <partial> is the
// caller's job (apply it to the returned bytes). Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mail/mime_parser.hpp"

namespace correio::mail {

struct SectionSpec {
  enum class Kind {
    kFull,             // "" or a bare part number "1.2": the part's content (body)
    kHeader,           // "HEADER", "1.HEADER" (1 must be message/rfc822)
    kText,             // "TEXT", "1.TEXT"
    kMime,             // "1.MIME": the part's own MIME header (part number required)
    kHeaderFields,     // "HEADER.FIELDS (A B)"
    kHeaderFieldsNot,  // "HEADER.FIELDS.NOT (A B)"
  };
  std::vector<unsigned> part;  // empty = the whole message
  Kind kind = Kind::kFull;
  std::vector<std::string> fields;  // header field names, as given (uppercased on output)
};

// Parses the text between '[' and ']' (e.g. "1.2.HEADER.FIELDS (From To)"), case-
// insensitive; field names may be atoms or quoted strings. nullopt on a syntax error
// (the server answers BAD). Part numbers must be non-zero.
std::optional<SectionSpec> parse_section(std::string_view text);

// The section as echoed in the FETCH response ("1.2.HEADER.FIELDS (FROM TO)"): keywords
// and field names uppercased, as Dovecot echoes them.
std::string section_to_string(const SectionSpec& spec);

// The bytes of the section, CRLF-normalised. A part that does not exist yields an empty
// string (Dovecot answers "" rather than NO). HEADER, MIME and HEADER.FIELDS include the
// final blank line (HEADER.FIELDS always ends with one, even when nothing matched: "\r\n").
std::string section_bytes(std::string_view raw, const MimePart& root, const SectionSpec& spec);

// BINARY[part] (RFC 3516): the decoded content of a leaf part. The whole message (empty
// path) and multipart or message/rfc822 parts are returned as they are (CRLF form).
struct BinaryContent {
  enum class Status {
    kOk,
    kUnknownCte,  // NO [UNKNOWN-CTE]
    kNoSuchPart,  // the path does not exist (Dovecot sends an empty string)
  };
  Status status = Status::kOk;
  std::string data;       // decoded octets (binary; may contain NUL)
  bool has_nul = false;   // NUL octets: RFC 3516 requires literal8 ~{n}
  bool has_8bit = false;  // NUL or 8-bit octets: Dovecot sends ~{n} for these too
};
// Only spec.part is used; spec.kind must be kFull (the caller rejects other kinds with BAD).
BinaryContent binary_section(std::string_view raw, const MimePart& root, const SectionSpec& spec);

}  // namespace correio::mail
