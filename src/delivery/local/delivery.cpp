// Mailbox, file and command delivery with the privilege switch (see delivery.hpp).
// Command exit statuses follow sysexits(3) as Postfix reads them: 75 (EX_TEMPFAIL)
// defers, any other failure bounces.
#include "delivery/local/delivery.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "delivery/command_run.hpp"
#include "store/maildir.hpp"
#include "store/maildir_name.hpp"
#include "store/mbox.hpp"

namespace correio::delivery::local_agent {
namespace {

bool need_switch(const Destination& d) {
  return ::geteuid() == 0 && d.have_user && d.user.uid != 0;
}

// Runs `fn` as `d.user` in a child when root, else here; the Outcome comes back by pipe.
template <typename F>
Outcome run_as(const Destination& d, F&& fn) {
  if (!need_switch(d)) return fn();
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {DeliveryStatus::deferred, "4.3.0", "pipe failed"};
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return {DeliveryStatus::deferred, "4.3.0", "fork failed"};
  }
  if (pid == 0) {
    ::close(fds[0]);
    Outcome o = become(d.user) ? fn()
                               : Outcome{DeliveryStatus::deferred, "4.3.0",
                                         "cannot switch to the recipient's user ID"};
    std::string wire = fmt::format("{}\n{}\n{}", static_cast<int>(o.status), o.dsn, o.text);
    (void)!::write(fds[1], wire.data(), wire.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string wire;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    wire.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  ::waitpid(pid, nullptr, 0);
  size_t a = wire.find('\n'), b = a == std::string::npos ? a : wire.find('\n', a + 1);
  if (b == std::string::npos) return {DeliveryStatus::deferred, "4.3.0", "delivery process died"};
  return {static_cast<DeliveryStatus>(wire[0] - '0'), wire.substr(a + 1, b - a - 1),
          wire.substr(b + 1)};
}

Outcome mbox(const std::string& path, const Destination& d, const MessageCopy& m,
             const AgentSettings& settings, bool dotlock, bool set_owner, std::string sent_text) {
  store::MboxOptions options;
  options.size_limit = settings.mailbox_size_limit;
  options.dotlock = dotlock;
  options.lock_delay = settings.lock_delay;
  if (set_owner) options.owner_uid = d.user.uid, options.owner_gid = d.user.gid;
  store::MboxFailure failure;
  std::string prefix =
      prefix_headers(m.sender, d.address, m.original, settings.enable_original_recipient);
  auto s = store::deliver_to_mbox(path, m.sender, prefix, {m.content}, options, &failure);
  if (!s)
    return {failure.permanent ? DeliveryStatus::bounced : DeliveryStatus::deferred, failure.dsn,
            s.error().message};
  return {DeliveryStatus::sent, "2.0.0", std::move(sent_text)};
}

Outcome maildir(const std::string& path, const Destination& d, const MessageCopy& m,
                const AgentSettings& settings, std::string sent_text) {
  store::MaildirOptions options;
  options.host_part = store::maildir_host_part(settings.hostname);
  options.size_limit = settings.mailbox_size_limit;
  store::MaildirFailure failure;
  std::string prefix =
      prefix_headers(m.sender, d.address, m.original, settings.enable_original_recipient);
  auto s = store::deliver_to_maildir(path, prefix, {m.content}, options, &failure);
  if (!s)
    return {failure.permanent ? DeliveryStatus::bounced : DeliveryStatus::deferred, failure.dsn,
            s.error().message};
  return {DeliveryStatus::sent, "2.0.0", std::move(sent_text)};
}

Outcome mailbox(const Destination& d, const MessageCopy& m, const AgentSettings& settings) {
  const std::string& hm = settings.home_mailbox;
  if (!hm.empty() && hm.back() == '/')
    return run_as(
        d, [&] { return maildir(d.user.home + "/" + hm, d, m, settings, "delivered to maildir"); });
  if (!hm.empty())
    return run_as(d, [&] {
      return mbox(d.user.home + "/" + hm, d, m, settings, false, false, "delivered to mailbox");
    });
  // The spool: locked and opened by root (the directory is not the user's), the mailbox
  // given to the user and required to stay theirs.
  bool root = ::geteuid() == 0;
  return mbox(settings.mail_spool_directory + "/" + d.user.name, d, m, settings, true, root,
              "delivered to mailbox");
}

}  // namespace

bool become(const SystemUser& user) {
  return switch_user({user.uid, user.gid, user.name});
}

Outcome deliver_destination(const Destination& d, const MessageCopy& m,
                            const AgentSettings& settings) {
  switch (d.kind) {
    case Destination::Kind::mailbox:
      return mailbox(d, m, settings);
    case Destination::Kind::file: {
      std::string text = "delivered to file: " + d.target;
      if (::geteuid() == 0 && !d.have_user) {
        // An alias's file is written as default_privs, never as root.
        auto privs = settings.lookup_user(settings.default_privs);
        if (!privs)
          return {DeliveryStatus::deferred, "4.3.5",
                  "mail system configuration error: unknown default_privs user " +
                      settings.default_privs};
        Destination as_privs = d;
        as_privs.user = *privs;
        as_privs.have_user = true;
        return deliver_destination(as_privs, m, settings);
      }
      if (d.target.back() == '/')
        return run_as(d, [&] { return maildir(d.target, d, m, settings, text); });
      return run_as(d, [&] { return mbox(d.target, d, m, settings, false, false, text); });
    }
    case Destination::Kind::command:
      return deliver_to_command(d, m, settings);
    case Destination::Kind::forward:    // agent.cpp forwards them together
    case Destination::Kind::transport:  // and hands these to the other agent
    case Destination::Kind::failed:
      break;
  }
  return {d.status, d.dsn, d.text};
}

}  // namespace correio::delivery::local_agent
