// Unknown-recipient rejection: undeliverable routes, local and virtual mailbox domains.
#include "smtpd/recipient_check.hpp"

#include <pwd.h>

#include "base/strings.hpp"
#include "resolve/address.hpp"
#include "smtp/address.hpp"

namespace correio::smtpd {

RecipientCheck::RecipientCheck(Options options, base::Logger& log)
    : options_(std::move(options)), log_(log) {
  if (!options_.alias_maps.empty()) {
    maps::MapOptions map_options;
    map_options.syntax = maps::SourceSyntax::kAliases;
    map_options.warn = [this](const std::string& w) { log_.warning("{}", w); };
    auto aliases = maps::open_maps(options_.alias_maps, map_options);
    if (aliases) {
      aliases_ = std::move(aliases.value());
    } else {
      log_.warning("alias_maps {}: {}", options_.alias_maps, aliases.error().message);
      aliases_failed_ = true;
    }
  }
  if (options_.user_directory.empty()) return;
  auto directory = auth::open_user_directory(options_.user_directory, options_.default_realm);
  if (!directory) {
    log_.warning("user_directory {}: {}", options_.user_directory, directory.error().message);
    directory_failed_ = true;
    return;
  }
  directory_ = std::move(directory.value());
}

namespace {

smtp::Reply temporary(std::string_view recipient) {
  return smtp::Reply(451, "4.3.0", "<" + std::string(recipient) + ">: Temporary lookup failure");
}

// "550 5.7.1 <rcpt>: Recipient address rejected: text" for an error transport's
// "5.7.1 text" (5.1.1 when the text has no code), as Postfix words it.
smtp::Reply undeliverable(std::string_view recipient, std::string_view nexthop) {
  auto [dsn, text] = resolve::split_error_text(nexthop, "5.1.1");
  return smtp::Reply(550, dsn,
                     "<" + std::string(recipient) + ">: Recipient address rejected: " + text);
}

}  // namespace

// Postfix's check_rcpt_maps(): the address as the resolver routes it. Anything routed to
// the error transport is known to be undeliverable (a virtual alias domain's "User
// unknown", a transport_maps "error:5.7.1 text"); then the class's own table.
std::optional<smtp::Reply> RecipientCheck::check(std::string_view recipient,
                                                 std::string_view sender) {
  std::string domain = smtp::domain_of(recipient);
  std::string local =
      resolve::base_local_part(smtp::local_part_of(recipient), options_.recipient_delimiter);
  if (!options_.resolver) return std::nullopt;
  auto route = options_.resolver->resolve(recipient, sender);
  if (!route) {
    log_.warning("{}", route.error().message);
    return temporary(recipient);
  }
  if (route->transport == "error") return undeliverable(recipient, route->nexthop);
  switch (route->address_class) {
    case resolve::AddressClass::kVirtualMailbox:
      return check_virtual(recipient, local, domain);
    case resolve::AddressClass::kLocal:
      if (!options_.check_local) return std::nullopt;
      return check_local(recipient, local);
    default:
      return std::nullopt;
  }
}

std::optional<smtp::Reply> RecipientCheck::check_virtual(std::string_view recipient,
                                                         const std::string& local,
                                                         const std::string& domain) {
  if (!directory_) {
    if (!directory_failed_) return std::nullopt;  // no directory configured: accept
    return temporary(recipient);
  }
  auto found = directory_->lookup(local + "@" + domain);
  for (const auto& w : directory_->take_warnings()) log_.warning("{}", w);
  if (!found) return temporary(recipient);
  if (*found || resolve::is_role_account(local)) return std::nullopt;
  return smtp::Reply(550, "5.1.1",
                     "<" + std::string(recipient) +
                         ">: Recipient address rejected: User unknown in virtual mailbox table");
}

std::optional<smtp::Reply> RecipientCheck::check_local(std::string_view recipient,
                                                       const std::string& local) {
  // local_recipient_maps' passwd part: the local part must be a system account.
  std::string user = base::to_lower(local);
  passwd pw{};
  passwd* result = nullptr;
  char buf[4096];
  if (getpwnam_r(user.c_str(), &pw, buf, sizeof buf, &result) == 0 && result) return std::nullopt;
  if (aliases_failed_) return temporary(recipient);
  if (aliases_) {
    auto alias = aliases_->lookup(user);
    if (!alias) return temporary(recipient);
    if (*alias) return std::nullopt;
  }
  // Every Postfix system has these; the local agent falls back to root (RFC 5321 §4.5.1).
  if (resolve::is_role_account(user) || user == "mailer-daemon") return std::nullopt;
  return smtp::Reply(550, "5.1.1",
                     "<" + std::string(recipient) +
                         ">: Recipient address rejected: User unknown in local recipient table");
}

}  // namespace correio::smtpd
