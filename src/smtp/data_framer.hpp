// DATA content framing (RFC 5321 §4.1.1.4, §4.5.2): finds the end of data, undoes dot
// stuffing and applies smtpd_forbid_bare_newline. Only <CR><LF>.<CR><LF> ends a message:
// a bare LF or bare CR before the dot never does (SMTP smuggling, CVE-2023-51764).
// Pure logic over the byte pieces the connection hands over; no I/O. Content comes out
// with LF line endings, the form queue files and Maildir files use. Shared by smtpd and
// lmtpd (RFC 2033 §4.2: LMTP's DATA is SMTP's).
#pragma once

#include <string>
#include <string_view>

namespace correio::smtp {

class DataFramer {
 public:
  enum class Event {
    more,          // content appended to `out`; feed the next piece
    end,           // end of data seen; nothing more belongs to this message
    bare_newline,  // a line ended in bare LF and the policy is to reject
  };

  // reject_bare_newline: smtpd_forbid_bare_newline = yes/reject for this client.
  explicit DataFramer(bool reject_bare_newline) : reject_bare_newline_(reject_bare_newline) {}

  // `piece` is a complete line with its LF, or a part (at least 3 bytes) of a longer line
  // without it: then ".\r\n" always arrives in one piece.
  Event feed(std::string_view piece, std::string& out);

  // Whether any line so far ended in a bare LF (logged by the caller).
  bool saw_bare_newline() const { return saw_bare_newline_; }

 private:
  bool reject_bare_newline_;
  bool at_line_start_ = true;
  bool previous_line_crlf_ = true;  // the DATA command line itself ended in CRLF
  bool pending_cr_ = false;         // a piece ended in CR; its LF may start the next piece
  bool saw_bare_newline_ = false;
};

}  // namespace correio::smtp
