// The local agent's per-request work: read the queue file once, open alias_maps, expand
// each recipient, deliver each destination, log one line per destination and answer one
// result per recipient (see agent.hpp).
#include "delivery/local/agent.hpp"

#include <fmt/format.h>
#include <pwd.h>

#include <chrono>

#include "base/clock.hpp"
#include "base/strings.hpp"
#include "delivery/local/delivery.hpp"
#include "delivery/local/expand.hpp"
#include "delivery/local/forward.hpp"
#include "delivery/local/pass.hpp"
#include "delivery/log_line.hpp"
#include "maps/map.hpp"
#include "queue/queue_file_reader.hpp"

namespace correio::delivery::local_agent {
namespace {

std::set<std::string> class_set(const std::vector<std::string>& items) {
  std::set<std::string> out;
  for (const auto& i : items) out.insert(base::to_lower(i));
  return out;
}

// Postfix's delivered_hdr check: the message already says "Delivered-To: ADDRESS", so it
// has been here before and came back.
bool already_delivered_to(std::string_view content, std::string_view address) {
  while (!content.empty()) {
    size_t nl = content.find('\n');
    std::string_view line = content.substr(0, nl);
    content.remove_prefix(nl == std::string_view::npos ? content.size() : nl + 1);
    line = base::trim_right(line);
    if (line.empty()) break;  // end of the header
    if (base::starts_with_icase(line, "Delivered-To:") &&
        base::iequals(base::trim(line.substr(13)), address))
      return true;
  }
  return false;
}

// One result per recipient: any deferral wins, then any bounce, else sent.
bool worse_than(const RecipientResult& so_far, DeliveryStatus next) {
  return so_far.dsn.empty() ||
         (next == DeliveryStatus::deferred && so_far.status != DeliveryStatus::deferred) ||
         (next == DeliveryStatus::bounced && so_far.status == DeliveryStatus::sent);
}

// A per-user table of the local agent's (mailbox_transport_maps, mailbox_command_maps),
// opened once per request; looked up by login name, as Postfix's local(8) does.
struct UserTable {
  std::string name;  // the parameter, for errors
  std::unique_ptr<maps::MapList> maps;
  Status opened;

  UserTable(std::string parameter, const std::string& spec, const maps::MapOptions& options)
      : name(std::move(parameter)) {
    if (spec.empty()) return;
    auto m = maps::open_maps(spec, options);
    if (m)
      maps = std::move(*m);
    else
      opened = m.error();
  }

