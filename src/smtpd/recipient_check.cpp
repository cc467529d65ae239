// Unknown-recipient rejection: undeliverable routes, local and virtual mailbox domains.
#include "smtpd/recipient_check.hpp"

#include "base/strings.hpp"
#include "resolve/address.hpp"
#include "smtp/address.hpp"

namespace correio::smtpd {

RecipientCheck::RecipientCheck(Options options, base::Logger& log)
    : options_(std::move(options)),
      log_(log),
      tables_(resolve::RecipientTables::open(options_.tables)) {
  for (const auto& error : tables_.open_errors()) log_.warning("{}", error);
  // virtual_mailbox_maps, when set, is the list of virtual recipients (Postfix); the
  // directory then serves logins only (docs/admin-guide.md, "User directories").
  if (tables_.has_table(resolve::AddressClass::kVirtualMailbox)) return;
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

// unknown_*_reject_code (450 while testing a table, else 550): Postfix's smtpd_check_reject
// gives the enhanced code the reply's class.
smtp::Reply unknown_user(int code, std::string_view recipient, std::string_view table) {
  return smtp::Reply(code, code < 500 ? "4.1.1" : "5.1.1",
                     "<" + std::string(recipient) +
                         ">: Recipient address rejected: User unknown in " + std::string(table));
}

}  // namespace

// Postfix's check_rcpt_maps(): the address as the resolver routes it. Anything routed to
// the error transport is known to be undeliverable (a virtual alias domain's "User
// unknown", a transport_maps "error:5.7.1 text"); then the class's own table.
std::optional<smtp::Reply> RecipientCheck::check(std::string_view recipient,
                                                 std::string_view sender) {
  if (options_.skip) return std::nullopt;
  // The tables see the address without a trailing dot; the replies name it as given
  // ("<eve@example.com.>: Recipient address rejected: ..."), as Postfix's do.
  std::string address = resolve::strip_trailing_dot(recipient);
  std::string domain = smtp::domain_of(address);
  std::string local =
      resolve::base_local_part(smtp::local_part_of(address), options_.recipient_delimiter);
  if (!options_.resolver) return std::nullopt;
  auto route = options_.resolver->resolve(recipient, sender);
  if (!route) {
    log_.warning("{}", route.error().message);
    return temporary(recipient);
  }
  if (route->transport == "error") return undeliverable(recipient, route->nexthop);
  if (route->address_class == resolve::AddressClass::kVirtualMailbox &&
      !tables_.has_table(route->address_class))
    return check_directory(recipient, local, domain);
  return check_table(*route, recipient, local);
}

std::optional<smtp::Reply> RecipientCheck::check_directory(std::string_view recipient,
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
  return unknown_user(options_.virtual_reject_code, recipient, "virtual mailbox table");
}

// smtpd_check.c check_rcpt_maps(): the class's table, searched with the resolved address.
std::optional<smtp::Reply> RecipientCheck::check_table(const resolve::Route& route,
                                                       std::string_view recipient,
                                                       const std::string& local) {
  auto known = tables_.known(route.address_class, route.recipient);
  if (!known) {
    log_.warning("{}", known.error().message);
    return temporary(recipient);
  }
  if (!*known || **known) return std::nullopt;
  // Relayed mail goes on to the next hop, which knows its own postmaster: as Postfix.
  if (route.address_class == resolve::AddressClass::kRelay)
    return unknown_user(options_.relay_reject_code, recipient, "relay recipient table");
  // RFC 5321 §4.5.1 and RFC 2142: postmaster@ and abuse@ every domain we deliver for
  // (qmgr's resolver sends them to the local aliases when they have no mailbox); Postfix
  // also spares MAILER-DAEMON in local domains.
  if (resolve::is_role_account(local)) return std::nullopt;
  if (route.address_class == resolve::AddressClass::kVirtualMailbox)
    return unknown_user(options_.virtual_reject_code, recipient, "virtual mailbox table");
  if (base::to_lower(local) == "mailer-daemon") return std::nullopt;
  return unknown_user(options_.local_reject_code, recipient, "local recipient table");
}

}  // namespace correio::smtpd
