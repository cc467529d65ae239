// One message to one virtual user's Maildir (see mailbox_delivery.hpp).
#include "delivery/mailbox_delivery.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <optional>

#include "base/clock.hpp"
#include "base/strings.hpp"
#include "delivery/fs_identity.hpp"
#include "store/mailbox_path.hpp"
#include "store/maildir.hpp"
#include "store/maildir_name.hpp"
#include "store/maildir_quota.hpp"
#include "store/mbox.hpp"

namespace correio::delivery {
namespace {

// recipient_delimiter: "user+ext@domain" -> "user@domain" (first delimiter found), or "".
std::string strip_extension(std::string_view address, std::string_view delimiters) {
  size_t at = address.rfind('@');
  if (delimiters.empty() || at == std::string_view::npos) return "";
  size_t cut = address.substr(0, at).find_first_of(delimiters);
  if (cut == std::string_view::npos || cut == 0) return "";
  return std::string(address.substr(0, cut)) + std::string(address.substr(at));
}

}  // namespace

MailboxSettings mailbox_settings_from_config(const config::Config& config) {
  MailboxSettings s;
  s.mailbox_base = config.get("virtual_mailbox_base");
  s.mail_location = config.get("mail_location");
  long long limit = config.get_int("virtual_mailbox_limit");
  s.mailbox_limit = limit > 0 ? static_cast<uint64_t>(limit) : 0;
  s.enable_original_recipient = config.get_bool("enable_original_recipient");
  s.recipient_delimiter = config.get("recipient_delimiter");
  s.hostname = config.get("myhostname");
  s.soft_bounce = config.get_bool("soft_bounce");
  std::string grace(base::trim(config.get("quota_grace")));
  if (!grace.empty() && grace.back() == '%') grace.pop_back();
  if (auto n = base::parse_int(grace); n && *n >= 0 && *n <= 1000)
    s.quota_grace_percent = static_cast<unsigned>(*n);
  s.quota_full_tempfail = config.get_bool("quota_full_tempfail");
  s.quota_exceeded_message = config.get("quota_exceeded_message");
  return s;
}

Result<std::optional<auth::UserRecord>> find_user(std::string_view address,
                                                  const MailboxSettings& settings,
                                                  auth::UserDirectory& users) {
  auto found = users.lookup(address);
  if (found && !*found) {
    if (auto bare = strip_extension(address, settings.recipient_delimiter); !bare.empty())
      found = users.lookup(bare);
  }
  return found;
}

namespace {

// Writes the copy into the Maildir (or, from virtual_mailbox_maps, the mbox file) `path`:
// the prefix headers, then the message, as the owner virtual_uid_maps/virtual_gid_maps
// name (this thread only). Any problem with the owner defers the recipient, as in Postfix.
MailboxOutcome store_copy(const MessageCopy& message, const std::filesystem::path& path,
                          bool maildir, const MailboxSettings& settings, MailboxOwners* owners) {
  std::string_view original = message.original.empty() ? message.recipient : message.original;
  std::string prefix = prefix_headers(message.sender, message.recipient, original,
                                      settings.enable_original_recipient);
  prefix += message.extra_headers;
  store::MessageSource source{message.content};
  std::optional<ScopedFsIdentity> identity;
  if (owners && owners->configured()) {
    auto mailbox_owner = owners->owner_of(message.recipient);
    if (!mailbox_owner)
      return {DeliveryStatus::deferred, "4.3.0",
              "mail system configuration error: " + mailbox_owner.error().message, ""};
    if (::geteuid() == 0) {
      identity.emplace(mailbox_owner->uid, mailbox_owner->gid);
      if (!identity->ok())
        return {DeliveryStatus::deferred, "4.3.0",
                "mail system configuration error: " + identity->error(), ""};
    } else if (mailbox_owner->uid != ::geteuid()) {
      return {DeliveryStatus::deferred, "4.3.0",
              fmt::format("mail system configuration error: cannot write as uid {}: the virtual "
                          "agent does not run as root (master.cf unpriv column: n)",
                          mailbox_owner->uid),
              ""};
    }
  }
  if (!maildir) {
    // virtual(8) locks a mailbox file with fcntl only (Debian's virtual_mailbox_lock): a
    // dotlock would need write access to the shared directory.
    store::MboxOptions options;
    options.size_limit = settings.mailbox_limit;
    options.dotlock = false;
    store::MboxFailure failure;
    auto stored = store::deliver_to_mbox(path, message.sender, prefix, source, options, &failure);
    if (!stored)
      return {failure.permanent ? DeliveryStatus::bounced : DeliveryStatus::deferred, failure.dsn,
              stored.error().message, ""};
    return {DeliveryStatus::sent, "2.0.0", "delivered to mailbox", path.filename().string()};
  }
  store::MaildirOptions options;
  options.host_part = store::maildir_host_part(settings.hostname);
  options.size_limit = settings.mailbox_limit;
  store::MaildirFailure failure;
  auto stored = store::deliver_to_maildir(path, prefix, source, options, &failure);
  if (!stored)
    return {failure.permanent ? DeliveryStatus::bounced : DeliveryStatus::deferred, failure.dsn,
            stored.error().message, ""};
  return {DeliveryStatus::sent, "2.0.0", "delivered to maildir", *stored};
}

MailboxOutcome unknown_user(std::string_view recipient) {
  return {DeliveryStatus::bounced, "5.1.1", fmt::format("unknown user: \"{}\"", recipient), ""};
}

}  // namespace

namespace {

// The user's quota (Dovecot's userdb_quota_rule and userdb_quota_rule2) against what the
// Maildir holds now; an outcome when the message must not come in.
std::optional<MailboxOutcome> over_quota(const auth::UserRecord& user,
                                         const std::filesystem::path& maildir,
                                         const MessageCopy& message,
                                         const MailboxSettings& settings) {
  store::QuotaLimits limits;
  for (const char* key : {"userdb_quota_rule", "userdb_quota_rule2", "userdb_quota_rule3"})
    if (auto rule = user.extra(key)) store::apply_quota_rule(*rule, limits);
  if (!limits.any()) return std::nullopt;
  auto usage = store::maildir_usage(maildir);
  if (!usage)
    return MailboxOutcome{DeliveryStatus::deferred, "4.3.0",
                          "cannot count the mailbox for its quota: " + usage.error().message, ""};
  if (store::quota_allows(limits, *usage, message.content.size(), settings.quota_grace_percent))
    return std::nullopt;
  // RFC 3463 X.2.2 "mailbox full"; temporary by default, as the user may make room.
  bool later = settings.quota_full_tempfail;
  return MailboxOutcome{later ? DeliveryStatus::deferred : DeliveryStatus::bounced,
                        later ? "4.2.2" : "5.2.2", settings.quota_exceeded_message, ""};
}

}  // namespace

MailboxOutcome deliver_to_mailbox(const MessageCopy& message, const MailboxSettings& settings,
                                  auth::UserDirectory& users, MailboxOwners* owners) {
  auto found = find_user(message.recipient, settings, users);
  if (!found)
    return {DeliveryStatus::deferred, "4.3.0",
            "user directory lookup failed: " + found.error().message, ""};
  if (!*found) return unknown_user(message.recipient);
  const auth::UserRecord& user = **found;

  // The directory's own spelling names the Maildir when it is a full address, so that
  // user+ext@domain and User@Domain land in the same place as user@domain.
  std::string owner =
      user.user.find('@') != std::string::npos ? user.user : std::string(message.recipient);
  auto maildir =
      store::virtual_maildir_path(settings.mailbox_base, owner, user.home, settings.mail_location);
  if (!maildir)
    return {DeliveryStatus::deferred, "4.3.5",
            "mail system configuration error: " + maildir.error().message, ""};
  if (auto full = over_quota(user, *maildir, message, settings)) return std::move(*full);
  return store_copy(message, *maildir, true, settings, owners);
}

MailboxOutcome deliver_to_mailbox(const MessageCopy& message, const MailboxSettings& settings,
                                  VirtualMailboxes& table, MailboxOwners* owners) {
  auto found = table.find(message.recipient);
  // A table that cannot be read defers (virtual(8): "lookup error"), never bounces.
  if (!found)
    return {DeliveryStatus::deferred, "4.3.0",
            "mail system configuration error: " + found.error().message, ""};
  if (!*found) return unknown_user(message.recipient);
  return store_copy(message, (*found)->path, (*found)->maildir, settings, owners);
}

namespace {

void log_outcome(const MailboxJob& job, const MailboxRecipient& rcpt, const MailboxOutcome& outcome,
                 base::Logger& log) {
  RecipientLogLine line;
  line.queue_id = job.queue_id;
  line.to = rcpt.address;
  line.orig_to = rcpt.original;
  line.relay = job.relay;
  line.times = job.times;
  line.times.done_us = base::now_us();
  line.dsn = outcome.dsn;
  line.status = outcome.status;
  line.soft_bounce = job.soft_bounce;
  std::string saved;
  if (job.log_saved_file && outcome.status == DeliveryStatus::sent)
    saved = "saved mail to INBOX: " + outcome.file;
  line.text = saved.empty() ? std::string_view(outcome.text) : std::string_view(saved);
  log.info("{}", format_recipient_log(line));
}

}  // namespace

std::vector<MailboxOutcome> deliver_and_log(const MailboxJob& job,
                                            std::span<const MailboxRecipient> recipients,
                                            const MailboxSettings& settings,
                                            auth::UserDirectory& users, MailboxOwners* owners,
                                            base::Logger& log) {
  return deliver_and_log(job, recipients, settings, MailboxFinder{&users, nullptr, owners}, log);
}

std::vector<MailboxOutcome> deliver_and_log(const MailboxJob& job,
                                            std::span<const MailboxRecipient> recipients,
                                            const MailboxSettings& settings,
                                            const MailboxFinder& finder, base::Logger& log) {
  std::vector<MailboxOutcome> outcomes;
  outcomes.reserve(recipients.size());
  for (const MailboxRecipient& rcpt : recipients) {
    MessageCopy copy;
    copy.sender = job.sender;
    copy.recipient = rcpt.address;
    copy.original = rcpt.original;
    copy.extra_headers = rcpt.extra_headers;
    copy.content = job.content;
    if (finder.table)
      outcomes.push_back(deliver_to_mailbox(copy, settings, *finder.table, finder.owners));
    else if (finder.users)
      outcomes.push_back(deliver_to_mailbox(copy, settings, *finder.users, finder.owners));
    else
      outcomes.push_back({DeliveryStatus::deferred, "4.3.5",
                          "mail system configuration error: neither virtual_mailbox_maps nor "
                          "user_directory is set",
                          ""});
    log_outcome(job, rcpt, outcomes.back(), log);
  }
  if (finder.users)
    for (const auto& warning : finder.users->take_warnings()) log.warning("{}", warning);
  return outcomes;
}

std::vector<MailboxOutcome> log_undeliverable(const MailboxJob& job,
                                              std::span<const MailboxRecipient> recipients,
                                              const MailboxOutcome& outcome, base::Logger& log) {
  std::vector<MailboxOutcome> outcomes(recipients.size(), outcome);
  for (const MailboxRecipient& rcpt : recipients) log_outcome(job, rcpt, outcome, log);
  return outcomes;
}

}  // namespace correio::delivery
