// What the milter client is configured with: smtpd_milters / non_smtpd_milters (a list of
// "inet:host:port", "unix:/path" or "{ address, name=value, ... }" entries, Postfix 3.0),
// milter_default_action, milter_protocol, the three timeouts and the macro lists per
// stage. Parsed once at start-up; immutable afterwards and safe to share.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "config/config.hpp"

namespace correio::milter {

// What happens when a milter cannot be reached or breaks the protocol
// (milter_default_action).
enum class DefaultAction { accept, reject, tempfail, quarantine };
Result<DefaultAction> parse_default_action(std::string_view value);

struct MilterSpec {
  std::string address;  // "inet:host:port" or "unix:/absolute/path"
  DefaultAction default_action = DefaultAction::tempfail;
  std::chrono::milliseconds connect_timeout{30000};
  std::chrono::milliseconds command_timeout{30000};
  std::chrono::milliseconds content_timeout{300000};
  uint32_t protocol = 6;
};

// The macro names sent per stage (milter_*_macros), split on blanks and commas.
struct MacroLists {
  std::vector<std::string> connect, helo, mail, rcpt, data, end_of_header, end_of_data;
};

struct Settings {
  std::vector<MilterSpec> milters;  // in the order they are consulted
  MacroLists macros;
  std::string daemon_name;  // milter_macro_daemon_name: {daemon_name}
  std::string v;            // milter_macro_v: the v macro
  std::string myhostname;   // the j macro

  bool empty() const { return milters.empty(); }
  // `list_parameter`: "smtpd_milters" or "non_smtpd_milters". An error names the
  // parameter and what is wrong with it.
  static Result<Settings> from_config(const config::Config& config,
                                      std::string_view list_parameter);
};

// Parses a milter list with defaults from `defaults` (only its timeouts, action and
// protocol are used). Unix paths that are not absolute are made relative to
// `queue_directory`, as Postfix's smtpd (chrooted there) sees them.
Result<std::vector<MilterSpec>> parse_milter_list(std::string_view value,
                                                  const MilterSpec& defaults,
                                                  const std::string& queue_directory);

}  // namespace correio::milter
