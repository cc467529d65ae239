// master.cf: Postfix's eight columns (service type private unpriv chroot wakeup maxproc
// command + args), '#' comments, continuation lines, and -o name=value overrides,
// including the -o { name = value with spaces } form.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"

namespace correio::config {

struct MasterService {
  std::string name;      // "smtp", "submission", "127.0.0.1:2525", "pickup", ...
  std::string type;      // inet, unix, unix-dgram, fifo, pass
  std::string private_;  // y/n/-
  std::string unpriv;    // y/n/-
  std::string chroot;    // y/n/-
  std::string wakeup;    // seconds, '?' suffix allowed, or -
  std::string maxproc;   // number or -
  std::string command;   // "smtpd", "imapd", ...
  std::vector<std::pair<std::string, std::string>> overrides;  // -o name=value, in order
  std::vector<std::string> args;                               // other command arguments, in order
  int line = 0;

  // "NAME/TYPE", the key postconf -M and the master use.
  std::string key() const { return name + "/" + type; }
  // The text of this entry as one line (postconf -M format): the eight columns at
  // Postfix's column positions, then daemon options, -o overrides and other arguments.
  std::string to_line() const { return format(false); }
  // With `fold`, as postconf -Mf: each -o on its own line indented by 4 blanks, and long
  // lines folded at 80 columns. No trailing newline.
  std::string format(bool fold) const;
  // The command column with its arguments, one line (postconf -F "command" field).
  std::string command_line() const;
};

// Errors read "FILE:LINE: error: TEXT".
Result<std::vector<MasterService>> parse_master_cf(std::string_view text,
                                                   std::string_view file_name);
// A missing master.cf is an error: the master has nothing to run.
Result<std::vector<MasterService>> load_master_cf(const std::filesystem::path& config_dir);

}  // namespace correio::config
