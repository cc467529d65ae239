// Which parameters of the defaults table Correio does not honour (yet), and what setting
// one of them means: the other half of the defaults table, so that no setting is ever
// ignored in silence. A parameter not listed here is honoured by the code that reads it
// (tests/integration/test_parameter_support.py proves both halves).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace correio::config {

enum class Support {
  kHonoured,       // read and acted upon
  kInformational,  // no run-time effect, in Postfix either (install paths, read-only facts)
  kNotYet,         // ignored: a changed value is a warning at check, start and reload
  kNotYetUnsafe,   // ignoring it would weaken security or lose mail: a changed value is fatal
};

struct SupportInfo {
  std::string_view name;
  Support support;
  // Values, besides the default, that describe what Correio does anyway ("no" for biff);
  // separated by '|' (a value may be empty or a list); setting one is not reported.
  std::string_view accepted;
  // Why, and what Correio does instead; ends up in the message and in
  // docs/configuration.md.
  std::string_view note;
};

// Every parameter that is not kHonoured, sorted by name. Static storage; thread-safe.
std::span<const SupportInfo> support_table();

// kHonoured for parameters that are not listed (including unknown names).
Support parameter_support(std::string_view name);
const SupportInfo* find_support(std::string_view name);

// "honoured", "informational", "not yet (warning)", "not yet (fatal)".
std::string_view support_label(Support support);

struct SettingFinding {
  std::string message;  // "FILE:LINE: warning: ..." or "FILE:LINE: error: ..."
  bool fatal = false;
};

// The main.cf entries of `config` that set an unsupported parameter to a value Correio
// does not already behave as. One finding per parameter (its effective entry).
std::vector<SettingFinding> unsupported_settings(const Config& config);

// The same for master.cf `-o name=value` overrides of one service; `origin` says where
// they are written ("/etc/correio/master.cf:12: service submission/inet").
std::vector<SettingFinding> unsupported_overrides(const Config& config, const Overrides& overrides,
                                                  std::string_view origin);

}  // namespace correio::config
