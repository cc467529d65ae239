// The local delivery agent's work (Postfix's local(8)): for each recipient in a
// mydestination domain, expand aliases (alias_maps), :include: files and ~/.forward, then
// deliver each result to the user's mailbox (mbox in mail_spool_directory, or the Maildir
// of home_mailbox), to a /file or to a |command; one Postfix-style log line per delivery.
// SECURITY: run as root it delivers to mailboxes, files and commands as the recipient
// (or, for aliases, default_privs) in a forked child; not as root, as itself.
// Not thread-safe (it may fork); call from one thread at a time.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "config/config.hpp"
#include "delivery/protocol.hpp"
#include "resolve/resolver.hpp"

namespace correio::delivery::local_agent {

// A system account, as getpwnam(3) reports it.
struct SystemUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
  std::string shell;
};

using UserLookup = std::function<std::optional<SystemUser>(std::string_view name)>;
std::optional<SystemUser> getpwnam_lookup(std::string_view name);

struct AgentSettings {
  std::string alias_maps = "hash:/etc/aliases";  // opened per request (tables may change)
  bool smtputf8_enable = true;                   // how alias keys are folded
  std::string mail_spool_directory = "/var/mail";
  std::string home_mailbox;                // "" = spool mbox; "Maildir/" = Maildir; else home mbox
  uint64_t mailbox_size_limit = 51200000;  // bytes, 0 = none
  std::string recipient_delimiter;
  std::set<std::string> allow_commands{"alias", "forward"};  // allow_mail_to_commands
  std::set<std::string> allow_files{"alias", "forward"};     // allow_mail_to_files
  // Which forwarding targets are local (mydestination); shared by the agent's requests.
  // Null: only the recipient's own domain is.
  std::shared_ptr<resolve::Resolver> resolver;
  bool enable_original_recipient = true;  // X-Original-To:
  std::string hostname;                   // myhostname, for Maildir file names
  bool soft_bounce = false;               // log would-be bounces as SOFTBOUNCE
  std::string default_privs = "nobody";   // identity for alias commands and files as root
  std::chrono::seconds command_time_limit{1000};
  int max_expansion_depth = 20;
  std::chrono::milliseconds lock_delay{1000};  // deliver_lock_delay
  UserLookup lookup_user = getpwnam_lookup;
  // queue_directory/maildrop: where forwarded mail goes back into the queue (forward.hpp).
  std::string maildrop_directory;
  // Mailbox delivery through a command (procmail, maildrop), unexpanded: the shell sees
  // the environment of command.cpp. mailbox_command_maps (by login name; opened per
  // request) come first.
  std::string mailbox_command;
  std::string mailbox_command_maps;
  // Mailbox delivery handed to another transport ("lmtp:unix:private/dovecot-lmtp"),
  // before any command; mailbox_transport_maps by login name first (pass.hpp).
  std::string mailbox_transport;
  std::string mailbox_transport_maps;
  std::string queue_directory;  // where private/TRANSPORT is
  // luser_relay, unexpanded: the catch-all address for unknown users (expand.cpp).
  std::string luser_relay;
  // For users the system does not know, when no mailbox transport took them.
  std::string fallback_transport;
  std::string fallback_transport_maps;
  // Whether unknown users are kept for a transport rather than bounced at expansion.
  bool transports_take_unknown_users() const {
    return !mailbox_transport.empty() || !mailbox_transport_maps.empty() ||
           !fallback_transport.empty() || !fallback_transport_maps.empty();
  }
  // The .forward files to look for, unexpanded (local_expand.hpp), and the characters
  // their expansions may contain.
  std::vector<std::string> forward_path{"$home/.forward"};
  std::string forward_expansion_filter =
      "1234567890!@%-_=+:,./abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
};

// Error: a domain list cannot be opened (the resolver's message, with main.cf:LINE).
Result<AgentSettings> agent_settings_from_config(const config::Config& config);

// Delivers `request` and returns one result per recipient, in request order. A recipient
// whose expansion has several destinations is deferred if any of them is, else bounced
// if any is, else sent:
//   sent      2.0.0 delivered to mailbox | maildir | command: CMD | file: PATH
// A recipient with neither an alias nor an account falls back, as administrators expect:
// abuse to postmaster, postmaster to root (RFC 5321 §4.5.1, RFC 2142).
//   bounced   5.1.1 unknown user: "name"; 5.4.6 mail forwarding loop for ADDR;
//             5.3.0 Command died with status N; 5.2.2 mailbox full; 5.7.1 restricted
//   deferred  4.3.0 alias database unavailable, command exit 75, remote forwarding (not
//             built yet); 4.2.x/4.3.1 mailbox write failures
std::vector<RecipientResult> deliver(const DeliveryRequest& request, const AgentSettings& settings,
                                     base::Logger& log);

}  // namespace correio::delivery::local_agent
