// The client's side of RFC 5321 §4.2: a server reply read line by line ("250-..."
// continues, "250 ..." ends), with the enhanced status code (RFC 3463, RFC 2034) taken
// from its text. Pure; fed a line at a time, so the caller owns the I/O and its limits.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "smtp/reply.hpp"

namespace correio::smtp {

class ReplyReader {
 public:
  enum class State { more, done, bad };

  // At most this many lines make one reply; a longer one is `bad` (a hostile server).
  static constexpr size_t kMaxLines = 200;

  // `line` without its CR LF. After `done` or `bad`, call take() or reset() first.
  State add_line(std::string_view line);

  // The finished reply: code, enhanced code ("" when the text has none) and each line's
  // text after "NNN-" / "NNN " (the enhanced code left in). Resets the reader.
  Reply take();
  void reset();

 private:
  Reply reply_;
  bool started_ = false;
};

// "550 5.1.1 <a@b>: Recipient address rejected" or, for several lines, each line as it
// came joined by spaces ("550-5.1.1 first 550 5.1.1 second"), as Postfix logs replies.
std::string reply_text(const Reply& reply);

// The RFC 3463 code that starts `text` ("5.1.1 User unknown" -> "5.1.1"), if its class
// matches the reply code's first digit; "" otherwise.
std::string enhanced_code_of(int code, std::string_view text);

}  // namespace correio::smtp
