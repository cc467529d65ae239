// Postfix 3.6's relational conditionals in parameter values (postconf(5) "Parameter
// expansion", mac_expand(3)): ${{text1} OP {text2} ? {then} : {else}}. Parsing and the
// comparison only; config.cpp expands the operands and the chosen branch.
#pragma once

#include <string_view>

#include "base/result.hpp"

namespace correio::config::detail {

// One parsed conditional. The views point into the text given to parse_relation().
struct Relation {
  std::string_view left;        // text1, unexpanded
  std::string_view op;          // == != < <= > >= <level <=level >level >=level
  std::string_view right;       // text2, unexpanded
  std::string_view when_true;   // empty when absent
  std::string_view when_false;  // empty when absent
};

// True when `inner` (the text between "${" and its closing '}') starts a relational
// conditional, i.e. its first non-blank character is '{'.
bool is_relation(std::string_view inner);

// Parses `inner`; an Error names what is malformed.
Result<Relation> parse_relation(std::string_view inner);

// Compares expanded operands: == and != as text; < <= > >= as decimal numbers; the
// "level" operators as compatibility levels (major[.minor[.patch]], e.g. 3.6).
Result<bool> evaluate_relation(std::string_view left, std::string_view op, std::string_view right);

}  // namespace correio::config::detail
