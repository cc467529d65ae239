// The running master: one Service per master.cf entry, the processes it started, restart
// with backoff, reload (diff and apply), and graceful or immediate stop. Single-threaded:
// every method runs on the io_context's thread, driven by signals and timers.
#pragma once

#include <sys/types.h>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "base/log.hpp"
#include "master/backoff.hpp"
#include "master/configuration.hpp"
#include "master/listeners.hpp"
#include "master/spawn.hpp"
#include "master/tls_files.hpp"
#include "metrics/child_files.hpp"

namespace correio::master {

// How long a graceful stop waits for processes before SIGKILL.
inline constexpr std::chrono::seconds kStopDeadline{10};

class Supervisor {
 public:
  Supervisor(asio::io_context& io, std::filesystem::path config_dir, const KnownCommands& known,
             LoadedConfiguration loaded);
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  base::Logger& log() { return *log_; }
  const config::Config& config() const { return loaded_.config; }

  // Binds every service's listeners; an error names the address (fatal at start).
  Status bind_all();
  // Starts each service's processes.
  void start_all();

  void on_child_exit(pid_t pid, int status);  // from the SIGCHLD handler, per reaped child
  void reload();                              // SIGHUP: reopen the logs, reload
  void stop(int signal, bool graceful);       // SIGTERM/SIGINT (graceful), SIGQUIT (abort)
  bool stopping() const { return stopping_; }

 private:
  struct Service {
    ServiceSpec spec;
    std::vector<int> fds;
    std::map<pid_t, std::chrono::steady_clock::time_point> children;
    Backoff backoff;
    std::unique_ptr<asio::steady_timer> restart_timer;
    std::string label;                                 // "correio/smtpd"
    std::unique_ptr<asio::steady_timer> wakeup_timer;  // master.cf wakeup column
    std::optional<TlsHandout> tls;  // the key files its processes get (tls_files.hpp)
  };

  Result<Service> make_service(const ServiceSpec& spec);
  void fill(Service& service);  // starts processes up to spec.processes
  // A login process's counter files, passed open (it cannot enter metrics_directory);
  // nullopt for every other process, without metrics, or when they cannot be made.
  std::optional<metrics::ChildFiles> login_metrics_files(const Service& service,
                                                         const std::optional<Identity>& identity);
  void schedule_restart(const std::string& key, std::chrono::seconds delay);
  void retire(Service& service);  // SIGTERM its processes; they are no longer restarted
  // New processes take the service over; the old ones (SIGUSR2) accept nothing more and end
  // with their sessions (service/daemon.cpp) or at once (task daemons).
  void hand_over(Service& service);
  void arm_wakeup(Service& service);  // supervisor_wakeup.cpp
  // supervisor_tls.cpp: reads the service's key files; passes them to a new process; the
  // periodic check that replaces the processes when the files are renewed.
  void prepare_tls(Service& service);
  void hand_tls(const Service& service, SpawnRequest& request);
  void arm_tls_watch();
  void check_tls_files();
  // Whether the service's key or certificate files changed and the new ones load: then its
  // handout is renewed (the caller hands the service over to new processes).
  bool refresh_tls(Service& service);
  void signal_all(int signal);
  void reopen_logs();  // supervisor_control.cpp
  void finish_if_done();
  std::chrono::seconds throttle_time() const;

  asio::io_context& io_;
  std::filesystem::path config_dir_;
  const KnownCommands& known_;
  LoadedConfiguration loaded_;
  std::unique_ptr<base::Logger> log_;
  ListenerSet listeners_;
  std::map<std::string, Service> services_;
  std::map<pid_t, std::string> retiring_;  // pid -> label, for processes of old generations
  bool stopping_ = false;
  std::unique_ptr<asio::steady_timer> stop_timer_;
  std::unique_ptr<asio::steady_timer> tls_watch_timer_;
};

}  // namespace correio::master
