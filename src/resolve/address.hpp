// Address pieces the resolver works with: the local part and domain of an envelope
// address, optionally dequoted, and the base name before recipient_delimiter. Pure
// functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace correio::resolve {

struct AddressParts {
  std::string local;   // as written, or dequoted (see split_address)
  std::string domain;  // as written; empty when the address has no '@'
};

// Splits at the rightmost '@'. With `dequote` (resolve_dequoted_address = yes) a quoted
// local part loses its quotes and backslashes first, so "a@b"@example.com has the local
// part a@b (RFC 5321 §4.1.2 Quoted-string); without it the quotes stay and the '@', '%'
// and '!' inside them are plain characters.
AddressParts split_address(std::string_view address, bool dequote);

// trivial-rewrite's rewrite.c and resolve.c: "Strip trailing dot at end of domain, but not
// dot-dot or at-dot". "user@example.com." is user@example.com; "user@example.com..",
// "user@." and "user." (no domain) stay as they are, for the syntax checks to refuse.
std::string strip_trailing_dot(std::string_view address);

// "user+ext" -> "user" when '+' is one of `delimiters` (recipient_delimiter); a local part
// that starts with a delimiter is kept whole, as Postfix does.
std::string base_local_part(std::string_view local, std::string_view delimiters);

// postmaster (RFC 5321 §4.5.1) and abuse (RFC 2142 §2): every domain this system accepts
// mail for must have them. Case-insensitive; `local` is already without its extension.
bool is_role_account(std::string_view local);

// "local@domain", or just "local" when the domain is empty. A local part with characters
// outside RFC 5321 §4.1.2 Dot-string is quoted again.
std::string join_address(std::string_view local, std::string_view domain);

}  // namespace correio::resolve