  // The value for `user` in `value` ("" when none); false when the table failed (`why`).
  bool find(const std::string& user, std::string& value) const {
    Result<std::optional<std::string>> found = std::optional<std::string>();
    if (!opened)
      found = opened.error();
    else if (maps)
      found = maps->lookup(user);
    if (!found) {
      why = found.error().message;
      return false;
    }
    value = *found ? std::string(base::trim(**found)) : std::string();
    return true;
  }
  mutable std::string why;
};

// Postfix's local(8) mailbox delivery order (after aliases and .forward):
// mailbox_transport_maps, mailbox_transport (also for users the system does not know:
// the server behind it decides), mailbox_command_maps, mailbox_command, the mailbox; for
// users the system does not know, fallback_transport_maps and fallback_transport.
// A table that failed defers the destination (Postfix defers on a lookup error).
void fail_lookup(Destination& d, const UserTable& table) {
  d.kind = Destination::Kind::failed;
  d.status = DeliveryStatus::deferred;
  d.dsn = "4.3.0";
  d.text = table.name + " lookup failure: " + table.why;
}

void choose_mailbox_delivery(Destination& d, const UserTable& transports, const UserTable& commands,
                             const UserTable& fallbacks, const AgentSettings& settings) {
  if (d.kind != Destination::Kind::mailbox) return;
  std::string transport, command;
  if (!transports.find(d.user.name, transport)) return fail_lookup(d, transports);
  if (transport.empty()) transport = settings.mailbox_transport;
  if (!transport.empty()) {
    d.kind = Destination::Kind::transport;
    d.target = std::move(transport);
    return;
  }
  if (!d.have_user) {  // kept only for the transports: its status says "unknown user"
    if (!fallbacks.find(d.user.name, transport)) return fail_lookup(d, fallbacks);
    if (transport.empty()) transport = settings.fallback_transport;
    d.kind = transport.empty() ? Destination::Kind::failed : Destination::Kind::transport;
    d.target = std::move(transport);
    return;
  }
  if (!commands.find(d.user.name, command)) return fail_lookup(d, commands);
  if (command.empty()) command = settings.mailbox_command;
  if (command.empty()) return;
  d.kind = Destination::Kind::command;
  d.target = std::move(command);
}

}  // namespace

std::optional<SystemUser> getpwnam_lookup(std::string_view name) {
  std::string n(name);
  struct passwd pw {
  }, *found = nullptr;
  char buf[4096];
  if (n.empty() || ::getpwnam_r(n.c_str(), &pw, buf, sizeof buf, &found) != 0 || !found)
    return std::nullopt;
  return SystemUser{pw.pw_name, pw.pw_uid, pw.pw_gid, pw.pw_dir, pw.pw_shell};
}

Result<AgentSettings> agent_settings_from_config(const config::Config& config) {
  AgentSettings s;
  s.alias_maps = config.get("alias_maps");
  s.smtputf8_enable = config.get_bool("smtputf8_enable");
  s.mail_spool_directory = config.get("mail_spool_directory");
  s.home_mailbox = config.get("home_mailbox");
  long long limit = config.get_int("mailbox_size_limit");
  s.mailbox_size_limit = limit > 0 ? static_cast<uint64_t>(limit) : 0;
  s.recipient_delimiter = config.get("recipient_delimiter");
  s.allow_commands = class_set(config.get_list("allow_mail_to_commands"));
  s.allow_files = class_set(config.get_list("allow_mail_to_files"));
  auto resolver = resolve::Resolver::open(config);
  if (!resolver) return resolver.error();
  s.resolver = std::make_shared<resolve::Resolver>(std::move(*resolver));
  s.enable_original_recipient = config.get_bool("enable_original_recipient");
  s.hostname = config.get("myhostname");
  s.maildrop_directory = config.get("queue_directory") + "/maildrop";
  s.soft_bounce = config.get_bool("soft_bounce");
  s.command_time_limit = config.get_time("command_time_limit");
  if (config.raw("default_privs")) s.default_privs = config.get("default_privs");
  // Postfix expands neither: the shell and local_expand() see the $names.
  s.mailbox_command = std::string(base::trim(config.raw("mailbox_command").value_or("")));
  s.mailbox_command_maps = config.get("mailbox_command_maps");
  s.mailbox_transport = std::string(base::trim(config.get("mailbox_transport")));
  s.mailbox_transport_maps = config.get("mailbox_transport_maps");
  s.queue_directory = config.get("queue_directory");
  s.fallback_transport = std::string(base::trim(config.get("fallback_transport")));
  s.fallback_transport_maps = config.get("fallback_transport_maps");
  s.luser_relay = std::string(base::trim(config.raw("luser_relay").value_or("")));
  s.forward_path = base::split_list(config.raw("forward_path").value_or(""));
  s.forward_expansion_filter = config.get("forward_expansion_filter");
  return s;
}

std::vector<RecipientResult> deliver(const DeliveryRequest& request, const AgentSettings& settings,
                                     base::Logger& log) {
  const int64_t start_us = base::now_us();
  auto file = queue::read_queue_file(request.queue_file, /*with_content=*/true);
  maps::MapOptions map_options = maps::daemon_map_options(settings.smtputf8_enable);
  map_options.syntax = maps::SourceSyntax::kAliases;
  map_options.warn = [&](const std::string& w) { log.warning("{}", w); };
  auto aliases = maps::open_maps(settings.alias_maps, map_options);
  maps::MapOptions user_options = maps::daemon_map_options(settings.smtputf8_enable);
  user_options.warn = map_options.warn;
  const UserTable transports("mailbox_transport_maps", settings.mailbox_transport_maps,
                             user_options);
  const UserTable commands("mailbox_command_maps", settings.mailbox_command_maps, user_options);
  const UserTable fallbacks("fallback_transport_maps", settings.fallback_transport_maps,
                            user_options);

  std::vector<RecipientResult> results;
  for (const auto& rcpt : request.recipients) {
    std::vector<Destination> destinations;
    if (!file) {
      destinations.push_back({Destination::Kind::failed,
                              rcpt.address,
                              "",
                              {},
                              false,
                              DeliveryStatus::deferred,
                              "4.3.0",
                              "cannot read queue file: " + file.error().message});
    } else if (!aliases) {
      destinations.push_back({Destination::Kind::failed,
                              rcpt.address,
                              "",
                              {},
                              false,
                              DeliveryStatus::deferred,
                              "4.3.0",
                              "alias database unavailable: " + aliases.error().message});
    } else {
      destinations = expand_recipient(rcpt.address, aliases->get(), settings);
      for (auto& d : destinations)
        choose_mailbox_delivery(d, transports, commands, fallbacks, settings);
    }
    std::string original = rcpt.original.empty() ? rcpt.address : rcpt.original;
    MessageCopy message{request.sender, file ? std::string_view(file->content_bytes) : "",
                        original};

    // The addresses to forward go back into the queue together, as one new message.
    ForwardRequest fwd{file ? &file->envelope : nullptr,
                       message.content,
                       rcpt.address,
                       rcpt.orcpt,
                       rcpt.notify,
                       {}};
    for (const auto& d : destinations)
      if (d.kind == Destination::Kind::forward) fwd.targets.push_back(d.address);
    Outcome forwarded;
    if (!fwd.targets.empty())
      forwarded = already_delivered_to(message.content, rcpt.address)
                      ? Outcome{DeliveryStatus::bounced, "5.4.6",
                                "mail forwarding loop for " + rcpt.address}
                      : forward(fwd, settings);

    // One result for the recipient: any deferral wins, then any bounce, else sent.
    RecipientResult result{rcpt.offset, DeliveryStatus::sent, "", ""};
    for (const auto& d : destinations) {
      std::optional<PassResult> passed;
      if (d.kind == Destination::Kind::transport &&
          !already_delivered_to(message.content, d.address)) {
        passed =
            pass_to_transport({d.target, &request, &rcpt, d.address, settings.queue_directory});
        if (passed->logged) {  // the other agent delivered and logged it
          if (worse_than(result, passed->result.status)) result = std::move(passed->result);
          continue;
        }
      }
      Outcome o =
          passed ? Outcome{passed->result.status, passed->result.dsn, passed->result.text}
          : d.kind == Destination::Kind::forward ? forwarded
          : d.kind != Destination::Kind::failed && already_delivered_to(message.content, d.address)
              ? Outcome{DeliveryStatus::bounced, "5.4.6", "mail forwarding loop for " + d.address}
              : deliver_destination(d, message, settings);
      RecipientLogLine line;
      line.queue_id = request.queue_id;
      line.to = d.address;
      line.orig_to = original;
      line.relay = passed ? "none" : "local";
      line.times = {request.arrival_us, request.active_us, start_us, start_us, base::now_us()};
      line.dsn = o.dsn;
      line.status = o.status;
      line.text = o.text;
      line.soft_bounce = settings.soft_bounce;
      log.info("{}", format_recipient_log(line));
      if (worse_than(result, o.status)) result = {rcpt.offset, o.status, o.dsn, o.text};
    }
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace correio::delivery::local_agent
