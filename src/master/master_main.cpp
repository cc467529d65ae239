// The master process: load the configuration, lock the pid file, bind the listeners,
// start the services, then serve signals until told to stop.
// SECURITY: runs as the invoking user, root in production. It reads only main.cf and
// master.cf, binds sockets (privileged ports need root), and talks to no network peer;
// its children drop to mail_owner before exec (spawn.cpp).
#include "master/master_main.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/signal_set.hpp>
#include <asio/use_awaitable.hpp>
#include <csignal>
#include <cstdio>

#include "base/open_files.hpp"
#include "master/pid_file.hpp"
#include "master/supervisor.hpp"
#include "master/systemd_notify.hpp"

namespace correio::master {
namespace {

bool logs_to_terminal(const config::Config& config) {
  std::string file = config.get("maillog_file");
  return file == "/dev/stdout" || file == "/dev/stderr";
}

// A fatal start-up error goes to the log and, unless the log is already the terminal,
// to standard error so that the administrator who typed the command sees it.
int fatal(base::Logger* log, const config::Config* config, const std::string& text) {
  if (log) log->fatal("{}", text);
  if (!log || !config || !logs_to_terminal(*config))
    std::fprintf(stderr, "correio/master: fatal: %s\n", text.c_str());
  return 1;
}

// A detached master keeps no terminal: its stdio goes to /dev/null, except the stream
// that maillog_file names (so `maillog_file = /dev/stdout` still reaches a supervisor).
Status detach_stdio(const config::Config& config) {
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0) return Error{"open /dev/null failed"};
  std::string file = config.get("maillog_file");
  bool ok = ::dup2(null, STDIN_FILENO) >= 0;
  if (file != "/dev/stdout") ok = ok && ::dup2(null, STDOUT_FILENO) >= 0;
  if (file != "/dev/stderr") ok = ok && ::dup2(null, STDERR_FILENO) >= 0;
  ::close(null);
  if (!ok) return Error{"redirecting standard input/output to /dev/null failed"};
  return {};
}

asio::awaitable<void> serve_signals(asio::signal_set& signals, Supervisor& supervisor,
                                    SystemdNotifier& systemd) {
  for (;;) {
    auto [ec, sig] = co_await signals.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    if (sig == SIGCHLD) {
      int status = 0;
      pid_t pid;
      while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) supervisor.on_child_exit(pid, status);
    } else if (sig == SIGHUP) {
      systemd.reloading();
      supervisor.reload();
      systemd.ready("running");
    } else if (sig == SIGQUIT) {
      systemd.stopping();
      supervisor.stop(sig, false);
    } else {
      systemd.stopping();
      supervisor.stop(sig, true);
    }
  }
}

}  // namespace

int run_master(const MasterOptions& options) {
  std::signal(SIGPIPE, SIG_IGN);
  // First, so that no daemon started below inherits $NOTIFY_SOCKET.
  SystemdNotifier systemd;
  // Children inherit the raised limit; each daemon still raises and logs its own.
  base::OpenFileLimit open_files = base::raise_open_file_limit();
  auto loaded = load_configuration(options.config_dir, *options.known);
  if (!loaded) return fatal(nullptr, nullptr, loaded.error().message);
  const config::Config config = loaded->config;
  auto log = make_logger(config, "master");
  // Settings Correio ignores are logged by the supervisor; the administrator who typed
  // `postfix start` sees them here as well, as `postfix check` shows them.
  if (!logs_to_terminal(config))
    for (const auto& w : loaded->warnings) std::fprintf(stderr, "correio/master: %s\n", w.c_str());

  std::vector<std::string> notes;
  if (auto st = create_directories(config, loaded->child_identity, &notes); !st)
    return fatal(log.get(), &config, st.error().message);
  for (const auto& note : notes) log->info("{}", note);

  auto pid_file = PidFile::acquire(pid_file_path(config));
  if (!pid_file) return fatal(log.get(), &config, pid_file.error().message);

  asio::io_context io;
  // Before any child exists, so that no SIGCHLD is lost.
  asio::signal_set signals(io, SIGCHLD, SIGHUP, SIGTERM);
  signals.add(SIGINT);
  signals.add(SIGQUIT);
  Supervisor supervisor(io, options.config_dir, *options.known, std::move(*loaded));
  if (auto st = supervisor.bind_all(); !st) return fatal(log.get(), &config, st.error().message);
  if (auto st = pid_file->write(::getpid()); !st)
    return fatal(log.get(), &config, st.error().message);
  if (options.detach) {
    if (auto st = detach_stdio(config); !st) return fatal(log.get(), &config, st.error().message);
  }
  supervisor.log().info("daemon started -- version {}, configuration {}", CORREIO_VERSION,
                        options.config_dir.string());
  supervisor.log().info("{}", base::describe(open_files));
  supervisor.start_all();
  if (options.ready_fd >= 0) {
    // Tell the `start` command that the mail system is up.
    char ready = 'R';
    if (::write(options.ready_fd, &ready, 1) != 1) log->warning("cannot notify the start command");
    ::close(options.ready_fd);
  }
  // Type=notify: every listener is bound and every service started.
  systemd.ready("running");
  asio::co_spawn(io, serve_signals(signals, supervisor, systemd), asio::detached);
  io.run();
  return 0;
}

}  // namespace correio::master
