// `correio check` / `postfix check`: validate main.cf and master.cf (every problem with
// FILE:LINE), check that each master.cf command exists in this binary, and create the
// queue and data directories with their owners and modes. Exit 1 on any error.
// SECURITY: run by the administrator, usually root; creates directories and changes their
// owner to mail_owner, never following symlinks (directories.cpp).
#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <vector>

#include "base/strings.hpp"
#include "config/config.hpp"
#include "config/master_cf.hpp"
#include "master/configuration.hpp"
#include "master/service_plan.hpp"
#include "master/spawn.hpp"
#include "master/verbs.hpp"
#include "service/server_tls.hpp"

namespace correio::master {
namespace {

// The TLS policy a TLS-speaking service runs under, with its master.cf -o overrides
// (a submission port's "-o smtpd_tls_security_level=encrypt", say).
Status check_service_tls(const config::Config& config, const config::MasterService& entry) {
  bool touches_tls = false;  // otherwise main.cf's policy applies, checked already
  for (const auto& [name, value] : entry.overrides)
    touches_tls = touches_tls || name.find("tls") != std::string::npos;
  if (!touches_tls) return {};
  bool smtpd = entry.command == "smtpd", imapd = entry.command == "imapd";
  if (!smtpd && !imapd && entry.command != "pop3d") return {};
  auto effective = config.with_overrides(entry.overrides);
  if (!effective) return {};  // reported by plan_services
  bool required = effective->get_bool(entry.command + "_tls_wrappermode");
  if (smtpd)
    required = required || base::iequals(effective->get("smtpd_tls_security_level"), "encrypt");
  auto policy = service::server_tls_policy(*effective, entry.command, required);
  if (!policy) return policy.error();
  return {};
}

}  // namespace

int check_verb(const std::filesystem::path& config_dir, const KnownCommands& known) {
  int errors = 0;
  auto say = [](const std::string& text) {
    std::fprintf(stderr, "correio/postfix-script: %s\n", text.c_str());
  };
  auto error = [&](const std::string& text) {
    ++errors;
    say(text);
  };

  std::vector<std::string> warnings;
  auto config = config::Config::load(config_dir, &warnings);
  for (const auto& w : warnings) say(w);
  if (!config) {
    error(config.error().message);
    // master.cf can still be checked for syntax without main.cf.
    auto entries = config::load_master_cf(config_dir);
    if (!entries) error(entries.error().message);
    return 1;
  }
  if (auto st = config->validate(); !st) error(st.error().message);
  // A TLS policy the daemons would refuse to start with (unknown protocol, cipher grade
  // or a cipher list OpenSSL rejects) is an error here already.
  if (auto st = service::check_server_tls_policies(*config); !st)
    error("error: " + st.error().message);

  auto identity = master_child_identity(*config);
  if (!identity) error(identity.error().message);
  std::optional<Identity> owner = identity ? *identity : std::nullopt;

  auto entries = config::load_master_cf(config_dir);
  if (!entries) {
    error(entries.error().message);
  } else {
    PlanOptions options;
    options.known = &known;
    options.strict = true;
    std::vector<std::string> problems;
    auto plan = plan_services(*config, *entries, options, &problems);
    for (const auto& p : problems) error(p);
    if (!plan && problems.empty()) error(plan.error().message);
    for (const auto& entry : *entries)
      if (auto st = check_service_tls(*config, entry); !st)
        error(fmt::format("{}:{}: error: service {}: {}", (config_dir / "master.cf").string(),
                          entry.line, entry.key(), st.error().message));
  }

  std::vector<std::string> notes;
  if (auto st = create_directories(*config, owner, &notes); !st)
    error("error: " + st.error().message);
  for (const auto& n : notes) say(n);
  return errors ? 1 : 0;
}

}  // namespace correio::master
