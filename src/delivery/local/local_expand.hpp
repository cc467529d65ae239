// $name expansion in forward_path (Postfix's local/local_expand.c over mac_expand(3)):
// $name, ${name}, $(name), ${name?text} (text when name has a value), ${name:text} (text
// when it has none), and $$ for a dollar; text may hold further expansions. Values are
// passed through forward_expansion_filter: characters outside it become '_', so a crafted
// address extension cannot walk out of the home directory. Private to src/delivery/local;
// a pure function.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace correio::delivery::local_agent {

// The attribute's value; nullopt or "" when it has none (no extension, say).
using ExpandLookup = std::function<std::optional<std::string>(std::string_view name)>;

// nullopt when a plain $name has no value (Postfix skips such a forward_path entry) or the
// pattern is malformed (an unclosed brace, "$" at the end).
// `allow_undefined`: an empty $name expands to "" instead (luser_relay's use).
std::optional<std::string> local_expand(std::string_view pattern, const ExpandLookup& lookup,
                                        std::string_view filter, bool allow_undefined = false);

}  // namespace correio::delivery::local_agent
