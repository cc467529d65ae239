// The defaults table: every main.cf parameter Correio knows, its default and a one-line
// description. `postconf -d` prints it and docs/configuration.md is generated from it.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace correio::config {

// How a value is checked by Config::validate() and read by the typed getters.
enum class ParameterType {
  kString,  // anything, including lists and lookup tables
  kBool,    // yes / no
  kInt,     // non-negative decimal
  kTime,    // decimal with optional unit s, m, h, d, w (default unit: the default's)
};

struct ParameterInfo {
  std::string_view name;
  // The default as Postfix writes it (may reference other parameters: "$myhostname").
  // Defaults that depend on the machine (myhostname, mydomain, ...) are computed by
  // dynamic_default() instead, and this field holds a placeholder description of them.
  std::string_view default_value;
  std::string_view description;
  ParameterType type = ParameterType::kString;
  bool dynamic = false;  // default computed at run time (see default_value())
};

// All known parameters, sorted by name. Static storage; never changes; thread-safe.
std::span<const ParameterInfo> parameter_table();

// nullptr when `name` is unknown.
const ParameterInfo* find_parameter(std::string_view name);

// The run-time default of a `dynamic` parameter (e.g. myhostname from gethostname()),
// or the table's default_value for the others. Machine facts are computed once per
// process and cached.
std::string default_value(const ParameterInfo& info, std::string_view config_dir);

// Machine-derived defaults, exposed for Config (which derives mydomain from a configured
// myhostname, and mynetworks from mynetworks_style, as Postfix does).
std::string default_myhostname();
std::string domain_of_hostname(std::string_view hostname);    // minus first label or localdomain
std::string own_networks(std::string_view mynetworks_style);  // host, subnet or class
// The compiled-in configuration directory, /etc/correio.
inline constexpr std::string_view kDefaultConfigDir = "/etc/correio";

}  // namespace correio::config
