// The settings check shared by check, start and reload (see settings_check.hpp).
#include "master/settings_check.hpp"

#include <fmt/format.h>

#include <set>
#include <string_view>

#include "config/support.hpp"
#include "maps/map.hpp"

namespace correio::master {
namespace {

// Honoured parameters whose value is a list of lookup tables. Postfix opens them when a
// daemon first needs them and dies then ("fatal: open database ..."); Correio says so
// before anything starts.
constexpr std::string_view kTableParameters[] = {
    "alias_maps",
    "smtpd_sender_login_maps",
    "virtual_uid_maps",
    "virtual_gid_maps",
    "tls_server_sni_maps",
    "transport_maps",
    "sender_dependent_relayhost_maps",
    "sender_dependent_default_transport_maps",
};

// "proxy:hash:/x" is "hash:/x" read through Postfix's proxymap; Correio reads it directly.
std::string_view without_proxy(std::string_view spec) {
  while (spec.starts_with("proxy:")) spec.remove_prefix(6);
  return spec;
}

// Where `name` is set: "FILE:LINE" for main.cf, `origin` for a -o override, "" when it
// has its default (defaults are not checked: a table that is not configured is not used).
std::string where_set(const config::Config& config, const config::Overrides& overrides,
                      std::string_view name, std::string_view origin) {
  for (const auto& [n, v] : overrides)
    if (n == name) return std::string(origin);
  if (const auto* entry = config.main_cf().find(name))
    return fmt::format("{}:{}", config.main_cf().file_name(), entry->line);
  return "";
}

void check_tables(const config::Config& config, const config::Overrides& overrides,
                  std::string_view origin, SettingsReport& report) {
  for (std::string_view name : kTableParameters) {
    std::string where = where_set(config, overrides, name, origin);
    if (where.empty()) continue;
    for (const auto& spec : maps::split_map_list(config.get(name))) {
      auto table = maps::open_map(without_proxy(spec));
      if (!table)
        report.errors.push_back(
            fmt::format("{}: error: {}: {}: {}", where, name, spec, table.error().message));
    }
  }
}

void add_unique(std::vector<std::string>& out, std::set<std::string>& seen, std::string text) {
  if (seen.insert(text).second) out.push_back(std::move(text));
}

}  // namespace

SettingsReport check_settings(const config::Config& config,
                              const std::vector<config::MasterService>& services,
                              const KnownCommands& known) {
  SettingsReport report;
  std::set<std::string> seen;
  auto add = [&](const config::SettingFinding& f) {
    add_unique(f.fatal ? report.errors : report.warnings, seen, f.message);
  };
  for (const auto& f : config::unsupported_settings(config)) add(f);
  check_tables(config, {}, "", report);

  std::string master_cf = (config.config_dir() / "master.cf").string();
  for (const auto& service : services) {
    std::string origin = fmt::format("{}:{}: service {}", master_cf, service.line, service.key());
    for (const auto& f : config::unsupported_overrides(config, service.overrides, origin)) add(f);
    auto effective = config.with_overrides(service.overrides);
    if (!effective) continue;  // reported by the service plan
    if (!service.overrides.empty()) {
      SettingsReport tables;
      check_tables(*effective, service.overrides, origin, tables);
      for (auto& e : tables.errors) add_unique(report.errors, seen, std::move(e));
    }
    auto hook = known.checks.find(service.command);
    if (hook == known.checks.end()) continue;
    // A problem in main.cf shows in every service that reads it: say it once, and name
    // the service only when its -o overrides are involved.
    std::string prefix = service.overrides.empty() ? "" : origin + ": ";
    for (const auto& message : hook->second(*effective)) {
      bool fatal = message.starts_with("error: ") || message.find(": error: ") != std::string::npos;
      add_unique(fatal ? report.errors : report.warnings, seen, prefix + message);
    }
  }
  return report;
}

}  // namespace correio::master
