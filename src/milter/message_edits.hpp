// The message as milters see and change it at end of message: header fields and body,
// stored with LF line ends as in the queue file; and the edits a milter asks for
// (SMFIR_ADDHEADER, SMFIR_INSHEADER, SMFIR_CHGHEADER, SMFIR_REPLBODY, the envelope ones).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace correio::milter {

struct Message {
  // Each a whole field with its continuation lines and final LF: "Name: value\n\tmore\n".
  std::vector<std::string> headers;
  std::string body;  // after the empty line

  // Splits content (LF line ends) at the first empty line.
  static Message parse(std::string_view content);
  std::string text() const;
};

// The field's name ("Subject" of "Subject: hi\n").
std::string_view header_name(std::string_view field);
// The value as a milter is sent it (SMFIC_HEADER): without the colon and, unless
// `leading_space` (SMFIP_HDR_LEADSPC), its leading blanks; folded lines joined by CRLF and
// no final line end, as Sendmail sends them.
std::string header_value_for_milter(std::string_view field, bool leading_space);

// Header edits, applied at once in the order the milter sends them (Postfix's cleanup
// applies each before the next milter sees the message). `leading_space`: the value is
// exactly what follows the colon (SMFIP_HDR_LEADSPC), else one space is put before it.
void add_header(Message& m, std::string_view name, std::string_view value, bool leading_space);
// Inserts at `index` among all header fields (0: first), at the end when beyond them.
void insert_header(Message& m, uint32_t index, std::string_view name, std::string_view value,
                   bool leading_space);
// The index-th field named `name` (1-based, case-insensitive; 0 counts as 1 as in
// Sendmail); an empty value deletes it, a missing field is added when the value is not empty.
void change_header(Message& m, uint32_t index, std::string_view name, std::string_view value,
                   bool leading_space);

// Converts body bytes from a milter (SMFIR_REPLBODY, CRLF line ends) to LF line ends.
std::string body_from_milter(std::string_view crlf);
// Converts stored body bytes (LF) into the CRLF form milters are sent (SMFIC_BODY).
std::string body_for_milter(std::string_view lf);

// The envelope edits of one message, applied by the caller to its envelope.
struct EnvelopeEdits {
  std::optional<std::string> sender;      // SMFIR_CHGFROM, without angle brackets
  std::vector<std::string> added;         // SMFIR_ADDRCPT(_PAR)
  std::vector<std::string> deleted;       // SMFIR_DELRCPT
  std::optional<std::string> quarantine;  // SMFIR_QUARANTINE's reason: the message is held
  bool body_replaced = false;
};

// "<a@b>" -> "a@b"; a bare address is kept as is.
std::string strip_angle_brackets(std::string_view address);

}  // namespace correio::milter
