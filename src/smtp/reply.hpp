// SMTP replies: a three-digit code, an RFC 3463 enhanced status code and text, formatted
// as one line or as a multi-line reply (RFC 5321 §4.2.1). Shared by server and client.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace correio::smtp {

struct Reply {
  int code = 250;
  std::string enhanced;  // "2.1.0"; empty for replies that carry none (220, 221 greeting)
  std::vector<std::string> lines;

  Reply() = default;
  Reply(int c, std::string_view enh, std::string_view text) : code(c), enhanced(enh) {
    lines.emplace_back(text);
  }

  bool positive() const { return code < 400; }
  bool transient() const { return code >= 400 && code < 500; }
  // Wire form with CRLF after every line; the enhanced code prefixes each line when
  // `enhanced_status_codes` is true (RFC 2034 §3).
  std::string to_wire(bool enhanced_status_codes = true) const;
};

}  // namespace correio::smtp
