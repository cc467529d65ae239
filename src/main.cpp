// The one multi-call binary: dispatches on the name it was called by (postconf, postfix,
// sendmail, ...) or on its first argument (`correio postconf -n`, `correio start-fg`).
// SECURITY: this file only dispatches; each command states its own privilege needs.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "authd/authd.hpp"
#include "autoconfig/autoconfig.hpp"
#include "cleanup/check_tables.hpp"
#include "cli/commands.hpp"
#include "config/config.hpp"
#include "delivery/local/local_main.hpp"
#include "delivery/pipe/pipe_main.hpp"
#include "delivery/smtp/address_order.hpp"
#include "delivery/smtp/smtp_main.hpp"
#include "delivery/virtual/virtual_main.hpp"
#include "exporter/exporter.hpp"
#include "imap_login/imap_login.hpp"
#include "imapd/imapd.hpp"
#include "lmtpd/lmtpd.hpp"
#include "master/master.hpp"
#include "pickup/pickup.hpp"
#include "pop3_login/pop3_login.hpp"
#include "pop3d/pop3d.hpp"
#include "qmgr/qmgr.hpp"
#include "service/daemon.hpp"
#include "service/login_services.hpp"
#include "service/server_tls.hpp"
#include "showq/showq.hpp"
#include "smtpd/smtpd.hpp"
#include "spawn/spawn_main.hpp"
#include "spawn/spawn_options.hpp"
#include "tls/dane.hpp"

