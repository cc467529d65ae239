// The administrator's verbs, as Postfix's postfix-script implements them: start, start-fg,
// stop, abort, reload, status (check lives in check.cpp, logrotate in logrotate.cpp).
// Messages go to standard error with the tag "correio/postfix-script" and to the mail log.
// SECURITY: runs as the administrator; signals only the pid recorded in a pid file whose
// lock proves that a master holds it.
#include "master/verbs.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "master/configuration.hpp"
#include "master/master.hpp"
#include "master/master_main.hpp"
#include "master/pid_file.hpp"
#include "master/process_census.hpp"
#include "master/supervisor.hpp"

namespace correio::master {
namespace {

// Postfix's $INFO/$WARN/$FATAL of postfix-script.
class ScriptLog {
 public:
  explicit ScriptLog(const config::Config* config) {
    std::string name = config ? config->get("syslog_name") : "";
    tag_ = (name.empty() ? std::string("correio") : name) + "/postfix-script";
    std::string file = config ? config->get("maillog_file") : "";
    // When the mail log is the terminal, standard error alone says it once.
    if (config && file != "/dev/stdout" && file != "/dev/stderr")
      log_ = make_logger(*config, "postfix-script");
  }
  void info(const std::string& text) { say("", text); }
  void warning(const std::string& text) { say("warning: ", text); }
  void fatal(const std::string& text) { say("fatal: ", text); }

 private:
  void say(const char* level, const std::string& text) {
    std::fprintf(stderr, "%s: %s%s\n", tag_.c_str(), level, text.c_str());
    if (!log_) return;
    if (*level == 'w')
      log_->warning("{}", text);
    else if (*level == 'f')
      log_->fatal("{}", text);
    else
      log_->info("{}", text);
  }
  std::string tag_;
  std::unique_ptr<base::Logger> log_;
};

bool wait_until_gone(const std::filesystem::path& pid_path, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running_master(pid_path)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return !running_master(pid_path);
}

int start(const std::filesystem::path& config_dir, const KnownCommands& known, bool foreground,
          ScriptLog& out, const std::filesystem::path& pid_path) {
  if (running_master(pid_path)) {
    out.fatal("the Correio mail system is already running");
    return 1;
  }
  out.info("starting the Correio mail system");
  MasterOptions options{config_dir, &known, !foreground, -1};
  if (foreground) return run_master(options);

  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) < 0) {
    out.fatal(std::string("pipe: ") + std::strerror(errno));
    return 1;
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    out.fatal(std::string("fork: ") + std::strerror(errno));
    return 1;
  }
  if (pid == 0) {
    ::close(ready[0]);
    if (::setsid() < 0) ::_exit(1);
    options.ready_fd = ready[1];
    std::fflush(stderr);
    ::_exit(run_master(options));
  }
  ::close(ready[1]);
  char byte = 0;
  ssize_t n;
  do {
    n = ::read(ready[0], &byte, 1);
  } while (n < 0 && errno == EINTR);
  ::close(ready[0]);
  // End of file without the byte: the master failed and said why on standard error.
  return n == 1 ? 0 : 1;
}

// Postfix's reload re-reads the files in the running master, which logs what is wrong;
// the administrator at the terminal would see nothing. Check first, here, and refuse a
// configuration the master would refuse anyway, so that the command fails visibly.
bool reload_is_safe(const std::filesystem::path& config_dir, const KnownCommands& known,
                    ScriptLog& out) {
  auto loaded = load_configuration(config_dir, known);
  if (!loaded) {
    out.fatal(loaded.error().message);
    out.fatal("reload refused: the running configuration is kept");
    return false;
  }
  for (const auto& w : loaded->warnings) out.info(w);
  return true;
}

int signal_master(const std::string& verb, ScriptLog& out, const std::filesystem::path& pid_path,
                  const std::filesystem::path& config_dir, const KnownCommands& known) {
  auto pid = running_master(pid_path);
  if (!pid) {
    if (verb == "reload")
      out.fatal("the Correio mail system is not running");
    else
      out.warning("the Correio mail system is not running");
    return 1;
  }
  if (verb == "reload") {
    if (!reload_is_safe(config_dir, known, out)) return 1;
    out.info("refreshing the Correio mail system");
    if (::kill(*pid, SIGHUP) < 0) {
      out.fatal(std::string("kill: ") + std::strerror(errno));
      return 1;
    }
    return 0;
  }
  bool graceful = verb == "stop";
  out.info(graceful ? "stopping the Correio mail system" : "aborting the Correio mail system");
  if (::kill(*pid, graceful ? SIGTERM : SIGQUIT) < 0 && errno != ESRCH) {
    out.fatal(std::string("kill: ") + std::strerror(errno));
    return 1;
  }
  auto limit = graceful ? kStopDeadline + std::chrono::seconds(5) : std::chrono::seconds(5);
  if (wait_until_gone(pid_path, limit)) return 0;
  out.warning("stopping the Correio mail system with force");
  ::kill(*pid, SIGKILL);  // its children get SIGTERM from the kernel (PR_SET_PDEATHSIG)
  return wait_until_gone(pid_path, std::chrono::seconds(5)) ? 0 : 1;
}

}  // namespace

int run_verb(const std::string& verb, const std::filesystem::path& config_dir,
             const KnownCommands& known) {
  if (verb == "check") return check_verb(config_dir, known);
  auto config = config::Config::load(config_dir);
  if (!config) {
    ScriptLog out(nullptr);
    out.fatal(config.error().message);
    return 1;
  }
  ScriptLog out(&*config);
  std::filesystem::path pid_path = pid_file_path(*config);
  if (verb == "start" || verb == "start-fg")
    return start(config_dir, known, verb == "start-fg", out, pid_path);
  if (verb == "status") {
    if (auto pid = running_master(pid_path)) {
      // Unlike Postfix's one line, the processes of each service first (issue 18); the
      // line scripts parse ("... running: PID: N") stays the last.
      for (const auto& s : count_service_processes(*pid))
        out.info(fmt::format("service {} ({}): {} process{}", s.service, s.command, s.processes,
                             s.processes == 1 ? "" : "es"));
      out.info("the Correio mail system is running: PID: " + std::to_string(*pid));
      return 0;
    }
    out.info("the Correio mail system is not running");
    return 1;
  }
  if (verb == "logrotate") {
    if (auto st = rotate_maillog(*config); !st) {
      out.fatal(st.error().message);
      return 1;
    }
    return 0;
  }
  if (verb == "stop" || verb == "abort" || verb == "reload")
    return signal_master(verb, out, pid_path, config_dir, known);
  out.fatal("unknown command: " + verb);
  return 2;
}

}  // namespace correio::master
