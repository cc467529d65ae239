// DATA framing: end-of-data detection, dot-unstuffing, bare-LF policy.
#include "smtp/data_framer.hpp"

namespace correio::smtp {

DataFramer::Event DataFramer::feed(std::string_view piece, std::string& out) {
  if (piece.empty()) return Event::more;
  if (pending_cr_) {
    pending_cr_ = false;
    if (piece.front() == '\n') {
      // The CR that ended the previous piece and this LF form the line's CRLF.
      out += '\n';
      at_line_start_ = true;
      previous_line_crlf_ = true;
      piece.remove_prefix(1);
      if (piece.empty()) return Event::more;
    } else {
      out += '\r';  // a bare CR inside a line is content, byte for byte
    }
  }
  if (at_line_start_) {
    if (piece == ".\r\n" && previous_line_crlf_) return Event::end;
    // RFC 5321 §4.5.2: a line starting with a period has that period removed.
    if (piece.front() == '.') piece.remove_prefix(1);
  }
  bool complete = !piece.empty() && piece.back() == '\n';
  if (!complete) {
    if (!piece.empty() && piece.back() == '\r') {
      pending_cr_ = true;
      piece.remove_suffix(1);
    }
    out.append(piece);
    at_line_start_ = false;
    return Event::more;
  }
  at_line_start_ = true;
  if (piece.size() >= 2 && piece[piece.size() - 2] == '\r') {
    out.append(piece.substr(0, piece.size() - 2));
    out += '\n';
    previous_line_crlf_ = true;
    return Event::more;
  }
  // A bare LF. With "normalize" it is taken as a line end for the content, but it never
  // counts as the CRLF that must precede the terminating dot.
  saw_bare_newline_ = true;
  previous_line_crlf_ = false;
  if (reject_bare_newline_) return Event::bare_newline;
  out.append(piece);
  return Event::more;
}

}  // namespace correio::smtp
