// The commands of Postfix's stock master.cf that Correio has no process for: the ones whose
// work another process does (cleanup in smtpd and pickup, trivial-rewrite and bounce in
// qmgr, ...), and the ones not built yet (the SMTP and LMTP clients, ...). The master and
// `check` recognise them and warn, instead of calling them unknown commands.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace correio::master {

struct BuiltinService {
  bool built_in = false;   // true: the work is done elsewhere; false: not supported yet
  std::string_view where;  // who does it, or what happens meanwhile
};

// nullopt for a command that is neither (then it is a real daemon or unknown).
std::optional<BuiltinService> builtin_service(std::string_view command);

// "command cleanup is built in (smtpd and pickup ...); service not started".
std::string describe_builtin(std::string_view command, const BuiltinService& service);

}  // namespace correio::master