namespace {

using CommandMain = int (*)(int, char**);
using DaemonMain = int (*)(const correio::service::DaemonArgs&);

// master.cf commands this binary implements. A service whose command is not here is
// reported by `correio check` and not started by the master.
const std::map<std::string_view, DaemonMain>& daemon_table() {
  static const std::map<std::string_view, DaemonMain> table = {
      {"auth", correio::authd::authd_main},
      {"autoconfig", correio::autoconfig::autoconfig_main},
      {"exporter", correio::exporter::exporter_main},
      {"lmtpd", correio::lmtpd::lmtpd_main},
      {"lmtp", correio::delivery::smtp_agent::lmtp_main},
      {"local", correio::delivery::local_agent::local_main},
      {"pickup", correio::pickup::pickup_main},
      {"pipe", correio::delivery::pipe_agent::pipe_main},
      {"pop3d", correio::pop3d::pop3d_main},
      {"pop3-login", correio::pop3_login::pop3_login_main},
      {"qmgr", correio::qmgr::qmgr_main},
      {"showq", correio::showq::showq_main},
      {"smtp", correio::delivery::smtp_agent::smtp_main},
      {"smtpd", correio::smtpd::smtpd_main},
      {"spawn", correio::spawn::spawn_main},
      {"imapd", correio::imapd::imapd_main},
      {"imap-login", correio::imap_login::imap_login_main},
      {"virtual", correio::delivery::virtual_agent::virtual_main},
  };
  return table;
}

// The administrator's commands reachable by name (symlink) or as `correio NAME`.
const std::map<std::string_view, CommandMain>& command_table() {
  static const std::map<std::string_view, CommandMain> table = {
      {"autoconfig-dns", correio::autoconfig::autoconfig_dns_main},
      {"postconf", correio::cli::postconf_main},
      {"postcat", correio::cli::postcat_main},
      {"postmap", correio::cli::postmap_main},
      {"postalias", correio::cli::postalias_main},
      {"newaliases", correio::cli::newaliases_main},
      {"quickstart", correio::cli::quickstart_main},
      {"sendmail", correio::cli::sendmail_main},
      {"mailq", correio::cli::mailq_main},
      {"postqueue", correio::cli::postqueue_main},
      {"postsuper", correio::cli::postsuper_main},
      {"qshape", correio::cli::qshape_main},
      {"pw", correio::cli::pw_main},
      {"user", correio::cli::user_main},
      {"auth", correio::cli::auth_main},
  };
  return table;
}

constexpr std::string_view kMasterVerbs[] = {"start-fg", "start",  "stop",  "abort",
                                             "reload",   "status", "check", "logrotate"};

bool is_master_verb(std::string_view s) {
  for (auto v : kMasterVerbs)
    if (v == s) return true;
  return false;
}

constexpr const char* kUsage =
    "usage: correio [-c config_dir] "
    "{start-fg|start|stop|abort|reload|status|check|flush|logrotate}\n"
    "       correio quickstart [DIR]\n"
    "       correio pw|user|auth ...     (passwords and the user directory)\n"
    "       correio postconf [options]   (also: postconf, postfix, ... as links)\n"
    "       correio --version | --help\n";

// A usage error: the text on stderr, exit 2.
int usage() {
  std::fputs(kUsage, stderr);
  return 2;
}

// --help and --version are requests, not errors: stdout and exit 0 (GNU coding standards
// §4.8), so that `correio --help | less` works.
int help() {
  std::printf("%s\nCommands, also reachable by these names as links to this binary:\n ", kUsage);
  for (const auto& [name, fn] : command_table())
    std::printf(" %.*s", int(name.size()), name.data());
  std::printf("\nDocumentation: docs/admin-guide.md and man pages of the Postfix commands.\n");
  return 0;
}

int version() {
  std::printf("correio %s\n", CORREIO_VERSION);
  return 0;
}

correio::master::KnownCommands known_commands() {
  correio::master::KnownCommands known;
  for (const auto& [name, fn] : daemon_table()) known.names.insert(std::string(name));
  known.service_checks.emplace("spawn", correio::spawn::check_spawn_service);
  known.checks.emplace("qmgr", correio::qmgr::check_configuration);
  known.checks.emplace("autoconfig", [](const correio::config::Config& config) {
    return correio::service::tls_policy_problems(config, "autoconfig");
  });
  // smtp_header_checks & co.: an action the smtp/lmtp client does not perform stops the
  // start, naming the table's file and line; so does an unknown address preference.
  for (const char* agent : {"smtp", "lmtp"})
    known.checks.emplace(agent, [agent](const correio::config::Config& config) {
      auto problems = correio::cleanup::content_check_problems(
          config, std::string(agent) + "_", correio::cleanup::CheckUse::delivery);
      std::string name = std::string(agent) + "_address_preference";
      auto preference =
          correio::delivery::smtp_agent::parse_address_preference(config.get(name), name);
      if (!preference) {
        std::string where = config.location(name);
        problems.push_back(where + (where.empty() ? "" : ": ") +
                           "error: " + preference.error().message);
      }
      // tls_dane_digests is global; the smtp agent's settings read it (tls/dane.hpp).
      auto digests = correio::tls::parse_dane_digests(config.get("tls_dane_digests"));
      if (!digests && std::string_view(agent) == "smtp") {
        std::string where = config.location("tls_dane_digests");
        problems.push_back(where + (where.empty() ? "" : ": ") +
                           "error: " + digests.error().message);
      }
      return problems;
    });
  // The daemons that offer logins: their TLS policy (smtpd: with its restrictions) and
  // a user directory to log in against.
  for (const char* daemon : {"smtpd", "imapd", "pop3d"})
    known.checks.emplace(daemon, [daemon](const correio::config::Config& config) {
      auto problems = std::string_view(daemon) == "smtpd"
                          ? correio::smtpd::check_configuration(config)
                          : correio::service::tls_policy_problems(config, daemon);
      for (auto& problem : correio::service::login_problems(config, daemon))
        problems.push_back(std::move(problem));
      return problems;
    });
  known.checks.emplace("auth", [](const correio::config::Config& config) {
    return correio::service::login_problems(config, "auth");
  });
  return known;
}

// `correio [-c DIR] VERB`, `postfix [-c DIR] VERB`, and `correio -c DIR daemon CMD ...`.
int master_or_daemon(int argc, char** argv) {
  const char* dash_c = nullptr;
  int i = 1;
  while (i < argc && argv[i][0] == '-') {
    if (std::strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
      dash_c = argv[i + 1];
      i += 2;
    } else {
      return usage();
    }
  }
  if (i >= argc) return usage();
  std::filesystem::path config_dir = correio::config::resolve_config_dir(dash_c);
  std::string verb = argv[i];
  if (verb == "daemon") {
    std::vector<std::string> rest(argv + i + 1, argv + argc);
    auto args = correio::service::parse_daemon_args(config_dir, rest);
    if (!args) {
      std::fprintf(stderr, "correio daemon: %s\n", args.error().message.c_str());
      return 2;
    }
    auto it = daemon_table().find(args->command);
    if (it == daemon_table().end()) {
      std::fprintf(stderr, "correio daemon: unknown command: %s\n", args->command.c_str());
      return 2;
    }
    return it->second(*args);
  }
  if (verb == "flush") {
    // `postfix flush` is `postqueue -f` (Postfix's postfix(1)).
    std::string name = "postqueue", f = "-f", c = "-c", d = config_dir.string();
    char* args[] = {name.data(), f.data(), c.data(), d.data(), nullptr};
    return correio::cli::postqueue_main(4, args);
  }
  // `correio -c DIR user list`: a command that reads the configuration finds it through
  // MAIL_CONFIG, as Postfix's commands do.
  if (auto it = command_table().find(verb); it != command_table().end()) {
    ::setenv("MAIL_CONFIG", config_dir.c_str(), 1);
    return it->second(argc - i, argv + i);
  }
  if (!is_master_verb(verb)) return usage();
  return correio::master::run_verb(verb, config_dir, known_commands());
}

}  // namespace

int main(int argc, char** argv) {
  std::string program = std::filesystem::path(argv[0]).filename().string();

  if (program != "correio" && program != "postfix") {
    if (auto it = command_table().find(program); it != command_table().end())
      return it->second(argc, argv);
  }
  // Only the binary's own names: for postconf, sendmail, ... the options are Postfix's.
  if ((program == "correio" || program == "postfix") && argc == 2) {
    if (std::strcmp(argv[1], "--version") == 0) return version();
    if (std::strcmp(argv[1], "--help") == 0) return help();
  }
  // `correio NAME args...` runs the command NAME with argv shifted by one.
  if (program == "correio" && argc >= 2) {
    if (auto it = command_table().find(argv[1]); it != command_table().end())
      return it->second(argc - 1, argv + 1);
  }
  return master_or_daemon(argc, argv);
}
