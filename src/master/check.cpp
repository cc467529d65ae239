// `correio check` / `postfix check`: validate main.cf and master.cf (every problem with
// FILE:LINE), check that each master.cf command exists in this binary, and create the
// queue and data directories with their owners and modes. Exit 1 on any error.
// SECURITY: run by the administrator, usually root; creates directories and changes their
// owner to mail_owner, never following symlinks (directories.cpp).
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/log_options.hpp"
#include "config/login_sockets.hpp"
#include "config/master_cf.hpp"
#include "master/configuration.hpp"
#include "master/implicit_services.hpp"
#include "master/service_plan.hpp"
#include "master/settings_check.hpp"
#include "master/spawn.hpp"
#include "master/verbs.hpp"

namespace correio::master {

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
  if (auto log = config::logger_options(*config, "master"); !log) error(log.error().message);

  auto identity = master_child_identity(*config);
  if (!identity) error(identity.error().message);
  std::optional<Identity> owner = identity ? *identity : std::nullopt;

  auto entries = config::load_master_cf(config_dir);
  if (!entries) {
    error(entries.error().message);
  } else {
    add_implicit_services(*config, *entries);
    bool has_login = std::any_of(entries->begin(), entries->end(), [](const auto& s) {
      return !config::postlogin_command_for(s.command).empty();
    });
    if (has_login)
      if (auto login = login_child_identity(*config, owner); !login)
        error("error: " + login.error().message);
    PlanOptions options;
    options.known = &known;
    options.strict = true;
    std::vector<std::string> problems;
    auto plan = plan_services(*config, *entries, options, &problems);
    // Warnings (a stock Postfix service Correio folds in, say) do not fail the check.
    for (const auto& p : problems) {
      if (p.find(": warning: ") != std::string::npos)
        say(p);
      else
        error(p);
    }
    if (!plan && problems.empty()) error(plan.error().message);
    SettingsReport settings = check_settings(*config, *entries, known);
    for (const auto& w : settings.warnings) say(w);
    for (const auto& e : settings.errors) error(e);
  }

  std::vector<std::string> notes;
  if (auto st = create_directories(*config, owner, &notes); !st)
    error("error: " + st.error().message);
  for (const auto& n : notes) say(n);
  return errors ? 1 : 0;
}

}  // namespace correio::master
