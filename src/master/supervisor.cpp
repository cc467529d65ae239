// The master's supervision of service processes: start, reap, restart with backoff
// (Postfix's master_spawn.c wording for the log lines).
// SECURITY: runs with the master's privilege (root when started by root); it parses no
// network input, only main.cf/master.cf and waitpid() statuses.
#include "master/supervisor.hpp"

#include <fmt/format.h>
#include <sys/wait.h>

#include "master/spawn.hpp"
#include "metrics/child_files.hpp"

namespace correio::master {
namespace {

constexpr int kListenBacklog = 256;
constexpr std::chrono::seconds kDefaultThrottleTime{60};

}  // namespace

Supervisor::Supervisor(asio::io_context& io, std::filesystem::path config_dir,
                       const KnownCommands& known, LoadedConfiguration loaded)
    : io_(io),
      config_dir_(std::move(config_dir)),
      known_(known),
      loaded_(std::move(loaded)),
      log_(make_logger(loaded_.config, "master")) {}

std::chrono::seconds Supervisor::throttle_time() const {
  if (!loaded_.config.raw("service_throttle_time")) return kDefaultThrottleTime;
  auto t = loaded_.config.get_time("service_throttle_time");
  return t.count() > 0 ? t : kDefaultThrottleTime;
}

Result<Supervisor::Service> Supervisor::make_service(const ServiceSpec& spec) {
  Service service{spec, {}, {}, Backoff(throttle_time()), nullptr, {}, nullptr, std::nullopt};
  service.label = program_label(loaded_.config, spec.entry.command);
  for (const auto& listener : spec.listeners) {
    auto fd = listeners_.open(listener, kListenBacklog);
    if (!fd) return fd.error();
    service.fds.push_back(*fd);
  }
  prepare_tls(service);
  return service;
}

Status Supervisor::bind_all() {
  for (const auto& warning : loaded_.warnings) log_problem(*log_, warning);
  for (const auto& spec : loaded_.services) {
    auto service = make_service(spec);
    if (!service) return service.error();
    services_.emplace(spec.key(), std::move(*service));
  }
  return {};
}

void Supervisor::start_all() {
  for (auto& [key, service] : services_) {
    fill(service);
    arm_wakeup(service);
  }
  arm_tls_watch();
}

void Supervisor::fill(Service& service) {
  while (static_cast<int>(service.children.size()) < service.spec.processes) {
    SpawnRequest request;
    request.argv = daemon_argv(config_dir_, service.spec.entry, service.spec.session_limit);
    request.listen_fds = service.fds;
    request.identity =
        service_identity(service.spec.entry, loaded_.child_identity, loaded_.login_identity);
    std::optional<metrics::ChildFiles> files = login_metrics_files(service, request.identity);
    if (files) {
      int first = 3 + static_cast<int>(request.listen_fds.size());
      request.passed_fds = {files->counters.get(), files->gauges.get()};
      request.environment.push_back(
          fmt::format("{}={},{}", metrics::kChildFilesVariable, first, first + 1));
    }
    hand_tls(service, request);
    auto pid = spawn_child(request);
    if (pid && files) {
      if (auto named = metrics::name_child_gauges(*files, loaded_.config, service.spec.entry.name,
                                                  static_cast<long>(*pid));
          !named)
        log_->warning("{}: metrics: {}", service.label, named.error().message);
    }
    if (!pid) {
      // fork failed (out of processes or memory): try again later, never spin.
      log_->warning("{}: {}", service.label, pid.error().message);
      schedule_restart(service.spec.key(), service.backoff.next());
      return;
    }
    service.children.emplace(*pid, std::chrono::steady_clock::now());
  }
}

std::optional<metrics::ChildFiles> Supervisor::login_metrics_files(
    const Service& service, const std::optional<Identity>& identity) {
  // Only a login process (login_user) cannot enter metrics_directory itself.
  if (!identity || !loaded_.login_identity || identity->uid != loaded_.login_identity->uid)
    return std::nullopt;
  auto effective = loaded_.config.with_overrides(service.spec.entry.overrides);
  if (!effective || !effective->get_bool("metrics_enable")) return std::nullopt;
  auto files = metrics::prepare_child_files(*effective, service.spec.entry.name, identity->uid,
                                            identity->gid);
  if (!files) {
    log_->warning("{}: metrics: {}; the process runs without them", service.label,
                  files.error().message);
    return std::nullopt;
  }
  return std::move(*files);
}

void Supervisor::schedule_restart(const std::string& key, std::chrono::seconds delay) {
  auto it = services_.find(key);
  if (it == services_.end() || it->second.restart_timer) return;  // one pending restart
  auto& timer = it->second.restart_timer;
  timer = std::make_unique<asio::steady_timer>(io_, delay);
  timer->async_wait([this, key](std::error_code ec) {
    if (ec || stopping_) return;  // cancelled: the service was removed or replaced
    auto found = services_.find(key);
    if (found == services_.end()) return;
    found->second.restart_timer.reset();
    fill(found->second);
  });
}

void Supervisor::on_child_exit(pid_t pid, int status) {
  auto now = std::chrono::steady_clock::now();
  // Find whose process it was.
  std::string label;
  Service* owner = nullptr;
  std::chrono::steady_clock::duration lived{};
  if (auto r = retiring_.find(pid); r != retiring_.end()) {
    label = r->second;
    retiring_.erase(r);
  } else {
    for (auto& [key, service] : services_) {
      if (auto c = service.children.find(pid); c != service.children.end()) {
        owner = &service;
        label = service.label;
        lived = now - c->second;
        service.children.erase(c);
        break;
      }
    }
  }
  if (label.empty()) return;  // not ours (e.g. a child of a previous exec)

  bool normal = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (WIFEXITED(status) && !normal)
    log_->warning("process {} pid {} exit status {}", label, pid, WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    log_->warning("process {} pid {} killed by signal {}", label, pid, WTERMSIG(status));

  if (stopping_ || !owner) {
    finish_if_done();
    return;
  }
  if (lived < kBadStartupWindow) {
    // Died right after start: a broken binary or configuration. Do not spin.
    if (!normal) log_->warning("{}: bad command startup -- throttling", label);
    schedule_restart(owner->spec.key(), owner->backoff.next());
    return;
  }
  owner->backoff.reset();
  if (!owner->restart_timer) fill(*owner);
}

}  // namespace correio::master
