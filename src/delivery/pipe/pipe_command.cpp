// pipe(8) arguments, expansion and the command run (see pipe_command.hpp).
// SECURITY: the command never runs as root: user= is required when the agent is root and
// may not name root (Postfix's pipe refuses both).
#include "delivery/pipe/pipe_command.hpp"

#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "base/strings.hpp"
#include "delivery/command_run.hpp"
#include "delivery/sysexits.hpp"

namespace correio::delivery::pipe_agent {
namespace {

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

constexpr std::string_view kPerRecipient[] = {"recipient", "user",   "extension",
                                              "mailbox",   "domain", "original_recipient"};

// Flag q: an address whose local part is not a dot-atom is quoted (RFC 5322 §3.4.1,
// §3.2.4), as Postfix's quote_822_local() does before it reaches a shell-less argv.
std::string quote_local(std::string_view address) {
  if (address.empty()) return {};  // the null sender stays empty
  size_t at = address.rfind('@');
  std::string_view local = address.substr(0, at);
  constexpr std::string_view kAtext = "!#$%&'*+-/=?^_`{|}~.";
  bool plain = !local.empty() && local.front() != '.' && local.back() != '.' &&
               local.find("..") == std::string_view::npos;
  for (char c : local)
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) ||
                      kAtext.find(c) != std::string_view::npos);
  if (plain) return std::string(address);
  std::string out = "\"";
  for (char c : local) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  if (at != std::string_view::npos) out += address.substr(at);
  return out;
}

}  // namespace

Result<PipeOptions> parse_pipe_options(const std::vector<std::string>& args) {
  PipeOptions out;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a.starts_with("argv=")) {
      out.argv.emplace_back(a.substr(5));
      out.argv.insert(out.argv.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    size_t eq = a.find('=');
    if (eq == std::string_view::npos) return Error{fmt::format("pipe: bad argument: {}", a)};
    std::string_view name = a.substr(0, eq), value = a.substr(eq + 1);
    if (name == "flags") {
      for (char c : value)
        if (std::string_view("BDFORXhqu.>").find(c) == std::string_view::npos)
          return Error{fmt::format("pipe: unsupported flag {} in flags={}", c, value)};
      out.flags = value;
    } else if (name == "user") {
      out.user = value;
    } else if (name == "directory") {
      out.directory = value;
    } else if (name == "eol") {
      out.eol = replace_all(replace_all(std::string(value), "\\r", "\r"), "\\n", "\n");
    } else if (name == "size") {
      auto n = base::parse_int(value);
      if (!n || *n < 0) return Error{fmt::format("pipe: bad size={}", value)};
      out.size_limit = static_cast<size_t>(*n);
    } else {
      return Error{fmt::format("pipe: unsupported argument: {}", a)};
    }
  }
  if (out.argv.empty() || out.argv[0].empty()) return Error{"pipe: missing argv= command"};
  return out;
}

bool needs_one_recipient(const PipeOptions& options) {
  for (size_t i = 1; i < options.argv.size(); ++i)
    for (auto name : kPerRecipient)
      if (options.argv[i].find(name) != std::string::npos) return true;
  return false;
}

