// The key and certificate files the master hands to the services that present them, and
// their renewal (see tls_files.hpp): every tls_certificate_check_interval the master
// stat()s them; when they changed and the new ones load, the service gets new processes
// with the new files, and the old ones (SIGUSR2, service/daemon.cpp) accept nothing more
// and end with their last session. A renewal that does not load changes nothing.
#include <fmt/format.h>
#include <signal.h>

#include "master/supervisor.hpp"

namespace correio::master {

void Supervisor::prepare_tls(Service& service) {
  auto effective = loaded_.config.with_overrides(service.spec.entry.overrides);
  if (!effective) return;  // the service plan has reported the bad override
  service.tls = prepare_tls_handout(*effective, service.spec.entry.command);
}

void Supervisor::hand_tls(const Service& service, SpawnRequest& request) {
  if (!service.tls || !service.tls->bundle.valid()) return;
  int number = 3 + static_cast<int>(request.listen_fds.size() + request.passed_fds.size());
  request.passed_fds.push_back(service.tls->bundle.get());
  request.environment.push_back(fmt::format("{}={}", tls::kHandedFilesVariable, number));
}

void Supervisor::arm_tls_watch() {
  auto interval = loaded_.config.get_time("tls_certificate_check_interval");
  if (interval < std::chrono::seconds(1)) interval = std::chrono::seconds(1);
  if (!tls_watch_timer_) tls_watch_timer_ = std::make_unique<asio::steady_timer>(io_);
  tls_watch_timer_->expires_after(interval);
  tls_watch_timer_->async_wait([this](std::error_code ec) {
    if (ec || stopping_) return;
    check_tls_files();
    arm_tls_watch();
  });
}

void Supervisor::check_tls_files() {
  if (stopping_) return;
  for (auto& [key, service] : services_)
    if (refresh_tls(service)) hand_over(service);
}

bool Supervisor::refresh_tls(Service& service) {
  if (!service.tls || !tls_files_changed(*service.tls)) return false;
  auto effective = loaded_.config.with_overrides(service.spec.entry.overrides);
  if (!effective) return false;
  std::optional<TlsHandout> renewed = prepare_tls_handout(*effective, service.spec.entry.command);
  Status usable = renewed ? check_tls_handout(*renewed, *effective, service.spec.entry.command)
                          : Status(Error{"no file could be read"});
  if (!usable) {
    log_->warning(
        "{}: renewed TLS key or certificate does not load: {}; its processes keep the "
        "previous ones",
        service.label, usable.error().message);
    // Report this version once: compare with it from now on; the files the processes
    // get stay the previous ones.
    for (auto& [path, stamp] : service.tls->stamps) stamp = base::file_stamp(path);
    return false;
  }
  log_->info(
      "{}: TLS key or certificate renewed: new processes present it; {} old "
      "process(es) accept no more connections and end with their sessions",
      service.label, service.children.size());
  service.tls = std::move(renewed);
  return true;
}

}  // namespace correio::master
