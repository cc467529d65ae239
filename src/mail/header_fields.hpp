// RFC 5322 §2.2 header fields of a message or MIME part: splitting the header block into
// fields, unfolding, looking fields up by name. Pure functions over the caller's bytes;
// every string_view returned points into the input and lives as long as it does.
// Thread-safe (no shared state). Never throws on malformed input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace correio::mail {

// One header field as it appears in the raw bytes.
struct HeaderField {
  std::string_view name;   // as written, without the colon or trailing blanks
  std::string_view value;  // after the colon up to (not including) the final line end;
                           // still folded (may contain CRLF/LF followed by WSP)
  std::string_view raw;    // the whole field including its final line end
};

// Splits a header block (from the start of a message or part up to and including the blank
// line, or to the end when there is none) into fields. A line without a colon that is not a
// continuation is kept as a field with an empty value and its text as name (Dovecot keeps
// such lines in the header too). Accepts CRLF and bare LF.
std::vector<HeaderField> split_header_fields(std::string_view header);

// Where the header block of `text` ends: the offset just past the blank line that ends it
// (or text.size() when there is no blank line). `body_start` is the same offset.
struct HeaderExtent {
  std::size_t header_size = 0;  // bytes of header, including the blank separator line
  bool has_blank_line = false;  // false: the message has no body separator
};
HeaderExtent find_header_end(std::string_view text);

// Unfolds a value (RFC 5322 §2.2.3: removes CRLF/LF before WSP) and trims leading and
// trailing whitespace.
std::string unfold(std::string_view value);

// ASCII case-insensitive name comparison.
bool header_name_equals(std::string_view a, std::string_view b);

// The first field named `name`, unfolded and trimmed, into `out`; false when absent.
bool first_header_value(std::string_view header, std::string_view name, std::string& out);

// All fields named `name`, unfolded and trimmed, in order.
std::vector<std::string> header_values(std::string_view header, std::string_view name);

// IMAP HEADER.FIELDS / HEADER.FIELDS.NOT (RFC 3501 §6.4.5): the raw fields whose names are
// (not, when `exclude`) in `names`, in message order, followed by the blank line. Line ends
// are as in the input (callers normalise to CRLF with to_crlf()).
std::string filter_header_fields(std::string_view header, const std::vector<std::string>& names,
                                 bool exclude);

// Converts bare LF line ends to CRLF (IMAP sends CRLF; Maildir stores LF). Lone CR kept.
std::string to_crlf(std::string_view text);
// The size `text` would have after to_crlf(): size + number of bare LFs.
std::size_t crlf_size(std::string_view text);
// Number of LF characters (RFC 3501 body "lines").
std::size_t count_lines(std::string_view text);

}  // namespace correio::mail
