// What the SMTP client sends in one mail transaction, as bytes: the MAIL FROM and RCPT TO
// commands with their ESMTP parameters (RFC 1870 SIZE, RFC 6152 BODY, RFC 6531 SMTPUTF8,
// RFC 3461 DSN) and the DATA payload with CRLF line ends and dot-stuffing (RFC 5321
// §4.5.2). Pure; shared by the smtp delivery agent and its tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace correio::smtp {

// What the server announced in its EHLO reply (RFC 5321 §4.1.1.1). A HELO-only server
// announces nothing.
struct ServerFeatures {
  bool esmtp = false;
  bool pipelining = false;        // RFC 2920
  bool starttls = false;          // RFC 3207
  bool eight_bit = false;         // RFC 6152 8BITMIME
  bool smtputf8 = false;          // RFC 6531
  bool dsn = false;               // RFC 3461
  bool size = false;              // RFC 1870
  uint64_t size_limit = 0;        // 0: no limit given
  std::vector<std::string> auth;  // RFC 4954 mechanisms, upper-case
};

// The features of an EHLO reply's lines (the first line, the server's name, is skipped).
ServerFeatures parse_ehlo_features(const std::vector<std::string>& lines);

struct MailOptions {
  uint64_t size = 0;       // the message size, for SIZE=
  bool eight_bit = false;  // BODY=8BITMIME when the server has 8BITMIME
  bool smtputf8 = false;   // SMTPUTF8 when the server has it
  std::string ret;         // "FULL", "HDRS" or "" (RFC 3461 §4.3)
  std::string envid;       // RFC 3461 §4.4, decoded
};

struct RcptOptions {
  std::string notify;  // "SUCCESS,FAILURE", "NEVER" or "" (RFC 3461 §4.1)
  std::string orcpt;   // "rfc822;addr" (decoded) or ""
};

// "MAIL FROM:<a@b> SIZE=123 BODY=8BITMIME\r\n": only parameters the server announced.
std::string mail_command(std::string_view sender, const MailOptions& options,
                         const ServerFeatures& server);
// "RCPT TO:<c@d> NOTIFY=SUCCESS ORCPT=rfc822;c@d\r\n": DSN parameters only with DSN.
std::string rcpt_command(std::string_view recipient, const RcptOptions& options,
                         const ServerFeatures& server);

// The DATA payload: every line ended by CRLF (bare LF and CRLF input alike), a leading
// "." doubled, then the ".\r\n" terminator.
std::string data_payload(std::string_view content);

bool has_8bit(std::string_view bytes);

}  // namespace correio::smtp
