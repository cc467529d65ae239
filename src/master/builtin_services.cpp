// The table of folded-in and not-yet-built Postfix services (see builtin_services.hpp).
#include "master/builtin_services.hpp"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace correio::master {
namespace {

struct Row {
  std::string_view command;
  BuiltinService service;
};

// Postfix 3.7's master.cf.dist, as Debian 12 installs it.
constexpr std::array kRows = {
    Row{"cleanup", {true, "smtpd and pickup clean up mail on the way into the queue"}},
    Row{"trivial-rewrite", {true, "qmgr resolves addresses itself"}},
    Row{"bounce", {true, "qmgr writes bounce, delay and success reports itself"}},
    Row{"error", {true, "qmgr bounces mail routed to the error transport itself"}},
    Row{"discard", {true, "qmgr drops mail routed to the discard transport itself"}},
    Row{"flush", {true, "postqueue -f asks qmgr directly"}},
    Row{"proxymap", {true, "every process opens its lookup tables itself"}},
    Row{"anvil", {true, "smtpd counts connections and rates per client itself"}},
    Row{"tlsmgr", {true, "each process keeps its own TLS state"}},
    Row{"postlogd", {true, "every process writes the mail log itself"}},
    Row{"scache", {true, "the smtp process keeps its own idle connections"}},
    Row{"verify", {false, "address verification is not built yet"}},
    Row{"oqmgr", {false, "use qmgr"}},
};

}  // namespace

std::optional<BuiltinService> builtin_service(std::string_view command) {
  for (const auto& row : kRows)
    if (row.command == command) return row.service;
  return std::nullopt;
}

std::string describe_builtin(std::string_view command, const BuiltinService& service) {
  return fmt::format("command {} is {} ({}); service not started", command,
                     service.built_in ? "built into Correio" : "not supported yet", service.where);
}

}  // namespace correio::master
