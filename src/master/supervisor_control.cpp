// The master's reaction to the administrator: reload (SIGHUP) applies the diff between
// the running and the new configuration; stop (SIGTERM) and abort (SIGQUIT) end it all.
#include <fmt/format.h>
#include <signal.h>

#include <algorithm>

#include "master/supervisor.hpp"

namespace correio::master {

void Supervisor::retire(Service& service) {
  if (service.restart_timer) service.restart_timer->cancel();
  if (service.wakeup_timer) service.wakeup_timer->cancel();
  for (const auto& [pid, started] : service.children) {
    ::kill(pid, SIGTERM);
    retiring_.emplace(pid, service.label);
  }
  service.children.clear();
}

void Supervisor::hand_over(Service& service) {
  for (const auto& [pid, started] : service.children) {
    ::kill(pid, SIGUSR2);
    retiring_.emplace(pid, service.label);
  }
  service.children.clear();
  service.backoff.reset();
  if (!service.restart_timer) fill(service);
}

void Supervisor::reopen_logs() {
  // `postfix logrotate` (or logrotate(8)) renamed maillog_file: create the new one for the
  // services to write (mail_owner's), then every process lets go of the renamed file.
  const auto& id = loaded_.child_identity;
  if (auto st = ensure_maillog_file(loaded_.config, id ? static_cast<long>(id->uid) : -1,
                                    id ? static_cast<long>(id->gid) : -1);
      !st)
    log_->warning("{}", st.error().message);
  log_->reopen();
  signal_all(SIGHUP);  // service.cpp and task_daemon.cpp reopen on it
}

void Supervisor::reload() {
  if (stopping_) return;
  reopen_logs();
  auto loaded = load_configuration(config_dir_, known_);
  if (!loaded) {
    // A broken configuration must not take the running system down (Postfix keeps it).
    log_->warning("reload failed: {} -- keeping the current configuration", loaded.error().message);
    return;
  }
  // The running services, not the last loaded plan: a service whose new listeners could
  // not be bound kept running with its old specification.
  std::vector<ServiceSpec> running_specs;
  for (const auto& [key, service] : services_) running_specs.push_back(service.spec);
  ReloadPlan plan = diff_services(running_specs, loaded->services);
  loaded_ = std::move(*loaded);
  log_ = make_logger(loaded_.config, "master");
  log_->info("reload -- version {}, configuration {}", CORREIO_VERSION, config_dir_.string());
  for (const auto& warning : loaded_.warnings) log_problem(*log_, warning);

  for (const auto& key : plan.stop) {
    retire(services_.at(key));
    services_.erase(key);
  }
  for (const auto& spec : loaded_.services) {
    auto running = services_.find(spec.key());
    bool restart =
        std::find(plan.restart.begin(), plan.restart.end(), spec.key()) != plan.restart.end();
    if (running != services_.end() && !restart) {
      // Unchanged, but what its processes read at start may have changed (a pcre: or
      // regexp: table, a certificate, the user directory): as `postfix reload`, new
      // processes take over and the old ones end when their sessions do (an IMAP client
      // in IDLE keeps its connection).
      running->second.spec = spec;
      refresh_tls(running->second);
      hand_over(running->second);
      continue;
    }
    // The new listeners are bound while the old ones still listen (ListenerSet::open), so
    // a failure leaves the old service serving: never nothing listening.
    auto service = make_service(spec);
    if (!service) {
      log_->warning("service {} not {}: {}{}", spec.key(),
                    running == services_.end() ? "started" : "restarted", service.error().message,
                    running == services_.end() ? "" : " -- keeping the running service");
      continue;
    }
    if (running != services_.end()) {
      retire(running->second);
      services_.erase(running);
    }
    auto [it, inserted] = services_.emplace(spec.key(), std::move(*service));
    fill(it->second);
    arm_wakeup(it->second);
  }
  // Sockets of removed services or changed addresses close now; the others stayed open.
  std::vector<std::string> keep;
  for (const auto& [key, service] : services_)
    for (const auto& l : service.spec.listeners) keep.push_back(l.key());
  listeners_.close_except(keep);
}

void Supervisor::signal_all(int signal) {
  for (auto& [key, service] : services_)
    for (const auto& [pid, started] : service.children) ::kill(pid, signal);
  for (const auto& [pid, label] : retiring_) ::kill(pid, signal);
}

void Supervisor::stop(int signal, bool graceful) {
  if (stopping_ && graceful) return;
  if (!stopping_) log_->info("terminating on signal {}", signal);
  stopping_ = true;
  for (auto& [key, service] : services_) {
    if (service.restart_timer) service.restart_timer->cancel();
    if (service.wakeup_timer) service.wakeup_timer->cancel();
    for (const auto& [pid, started] : service.children) retiring_.emplace(pid, service.label);
    service.children.clear();
  }
  listeners_.close_all();
  if (!graceful) {
    signal_all(SIGKILL);
  } else {
    signal_all(SIGTERM);
    // Processes that have not finished their sessions by the deadline are killed.
    stop_timer_ = std::make_unique<asio::steady_timer>(io_, kStopDeadline);
    stop_timer_->async_wait([this](std::error_code ec) {
      if (!ec) signal_all(SIGKILL);
    });
  }
  finish_if_done();
}

void Supervisor::finish_if_done() {
  if (!stopping_ || !retiring_.empty()) return;
  for (const auto& [key, service] : services_)
    if (!service.children.empty()) return;
  if (stop_timer_) stop_timer_->cancel();
  io_.stop();
}

}  // namespace correio::master
