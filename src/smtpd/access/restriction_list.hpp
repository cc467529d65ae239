// Parsing of Postfix's restriction lists (postconf(5) smtpd_*_restrictions): words
// separated by commas or whitespace, some of which take the next word as their argument
// ("check_client_access hash:/etc/postfix/access", "reject_rbl_client zen.example=127.0.0.2",
// "sleep 5"). Names are checked later against the restriction table (checks.hpp) and the
// restriction classes. Pure; the fuzz target fuzz/restriction_list_fuzz.cpp feeds it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace correio::smtpd::access {

struct Restriction {
  std::string name;      // lower case: "check_client_access"
  std::string argument;  // "hash:/etc/postfix/access"; "" for restrictions without one
  std::string text;      // as written, for log lines
};

// Whether restriction `name` (lower case) takes the next word as its argument.
bool takes_argument(std::string_view name);

// Splits `list` into restrictions. Error: a restriction that needs an argument ends the
// list ("restriction check_client_access needs a table argument"). Table specifications
// in braces (inline:{ a=b, c=d }) stay one word.
Result<std::vector<Restriction>> parse_restriction_list(std::string_view list);

}  // namespace correio::smtpd::access