Result<std::vector<std::string>> expand_argv(const PipeOptions& o, const Expansion& e) {
  bool lower = o.flags.find('h') != std::string::npos;
  bool fold_user = o.flags.find('u') != std::string::npos;
  size_t at = e.recipient.rfind('@');
  std::string local = e.recipient.substr(0, at);
  std::string domain = at == std::string::npos ? "" : e.recipient.substr(at + 1);
  if (lower) domain = base::to_lower(domain);
  if (fold_user) local = base::to_lower(local);
  size_t cut = e.recipient_delimiter.empty() ? std::string::npos
                                             : local.find_first_of(e.recipient_delimiter);
  std::string user = cut == std::string::npos || cut == 0 ? local : local.substr(0, cut);
  std::string extension = cut == std::string::npos || cut == 0 ? "" : local.substr(cut + 1);
  std::string recipient = domain.empty() ? local : local + "@" + domain;
  bool quote = o.flags.find('q') != std::string::npos;
  auto q = [&](const std::string& address) { return quote ? quote_local(address) : address; };
  auto value = [&](std::string_view name) -> std::optional<std::string> {
    if (name == "recipient") return q(recipient);
    if (name == "sender") return q(e.sender);
    if (name == "original_recipient") return q(e.original_recipient);
    if (name == "nexthop") return lower ? base::to_lower(e.nexthop) : e.nexthop;
    if (name == "user") return user;
    if (name == "extension") return extension;
    if (name == "domain") return domain;
    if (name == "mailbox") return local;
    if (name == "client_address") return e.client_address;
    if (name == "queue_id") return e.queue_id;
    if (name == "size") return std::to_string(e.size);
    return std::nullopt;
  };
  std::vector<std::string> out = {o.argv[0]};
  for (size_t i = 1; i < o.argv.size(); ++i) {
    const std::string& in = o.argv[i];
    std::string expanded;
    for (size_t p = 0; p < in.size();) {
      if (in[p] != '$' || p + 1 >= in.size()) {
        expanded += in[p++];
        continue;
      }
      size_t start = p + 1, end;
      std::string name;
      if (in[start] == '{') {
        end = in.find('}', start);
        if (end == std::string::npos) return Error{fmt::format("pipe: unclosed ${{ in {}", in)};
        name = in.substr(start + 1, end - start - 1);
        ++end;
      } else {
        end = start;
        while (end < in.size() &&
               (std::isalnum(static_cast<unsigned char>(in[end])) || in[end] == '_'))
          ++end;
        name = in.substr(start, end - start);
      }
      auto v = value(name);
      if (!v) return Error{fmt::format("pipe: unknown macro ${{{}}} in argv", name)};
      expanded += *v;
      p = end;
    }
    out.push_back(std::move(expanded));
  }
  return out;
}

Result<Identity> lookup_identity(std::string_view spec) {
  auto who = base::lookup_command_user(spec);
  if (!who) return Error{"pipe: " + who.error().message};
  return who;
}

CommandResult run_pipe(const std::vector<std::string>& argv, const std::string& message,
                       const Identity* who, const std::string& directory, int time_limit) {
  CommandSpec spec;
  spec.program = argv[0];
  spec.argv = argv;
  spec.environment = {"PATH=/usr/bin:/bin", "HOME=" + (who ? who->home : std::string("/")),
                      "LOGNAME=" + (who ? who->name : std::string())};
  spec.input = message;
  if (who) spec.as = RunAs{who->uid, who->gid, ""};
  spec.directory = directory;
  spec.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(time_limit);
  std::optional<CommandOutcome> ran = run_command(spec);
  if (!ran) return {DeliveryStatus::deferred, "4.3.0", "cannot run command: " + argv[0]};
  CommandOutcome& done = *ran;
  int status = done.status;
  bool timed_out = done.timed_out;
  std::string output = std::move(done.output);
  std::string suffix = output.empty() ? "" : ". Command output: " + output;
  if (timed_out) return {DeliveryStatus::deferred, "4.3.0", "Command time limit exceeded"};
  if (WIFSIGNALED(status))
    return {DeliveryStatus::deferred, "4.3.0",
            fmt::format("Command died with signal {}{}", WTERMSIG(status), suffix)};
  int code = WEXITSTATUS(status);
  if (code == 0) return {DeliveryStatus::sent, "2.0.0", "delivered via " + argv[0]};
  // Postfix's pipe(8): "D.S.N text" output, else sysexits' meaning (sysexits.hpp).
  CommandVerdict v = command_exit_verdict(code, argv[0], output);
  return {v.temporary ? DeliveryStatus::deferred : DeliveryStatus::bounced, v.dsn, v.text};
}

}  // namespace correio::delivery::pipe_agent
