// RFC 5321 paths and ESMTP parameters: "MAIL FROM:<a@b> SIZE=10 BODY=8BITMIME" and
// "RCPT TO:<c@d> NOTIFY=SUCCESS ORCPT=rfc822;c@d". No I/O; shared by server and client.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"

namespace correio::smtp {

struct PathCommand {
  std::string address;  // without angle brackets; "" for the null sender <>
  std::vector<std::pair<std::string, std::string>> parameters;  // keyword upper-cased
};

// `argument` is what follows "MAIL" or "RCPT" (e.g. "FROM:<a@b> SIZE=1"). `keyword` is
// "FROM" or "TO". Accepts the common client deviations Postfix accepts: a space after the
// colon, and (only with `allow_unbracketed`) an address without angle brackets.
// Errors carry the text for a 501 5.1.7 / 5.1.3 / 5.5.4 reply.
Result<PathCommand> parse_path_command(std::string_view argument, std::string_view keyword,
                                       bool allow_unbracketed = true);

// Checks RFC 5321 §4.1.2 Mailbox syntax (dot-string or quoted-string local part, domain or
// address literal); UTF-8 is allowed only when `smtputf8` is true (RFC 6531).
bool valid_mailbox(std::string_view address, bool smtputf8);

// RFC 6531 §3.3: 8-bit bytes in a path are UTF-8, and only in a transaction that declared
// SMTPUTF8. What is wrong with `address` in that respect (checked before valid_mailbox, so
// the client learns the real reason: 553 5.6.7, RFC 6531 §3.7.4.1).
enum class Utf8AddressProblem { none, malformed, undeclared };
Utf8AddressProblem utf8_address_problem(std::string_view address, bool smtputf8);

// The domain part (after the last '@'), lower-cased; "" when there is none.
std::string domain_of(std::string_view address);
// The local part (before the last '@').
std::string local_part_of(std::string_view address);

// RFC 3461 §4 xtext: "+" and "=" and bytes outside 33..126 as "+XX" (ENVID/ORCPT towards
// a server, and the attribute values of the delivery protocol).
std::string encode_xtext(std::string_view value);

// RFC 3461 §4: decodes xtext ("+2B" → "+"); nullopt on a malformed escape.
std::optional<std::string> decode_xtext(std::string_view xtext);

}  // namespace correio::smtp
