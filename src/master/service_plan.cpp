// From master.cf entries and main.cf to ServiceSpecs, and the reload diff (see
// service_plan.hpp).
#include "master/service_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "base/strings.hpp"
#include "config/login_sockets.hpp"
#include "master/builtin_services.hpp"

namespace correio::master {
namespace {

// main.cf as name=value pairs, last assignment winning: a change here may change any
// process's behaviour, so it is part of every service's fingerprint.
std::string main_cf_fingerprint(const config::Config& config) {
  std::map<std::string, std::string> effective;
  for (const auto& e : config.main_cf().entries()) effective[e.name] = e.value;
  std::string out;
  for (const auto& [name, value] : effective) out += fmt::format("{}={}\n", name, value);
  return out;
}

std::string entry_fingerprint(const config::MasterService& s) {
  std::string out = fmt::format("{}|{}|{}|{}|{}|{}|{}|{}", s.name, s.type, s.private_, s.unpriv,
                                s.chroot, s.wakeup, s.maxproc, s.command);
  for (const auto& [name, value] : s.overrides) out += fmt::format("|-o {}={}", name, value);
  for (const auto& arg : s.args) out += "|" + arg;
  return out;
}

Result<std::vector<ListenerSpec>> listeners_for(const config::Config& config,
                                                const config::MasterService& s,
                                                const PlanOptions& options) {
  if (s.type == "inet")
    return inet_listeners(s.name, config.get_list("inet_interfaces"), config.get("inet_protocols"));
  if (s.type != "unix" && s.type != "fifo")
    return Error{fmt::format("unsupported service type: {}", s.type)};
  if (s.name.empty() || s.name.find('/') != std::string::npos || s.name == "." || s.name == "..")
    return Error{fmt::format("bad {} service name: {}", s.type, s.name)};
  std::string queue_directory = config.get("queue_directory");
  if (queue_directory.empty()) return Error{"queue_directory is not set"};
  // Postfix: the private column is "y" unless it says "n"; public ones live in public/.
  bool is_public = s.private_ == "n";
  ListenerSpec spec;
  spec.kind = s.type == "unix" ? ListenerSpec::Kind::unix_stream : ListenerSpec::Kind::fifo;
  spec.path = std::filesystem::path(queue_directory) / (is_public ? "public" : "private") / s.name;
  spec.is_public = is_public;
  spec.owner_uid = options.socket_uid;
  spec.owner_gid = options.socket_gid;
  // The pre-login split's sockets (config/login_sockets.hpp): mode 0666 in login/, whose
  // own mode (0750, login_user's group) decides who reaches them. A post-login service
  // has only that socket; the auth service has one there besides private/NAME.
  ListenerSpec in_login = spec;
  in_login.kind = ListenerSpec::Kind::unix_stream;
  in_login.path = std::filesystem::path(queue_directory) / config::kLoginDirectory / s.name;
  in_login.is_public = true;
  if (s.type == "unix" && s.private_ == config::kLoginSocketColumn)
    return std::vector<ListenerSpec>{in_login};
  if (s.type == "unix" && s.command == "auth") return std::vector<ListenerSpec>{spec, in_login};
  return std::vector<ListenerSpec>{spec};
}

}  // namespace

Result<int> parse_maxproc(std::string_view maxproc) {
  if (maxproc == "-") return 1;
  auto n = base::parse_int(maxproc);
  if (!n || *n > 10000) return Error{fmt::format("bad maxproc value: {}", maxproc)};
  return *n == 0 ? 1 : static_cast<int>(*n);
}

Result<std::vector<ServiceSpec>> plan_services(const config::Config& config,
                                               const std::vector<config::MasterService>& services,
                                               const PlanOptions& options,
                                               std::vector<std::string>* problems) {
  std::string file = (config.config_dir() / "master.cf").string();
  std::string common = main_cf_fingerprint(config);
  std::vector<ServiceSpec> out;
  std::set<std::string> seen_keys, seen_listeners;
  bool failed = false;
  // fatal: always an error; notice: always a warning; else an error only in check.
  auto report = [&](const config::MasterService& s, bool fatal, const std::string& text,
                    bool notice = false) {
    std::string level = !notice && (fatal || options.strict) ? "error" : "warning";
    if (problems) problems->push_back(fmt::format("{}:{}: {}: {}", file, s.line, level, text));
    if (level == "error") failed = true;
  };
  for (const auto& s : services) {
    if (!seen_keys.insert(s.key()).second) {
      report(s, true, fmt::format("duplicate service: {}", s.key()));
      continue;
    }
    // Postfix's stock services that Correio folds into other processes or lacks yet.
    bool known = options.known && options.known->names.contains(s.command);
    if (auto builtin = builtin_service(s.command); builtin && !known) {
      report(s, false,
             fmt::format("service {}: {}", s.key(), describe_builtin(s.command, *builtin)), true);
      continue;
    }
    if (options.known && !known) {
      report(s, false, fmt::format("unknown command: {} (service {} skipped)", s.command, s.key()));
      continue;
    }
    if (s.type != "inet" && s.type != "unix" && s.type != "fifo") {
      report(s, false,
             fmt::format("unsupported service type {} (service {} skipped)", s.type, s.key()));
      continue;
    }
    ServiceSpec spec;
    spec.entry = s;
    auto processes = parse_maxproc(s.maxproc);
    if (!processes) {
      report(s, true, processes.error().message);
      continue;
    }
    spec.processes = *processes;
    if (s.command == "spawn") {
      // Postfix runs a spawn process per connection, at most maxproc ('-':
      // default_process_limit, 0: no limit); Correio's one spawn process counts them.
      spec.processes = 1;
      auto limit = s.maxproc == "-" ? base::parse_int(config.get("default_process_limit"))
                                    : base::parse_int(s.maxproc);
      spec.session_limit = limit && *limit > 0 ? static_cast<int>(*limit) : 0;
    }
    auto listeners = listeners_for(config, s, options);
    if (!listeners) {
      report(s, true, listeners.error().message);
      continue;
    }
    spec.listeners = std::move(*listeners);
    bool clash = false;
    for (const auto& l : spec.listeners) clash = clash || !seen_listeners.insert(l.key()).second;
    if (clash) {
      report(s, true, fmt::format("address already used by another service: {}", s.name));
      continue;
    }
    spec.fingerprint = entry_fingerprint(s) + "\n" + common;
    for (const auto& l : spec.listeners) spec.fingerprint += l.key() + "\n";
    out.push_back(std::move(spec));
  }
  if (failed) return Error{fmt::format("{}: configuration errors", file)};
  return out;
}

ReloadPlan diff_services(const std::vector<ServiceSpec>& before,
                         const std::vector<ServiceSpec>& after) {
  ReloadPlan plan;
  std::map<std::string, const ServiceSpec*> old_by_key;
  for (const auto& s : before) old_by_key[s.key()] = &s;
  std::set<std::string> new_keys;
  for (const auto& s : after) {
    new_keys.insert(s.key());
    auto it = old_by_key.find(s.key());
    if (it == old_by_key.end())
      plan.start.push_back(s.key());
    else if (it->second->fingerprint != s.fingerprint)
      plan.restart.push_back(s.key());
    else
      plan.keep.push_back(s.key());
  }
  for (const auto& s : before)
    if (!new_keys.contains(s.key())) plan.stop.push_back(s.key());
  return plan;
}

}  // namespace correio::master
