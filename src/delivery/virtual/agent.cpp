// The virtual agent's deliveries: user lookup, prefix headers, Maildir, one log line per
// recipient (see agent.hpp).
#include "delivery/virtual/agent.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <optional>

#include "delivery/log_line.hpp"
#include "delivery/virtual/fs_identity.hpp"
#include "queue/queue_file_reader.hpp"
#include "store/mailbox_path.hpp"
#include "store/maildir.hpp"
#include "store/maildir_name.hpp"

namespace correio::delivery::virtual_agent {
namespace {

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Header values come from the queue file; never let one break out of its line.
std::string header_safe(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c == '\r' || c == '\n') c = ' ';
  return out;
}

// recipient_delimiter: "user+ext@domain" -> "user@domain" (first delimiter found), or "".
std::string strip_extension(std::string_view address, std::string_view delimiters) {
  size_t at = address.rfind('@');
  if (delimiters.empty() || at == std::string_view::npos) return "";
  size_t cut = address.substr(0, at).find_first_of(delimiters);
  if (cut == std::string_view::npos || cut == 0) return "";
  return std::string(address.substr(0, cut)) + std::string(address.substr(at));
}

struct Outcome {
  DeliveryStatus status;
  std::string dsn;
  std::string text;
};

Outcome deliver_one(const RequestRecipient& rcpt, const DeliveryRequest& request,
                    const queue::QueueFile& file, const AgentSettings& settings,
                    auth::UserDirectory& users, MailboxOwners* owners) {
  auto found = users.lookup(rcpt.address);
  if (found && !*found) {
    if (auto bare = strip_extension(rcpt.address, settings.recipient_delimiter); !bare.empty())
      found = users.lookup(bare);
  }
  if (!found)
    return {DeliveryStatus::deferred, "4.3.0",
            "user directory lookup failed: " + found.error().message};
  if (!*found)
    return {DeliveryStatus::bounced, "5.1.1", fmt::format("unknown user: \"{}\"", rcpt.address)};
  const auth::UserRecord& user = **found;

  // The directory's own spelling names the Maildir when it is a full address, so that
  // user+ext@domain and User@Domain land in the same place as user@domain.
  std::string owner = user.user.find('@') != std::string::npos ? user.user : rcpt.address;
  auto maildir = store::virtual_maildir_path(settings.mailbox_base, owner, user.home);
  if (!maildir)
    return {DeliveryStatus::deferred, "4.3.5",
            "mail system configuration error: " + maildir.error().message};

  std::string original = rcpt.original.empty() ? rcpt.address : rcpt.original;
  std::string prefix =
      prefix_headers(request.sender, rcpt.address, original, settings.enable_original_recipient);
  store::MessageSource source{file.content_bytes,
                              file.envelope.line_ending == queue::LineEnding::crlf};
  store::MaildirOptions options;
  options.host_part = store::maildir_host_part(settings.hostname);
  options.size_limit = settings.mailbox_limit;
  // virtual_uid_maps/virtual_gid_maps: the files are written as the mailbox's owner
  // (this thread only). Any problem defers the recipient, as in Postfix.
  std::optional<ScopedFsIdentity> identity;
  if (owners && owners->configured()) {
    auto owner = owners->owner_of(rcpt.address);
    if (!owner)
      return {DeliveryStatus::deferred, "4.3.0",
              "mail system configuration error: " + owner.error().message};
    if (::geteuid() == 0) {
      identity.emplace(owner->uid, owner->gid);
      if (!identity->ok())
        return {DeliveryStatus::deferred, "4.3.0",
                "mail system configuration error: " + identity->error()};
    } else if (owner->uid != ::geteuid()) {
      return {DeliveryStatus::deferred, "4.3.0",
              fmt::format("mail system configuration error: cannot write as uid {}: the virtual "
                          "agent does not run as root (master.cf unpriv column: n)",
                          owner->uid)};
    }
  }
  store::MaildirFailure failure;
  auto stored = store::deliver_to_maildir(*maildir, prefix, source, options, &failure);
  if (!stored)
    return {failure.permanent ? DeliveryStatus::bounced : DeliveryStatus::deferred, failure.dsn,
            stored.error().message};
  return {DeliveryStatus::sent, "2.0.0", "delivered to maildir"};
}

}  // namespace

AgentSettings agent_settings_from_config(const config::Config& config) {
  AgentSettings s;
  s.mailbox_base = config.get("virtual_mailbox_base");
  long long limit = config.get_int("virtual_mailbox_limit");
  s.mailbox_limit = limit > 0 ? static_cast<uint64_t>(limit) : 0;
  s.enable_original_recipient = config.get_bool("enable_original_recipient");
  s.recipient_delimiter = config.get("recipient_delimiter");
  s.hostname = config.get("myhostname");
  return s;
}

std::string prefix_headers(std::string_view sender, std::string_view recipient,
                           std::string_view original, bool with_original) {
  std::string out = fmt::format("Return-Path: <{}>\n", header_safe(sender));
  if (with_original) out += fmt::format("X-Original-To: {}\n", header_safe(original));
  out += fmt::format("Delivered-To: {}\n", header_safe(recipient));
  return out;
}

std::vector<RecipientResult> deliver(const DeliveryRequest& request, const AgentSettings& settings,
                                     auth::UserDirectory& users, base::Logger& log,
                                     MailboxOwners* owners) {
  const int64_t start_us = now_us();
  auto file = queue::read_queue_file(request.queue_file, /*with_content=*/true);

  std::vector<RecipientResult> results;
  results.reserve(request.recipients.size());
  for (const auto& rcpt : request.recipients) {
    Outcome outcome = file ? deliver_one(rcpt, request, *file, settings, users, owners)
                           : Outcome{DeliveryStatus::deferred, "4.3.0",
                                     "cannot read queue file: " + file.error().message};
    RecipientLogLine line;
    line.queue_id = request.queue_id;
    line.to = rcpt.address;
    line.orig_to = rcpt.original;
    line.relay = "virtual";
    line.times = {request.arrival_us, request.active_us, start_us, start_us, now_us()};
    line.dsn = outcome.dsn;
    line.status = outcome.status;
    line.text = outcome.text;
    log.info("{}", format_recipient_log(line));
    results.push_back({rcpt.offset, outcome.status, outcome.dsn, std::move(outcome.text)});
  }
  for (const auto& warning : users.take_warnings()) log.warning("{}", warning);
  return results;
}

}  // namespace correio::delivery::virtual_agent
