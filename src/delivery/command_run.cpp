// Starting a delivery command (see command_run.hpp). The child only calls async-signal-safe
// functions between fork and exec: every string is prepared before the fork.
#include "delivery/command_run.hpp"

#include <grp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

#include "base/file.hpp"

namespace correio::delivery {
namespace {

constexpr int kExTempFail = 75;  // sysexits.h EX_TEMPFAIL

std::vector<char*> pointers(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

[[noreturn]] void exec_child(const CommandSpec& spec, int in, int out, char* const* argv,
                             char* const* envp) {
  ::setsid();
  ::dup2(in, 0);
  ::dup2(out, 1);
  ::dup2(out, 2);
  if (spec.as && ::geteuid() == 0 && !switch_user(*spec.as)) ::_exit(kExTempFail);
  const char* dir = spec.directory.empty() ? "/" : spec.directory.c_str();
  if (::chdir(dir) != 0) {
    if (!spec.directory_or_root) ::_exit(kExTempFail);
    (void)!::chdir("/");
  }
  ::execve(spec.program.c_str(), argv, envp);
  ::_exit(errno == ENOENT ? 127 : 126);
}

}  // namespace

bool switch_user(const RunAs& who) {
  if (::setgid(who.gid) != 0) return false;
  if (!who.groups_of.empty() ? ::initgroups(who.groups_of.c_str(), who.gid) != 0
                             : ::setgroups(0, nullptr) != 0)
    return false;
  return ::setuid(who.uid) == 0;
}

std::optional<CommandOutcome> run_command(const CommandSpec& spec) {
  // memfds, not pipes: the input needs no writer thread and the output no reader while
  // the command runs; both are close-on-exec, and dup2 gives the child its copies.
  base::Fd in(::memfd_create("correio-command-in", MFD_CLOEXEC));
  base::Fd out(::memfd_create("correio-command-out", MFD_CLOEXEC));
  if (!in.valid() || !out.valid() || base::write_all(in.get(), spec.input) != 0 ||
      ::lseek(in.get(), 0, SEEK_SET) != 0)
    return std::nullopt;
  std::vector<char*> argv = pointers(spec.argv);
  std::vector<char*> envp = pointers(spec.environment);
  pid_t pid = ::fork();
  if (pid == 0) exec_child(spec, in.get(), out.get(), argv.data(), envp.data());
  if (pid < 0) return std::nullopt;
  in.reset();
  return wait_for_command(pid, out.release(), spec.deadline);
}

}  // namespace correio::delivery
