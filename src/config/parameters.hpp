// The defaults table: every main.cf parameter Correio knows, its default and a one-line
// description. `postconf -d` prints it and docs/configuration.md is generated from it.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace correio::config {

struct ParameterInfo {
  std::string_view name;
  // The default as Postfix writes it (may reference other parameters: "$myhostname").
  // Defaults that depend on the machine (myhostname, mydomain, ...) are computed by
  // dynamic_default() instead, and this field holds a placeholder description of them.
  std::string_view default_value;
  std::string_view description;
  bool dynamic = false;  // default computed at run time (see dynamic_default)
};

// All known parameters, sorted by name. Static storage; never changes.
std::span<const ParameterInfo> parameter_table();

// nullptr when `name` is unknown.
const ParameterInfo* find_parameter(std::string_view name);

// The run-time default of a `dynamic` parameter (e.g. myhostname from gethostname()),
// or the table's default_value for the others.
std::string default_value(const ParameterInfo& info, std::string_view config_dir);

}  // namespace correio::config
