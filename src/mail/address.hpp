// RFC 5322 §3.4 address lists as IMAP sees them (RFC 3501 ENVELOPE address structures,
// including group syntax), and the SORT keys of RFC 5256 §3 / RFC 5957. Lenient: never
// throws, garbage yields a best-effort list (as Dovecot's message-address parser does).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace correio::mail {

// One IMAP address structure. A group is represented as in RFC 3501: a start marker
// (mailbox = group name, host empty, is_group_start) ... members ... an end marker
// (mailbox and host empty, is_group_end).
struct Address {
  std::string name;     // display name (phrase), raw as written, quotes removed; not 2047-decoded
  std::string route;    // obsolete source route "@a,@b", usually empty
  std::string mailbox;  // local part (unquoted)
  std::string host;     // domain
  bool has_name = false;
  bool is_group_start = false;
  bool is_group_end = false;
};

// Parses an unfolded or folded address-list header value.
std::vector<Address> parse_address_list(std::string_view value);

// RFC 5256 §3 SORT FROM/TO/CC key: the addr-mailbox of the first address (a group's
// start is an address whose mailbox is the group's name, as in ENVELOPE), empty when none. Caller
// compares with i;ascii-casemap.
std::string sort_key_mailbox(std::string_view header_value);

// RFC 5957 DISPLAYFROM/DISPLAYTO key: the decoded (RFC 2047) display name of the first
// address when present and non-empty, otherwise its "mailbox@host" addr-spec.
std::string sort_key_display(std::string_view header_value);

}  // namespace correio::mail
