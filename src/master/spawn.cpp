// Starting service processes (see spawn.hpp). Everything that allocates happens before
// fork(); between fork() and execve() the child only makes async-signal-safe calls.
// SECURITY: runs in the master (root when started by root); the child gives up root
// (setgroups/setgid/setuid to mail_owner) before it runs any code that reads input.
#include "master/spawn.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "config/login_sockets.hpp"

extern char** environ;

namespace correio::master {
namespace {

// Listeners and passed descriptors together (spawn_child refuses more).
constexpr int kMaxChildFds = 66;

void child_fail(const char* what) {
  // write(2) only: this runs between fork and exec.
  const char prefix[] = "correio/master: fatal: child: ";
  (void)!::write(STDERR_FILENO, prefix, sizeof prefix - 1);
  (void)!::write(STDERR_FILENO, what, std::strlen(what));
  (void)!::write(STDERR_FILENO, "\n", 1);
  ::_exit(127);
}

[[noreturn]] void run_child(const SpawnRequest& request, char* const* argv, char* const* envp,
                            const sigset_t& old_mask, pid_t master) {
  // Move the listeners (and the passed descriptors after them) above the target range
  // first, so no dup2 overwrites a source.
  int listeners = static_cast<int>(request.listen_fds.size());
  int count = listeners + static_cast<int>(request.passed_fds.size());
  int high[kMaxChildFds];
  for (int i = 0; i < count; ++i) {
    int fd = i < listeners ? request.listen_fds[i] : request.passed_fds[i - listeners];
    high[i] = ::fcntl(fd, F_DUPFD, 3 + count + kMaxChildFds);
    if (high[i] < 0) child_fail("dup listener");
  }
  for (int i = 0; i < count; ++i)
    if (::dup2(high[i], 3 + i) < 0) child_fail("dup2 listener");
  // Everything else the master holds (pid lock, log file, event loop) stays behind.
  if (::close_range(static_cast<unsigned>(3 + count), ~0U, 0) < 0) child_fail("close_range");

  if (request.identity) {
    const Identity& id = *request.identity;
    if (::setgroups(id.groups.size(), id.groups.data()) < 0) child_fail("setgroups");
    if (::setgid(id.gid) < 0) child_fail("setgid");
    if (::setuid(id.uid) < 0) child_fail("setuid");
    if (::setuid(0) == 0 && id.uid != 0) child_fail("could not drop root");
  }
  // After the identity change, which would clear it.
  if (::prctl(PR_SET_PDEATHSIG, SIGTERM) < 0) child_fail("prctl");
  if (::getppid() != master) ::_exit(1);  // the master is already gone

  // SIGHUP ("reopen the log") may come before the daemon listens for it: ignored till then.
  for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, sig == SIGHUP ? SIG_IGN : SIG_DFL);
  ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  ::execve("/proc/self/exe", argv, envp);
  child_fail("execve /proc/self/exe");
  ::_exit(127);
}

}  // namespace

Result<std::optional<Identity>> master_child_identity(const config::Config& config) {
  if (::geteuid() != 0) return std::optional<Identity>{};
  std::string user = config.get("mail_owner");
  if (user.empty()) user = "postfix";
  passwd* pw = ::getpwnam(user.c_str());
  if (!pw) return Error{fmt::format("mail_owner: unknown user: {}", user)};
  if (pw->pw_uid == 0) return Error{fmt::format("mail_owner {} must not be root", user)};
  Identity id{pw->pw_uid, pw->pw_gid, {}, user};
  int n = 64;
  id.groups.resize(static_cast<size_t>(n));
  if (::getgrouplist(user.c_str(), pw->pw_gid, id.groups.data(), &n) < 0) {
    id.groups.resize(static_cast<size_t>(n));
    if (::getgrouplist(user.c_str(), pw->pw_gid, id.groups.data(), &n) < 0)
      return Error{fmt::format("getgrouplist {} failed", user)};
  }
  id.groups.resize(static_cast<size_t>(n));
  return std::optional<Identity>{std::move(id)};
}

