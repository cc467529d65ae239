// Rewriting the addresses of an RFC 5322 §3.4 address-list header value in place, as
// Postfix's cleanup does with tok822: display names, comments, groups, the obsolete route
// and folding stay as written; only each addr-spec is replaced. Lenient: what cannot be
// parsed is left alone. Pure function; thread-safe. Fuzzed by fuzz/header_address_fuzz.cpp.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace correio::cleanup {

// Gets an address in internal form (local part unquoted: "john doe@x") and returns its
// replacement in the same form; returning the argument leaves the text untouched.
using AddressRewrite = std::function<std::string(const std::string& address)>;

// The value with every address passed through `rewrite`:
//   "Jane (work) <jane@a.example>, bob" -> "Jane (work) <jane@b.example>, bob@b.example"
// A replacement's local part is quoted again when RFC 5322 §3.4.1 needs it.
std::string rewrite_address_list(std::string_view value, const AddressRewrite& rewrite);

}  // namespace correio::cleanup
