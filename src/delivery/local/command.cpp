// |command delivery (Postfix's local/command.c with pipe_command()): the message, after
// a From line and the prefix headers, is the command's stdin; its output (the first 1 KB)
// goes into a bounce. SECURITY: the command runs as the destination's user or, for alias
// commands, default_privs — never as root — with a fixed environment and PATH.
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "base/strings.hpp"
#include "delivery/command_run.hpp"
#include "delivery/local/delivery.hpp"
#include "delivery/sysexits.hpp"
#include "store/mbox.hpp"

namespace correio::delivery::local_agent {
namespace {

std::string message_text(const Destination& d, const MessageCopy& m, const AgentSettings& s) {
  std::string out = store::mbox_from_line(m.sender, ::time(nullptr)) +
                    prefix_headers(m.sender, d.address, m.original, s.enable_original_recipient);
  out += m.content;
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
  CommandSpec spec;
  spec.program = "/bin/sh";
  spec.argv = {"sh", "-c", d.target};
  spec.environment = environment(d, m, who, settings);
  std::string text = message_text(d, m, settings);
  spec.input = text;
  if (root) spec.as = RunAs{who.uid, who.gid, who.name};
  spec.directory = who.home;
  spec.directory_or_root = true;
  spec.deadline = std::chrono::steady_clock::now() + settings.command_time_limit;
  std::optional<CommandOutcome> ran = run_command(spec);
  if (!ran) return {DeliveryStatus::deferred, "4.3.0", "cannot run command: " + d.target};
  CommandOutcome& done = *ran;
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
  // Postfix's pipe_command(): "D.S.N text" output, else sysexits' meaning (sysexits.hpp).
  CommandVerdict v = command_exit_verdict(code, d.target, output);
  return {v.temporary ? DeliveryStatus::deferred : DeliveryStatus::bounced, v.dsn, v.text};
}

}  // namespace correio::delivery::local_agent
