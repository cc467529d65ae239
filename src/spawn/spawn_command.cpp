// Fork and exec of spawn(8)'s command (see spawn_command.hpp). Everything that allocates
// happens before fork(); the child makes only async-signal-safe calls until execve().
// SECURITY: runs as root when the master is root; the child drops to user= (never root:
// lookup_command_user refuses it) before it runs the administrator's command, and keeps no
// descriptor but the connection and the error pipe.
#include "spawn/spawn_command.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>
#include <vector>

namespace correio::spawn {
namespace {

[[noreturn]] void child(char* const* argv, char* const* envp, const base::CommandUser* who,
                        int connection, int errors) {
  ::setsid();
  if (::dup2(connection, 0) < 0 || ::dup2(connection, 1) < 0 || ::dup2(errors, 2) < 0) ::_exit(71);
  // The daemon's listeners, event loop and log stay behind.
  if (::close_range(3, ~0U, 0) < 0) ::_exit(71);
  // asio may have made the accepted socket non-blocking; a command expects blocking I/O.
  int flags = ::fcntl(0, F_GETFL);
  if (flags >= 0) ::fcntl(0, F_SETFL, flags & ~O_NONBLOCK);
  if (who && ::geteuid() == 0) {
    gid_t gid = who->gid;
    if (::setgroups(1, &gid) != 0 || ::setgid(who->gid) != 0 || ::setuid(who->uid) != 0)
      ::_exit(71);
    if (::setuid(0) == 0) ::_exit(71);  // root must be gone for good
  }
  if (::chdir("/") != 0) ::_exit(71);
  // The daemon ignores SIGPIPE and SIGHUP; a command starts with the defaults.
  for (int sig : {SIGPIPE, SIGHUP, SIGTERM, SIGINT, SIGCHLD}) ::signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execve(argv[0], argv, envp);
  const char text[] = "spawn: cannot execute the argv= command\n";
  (void)!::write(2, text, sizeof text - 1);
  ::_exit(127);
}

}  // namespace

Result<pid_t> start_command(const SpawnOptions& options,
                            const std::optional<base::CommandUser>& who, int connection,
                            int errors) {
  std::vector<char*> argv;
  for (const auto& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  // The environment of Postfix's delivery commands: a fixed PATH, the user's HOME and name.
  std::vector<std::string> env = {"PATH=/usr/bin:/bin", "HOME=" + (who ? who->home : "/"),
                                  "LOGNAME=" + (who ? who->name : std::string()),
                                  "USER=" + (who ? who->name : std::string())};
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) child(argv.data(), envp.data(), who ? &*who : nullptr, connection, errors);
  if (pid < 0) return Error{fmt::format("fork: {}", std::strerror(errno))};
  return pid;
}

}  // namespace correio::spawn