Result<std::optional<Identity>> login_child_identity(const config::Config& config,
                                                     const std::optional<Identity>& mail_owner) {
  if (::geteuid() != 0) return std::optional<Identity>{};
  std::string user = config.get("login_user");
  passwd* pw = user.empty() ? nullptr : ::getpwnam(user.c_str());
  if (!pw) return Error{fmt::format("login_user: unknown user: {}", user)};
  if (pw->pw_uid == 0) return Error{fmt::format("login_user {} must not be root", user)};
  if (mail_owner && pw->pw_uid == mail_owner->uid)
    return Error{fmt::format(
        "login_user {} must not be mail_owner (uid {}): the login processes must not reach "
        "the queue or the mailboxes",
        user, pw->pw_uid)};
  // Sharing mail_owner's group would give it whatever mail_owner makes group-readable.
  if (mail_owner && pw->pw_gid == mail_owner->gid)
    return Error{fmt::format(
        "login_user {} must not have mail_owner's group (gid {}): the login processes must "
        "not reach the queue or the mailboxes",
        user, pw->pw_gid)};
  // Its own group only: no supplementary group may lend it access (Dovecot's dovenull).
  return std::optional<Identity>{Identity{pw->pw_uid, pw->pw_gid, {pw->pw_gid}, user}};
}

// master.cf's unpriv column, as in Postfix: "n" keeps root (the local agent, which
// switches to each recipient itself); "y" or "-" runs as mail_owner. The login commands
// (imap-login, pop3-login) always run as login_user.
std::optional<Identity> service_identity(const config::MasterService& service,
                                         const std::optional<Identity>& mail_owner,
                                         const std::optional<Identity>& login) {
  if (!config::postlogin_command_for(service.command).empty()) return login;
  if (service.unpriv == "n") return std::nullopt;
  return mail_owner;
}

std::vector<std::string> daemon_argv(const std::filesystem::path& config_dir,
                                     const config::MasterService& service, int session_limit) {
  std::vector<std::string> argv = {"correio",       "-c", config_dir.string(), "daemon",
                                   service.command, "-n", service.name,        "-t",
                                   service.type};
  if (session_limit > 0) {
    argv.push_back("-l");
    argv.push_back(std::to_string(session_limit));
  }
  for (const auto& [name, value] : service.overrides) {
    argv.push_back("-o");
    argv.push_back(name + "=" + value);
  }
  // The rest of the command column (pipe's flags=, user=, argv=...), after "--".
  if (!service.args.empty()) {
    argv.push_back("--");
    argv.insert(argv.end(), service.args.begin(), service.args.end());
  }
  return argv;
}

Result<pid_t> spawn_child(const SpawnRequest& request) {
  if (request.listen_fds.size() > 64) return Error{"too many listening sockets for one service"};
  if (request.listen_fds.size() + request.passed_fds.size() > size_t{kMaxChildFds})
    return Error{"too many descriptors for one child"};
  std::vector<char*> argv;
  for (const auto& a : request.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; e && *e; ++e)
    if (std::strncmp(*e, "CORREIO_LISTEN_FDS=", 19) != 0 &&
        std::strncmp(*e, "CORREIO_METRICS_FDS=", 20) != 0)
      env_strings.emplace_back(*e);
  env_strings.push_back(fmt::format("CORREIO_LISTEN_FDS={}", request.listen_fds.size()));
  for (const auto& e : request.environment) env_strings.push_back(e);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  // Block signals across fork so the master's handlers never run in the child.
  sigset_t all, old_mask;
  sigfillset(&all);
  if (::sigprocmask(SIG_BLOCK, &all, &old_mask) < 0)
    return Error{fmt::format("sigprocmask: {}", std::strerror(errno))};
  pid_t master = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) run_child(request, argv.data(), envp.data(), old_mask, master);
  int saved = errno;
  ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  if (pid < 0) return Error{fmt::format("fork: {}", std::strerror(saved))};
  return pid;
}

}  // namespace correio::master
