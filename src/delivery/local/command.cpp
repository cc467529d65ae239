// |command delivery (Postfix's local/command.c with pipe_command()): the message, after
// a From line and the prefix headers, is the command's stdin; its output (the first 1 KB)
// goes into a bounce. SECURITY: the command runs as the destination's user or, for alias
// commands, default_privs — never as root — with a fixed environment and PATH.
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "base/strings.hpp"
#include "delivery/command_wait.hpp"
#include "delivery/local/delivery.hpp"
#include "store/mbox.hpp"

namespace correio::delivery::local_agent {
namespace {

constexpr int kExTempFail = 75;  // sysexits.h EX_TEMPFAIL

std::string message_text(const Destination& d, const MessageCopy& m, const AgentSettings& s) {
  std::string out =
      store::mbox_from_line(m.sender, ::time(nullptr)) +
      local_prefix_headers(m.sender, d.address, m.original, s.enable_original_recipient);
  out.reserve(out.size() + m.content.size());
  for (size_t i = 0; i < m.content.size(); ++i) {
    if (m.crlf && m.content[i] == '\r' && i + 1 < m.content.size() && m.content[i + 1] == '\n')
      continue;
    out += m.content[i];
  }
  return out;
}

std::vector<std::string> environment(const Destination& d, const MessageCopy& m,
                                     const SystemUser& who, const AgentSettings& s) {
  size_t at = d.address.rfind('@');
  std::string local = d.address.substr(0, at);
  std::string domain = at == std::string::npos ? "" : d.address.substr(at + 1);
  std::vector<std::string> env = {
      "PATH=/usr/bin:/bin",     "SHELL=" + (who.shell.empty() ? "/bin/sh" : who.shell),
      "HOME=" + who.home,       "USER=" + who.name,
      "LOGNAME=" + who.name,    "SENDER=" + std::string(m.sender),
      "RECIPIENT=" + d.address, "ORIGINAL_RECIPIENT=" + std::string(m.original),
      "LOCAL=" + local,         "DOMAIN=" + domain};
  size_t cut = s.recipient_delimiter.empty() ? std::string::npos
                                             : local.find_first_of(s.recipient_delimiter);
  if (cut != std::string::npos && cut > 0) env.push_back("EXTENSION=" + local.substr(cut + 1));
  return env;
}

}  // namespace

Outcome deliver_to_command(const Destination& d, const MessageCopy& m,
                           const AgentSettings& settings) {
  bool root = ::geteuid() == 0;
  SystemUser who = d.user;
  if (!d.have_user || (root && who.uid == 0)) {
    auto privs = settings.lookup_user(root ? settings.default_privs : "");
    if (privs)
      who = *privs;
    else if (root)
      return {
          DeliveryStatus::deferred, "4.3.5",
          "mail system configuration error: unknown default_privs user " + settings.default_privs};
  }
  int in = ::memfd_create("correio-local-in", MFD_CLOEXEC);
  int out = ::memfd_create("correio-local-out", MFD_CLOEXEC);
  std::string text = message_text(d, m, settings);
  bool ready = in >= 0 && out >= 0 &&
               ::write(in, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
               ::lseek(in, 0, SEEK_SET) == 0;
  auto env = environment(d, m, who, settings);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = ready ? ::fork() : -1;
  if (pid == 0) {
    ::setsid();
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    if (root && !become(who)) ::_exit(kExTempFail);
    if (who.home.empty() || ::chdir(who.home.c_str()) != 0) (void)!::chdir("/");
    ::execle("/bin/sh", "sh", "-c", d.target.c_str(), static_cast<char*>(nullptr), envp.data());
    ::_exit(126);
  }
  if (in >= 0) ::close(in);
  if (pid < 0) {
    if (out >= 0) ::close(out);
    return {DeliveryStatus::deferred, "4.3.0", "cannot run command: " + d.target};
  }
  CommandOutcome done =
      wait_for_command(pid, out, std::chrono::steady_clock::now() + settings.command_time_limit);
  int status = done.status;
  bool timed_out = done.timed_out;
  std::string output = std::move(done.output);
  std::string quoted = fmt::format("\"{}\"", d.target);
  std::string suffix = output.empty() ? "" : ". Command output: " + output;
  if (timed_out)
    return {DeliveryStatus::deferred, "4.3.0", "Command time limit exceeded: " + quoted};
  if (WIFSIGNALED(status))
    return {DeliveryStatus::deferred, "4.3.0",
            fmt::format("Command died with signal {}: {}{}", WTERMSIG(status), quoted, suffix)};
  int code = WEXITSTATUS(status);
  if (code == 0) return {DeliveryStatus::sent, "2.0.0", "delivered to command: " + d.target};
  return {code == kExTempFail ? DeliveryStatus::deferred : DeliveryStatus::bounced,
          code == kExTempFail ? "4.3.0" : "5.3.0",
          fmt::format("Command died with status {}: {}{}", code, quoted, suffix)};
}

}  // namespace correio::delivery::local_agent
