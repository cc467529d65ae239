// The one address resolver (Postfix's trivial-rewrite "resolve", ADDRESS_CLASS_README):
// which class a domain is in, and which (transport, nexthop, recipient) delivers an
// address. smtpd (relay and recipient checks), qmgr (routing) and local (is a forwarding
// target local?) all ask it, so a domain is local, virtual or remote in the same way
// everywhere. A Resolver is owned by its caller and used from one thread at a time (its
// tables are not thread-safe); copies share the opened tables.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "config/config.hpp"
#include "resolve/domain_list.hpp"
#include "resolve/transport_table.hpp"

namespace correio::resolve {

// Postfix's address classes, in the order a domain is tested.
enum class AddressClass {
  kLocal,           // mydestination (and addresses without a domain)
  kVirtualAlias,    // virtual_alias_domains
  kVirtualMailbox,  // virtual_mailbox_domains
  kRelay,           // relay_domains
  kDefault,         // everything else
};

// "local", "virtual alias", "virtual mailbox", "relay", "default" (for logs and tests).
std::string_view class_name(AddressClass c);

struct Route {
  AddressClass address_class = AddressClass::kDefault;
  std::string transport;  // "local", "virtual", "relay", "smtp", "error", ...
  std::string nexthop;    // the transport's ":nexthop", else (off-host) the sender's
                          // relayhost or relayhost, else the domain; see resolve()
  std::string recipient;  // the address to deliver to, after the rewrites below
  // The recipient's local part still has a routing operator ('@', '!', '%'), whatever
  // swap_bangpath and allow_percent_hack say: the next host may route it further
  // (Postfix's RESOLVE_FLAG_ROUTED). smtpd does not count it as our destination.
  bool routed = false;
};

// "smtp:[mx.example]:25" -> {"smtp", "[mx.example]:25"}; "virtual" -> {"virtual", ""}.
std::pair<std::string, std::string> parse_transport(std::string_view value);

// Whether `address` has a mailbox in a virtual mailbox domain (the user_directory); an
// Error is temporary. Set by daemons that can read the directory.
using MailboxProbe = std::function<Result<bool>(std::string_view address)>;

class Resolver {
 public:
  // Opens the four domain lists and the routing tables (transport_maps and the two
  // sender_dependent_*_maps). Errors say which parameter and where it is set:
  // "/etc/correio/main.cf:12: virtual_mailbox_domains: \"mysql:/x.cf\": unsupported
  // dictionary type: mysql". Daemons refuse to start on such an error.
  static Result<Resolver> open(const config::Config& config);

  // The class of `domain` (case-insensitive; "" is local). Error: a table failed.
  Result<AddressClass> classify_domain(std::string_view domain);

  // Resolves `address` for mail from `sender` ("" is <>), as trivial-rewrite does:
  //  - in a local domain (or without one), "site!user" becomes user@site (swap_bangpath)
  //    and "user%site" becomes user@site (allow_percent_hack), and the result is resolved
  //    again; with resolve_dequoted_address, "user@site"@local is user@site as well;
  //  - local -> local_transport, virtual mailbox -> virtual_transport, relay ->
  //    relay_transport, default -> sender_dependent_default_transport_maps or
  //    default_transport; a virtual alias domain has no mailboxes of its own:
  //    error:5.1.1 User unknown in virtual alias table;
  //  - the nexthop is the transport's own ":nexthop", else (relay and default only)
  //    sender_dependent_relayhost_maps or relayhost, else the recipient domain;
  //  - relocated_maps: an address that has moved goes to error:5.1.6 User has moved to NEW;
  //  - transport_maps then overrides both for every class but virtual alias;
  //  - postmaster@ and abuse@ a virtual domain without a mailbox of that name (see
  //    set_mailbox_probe) go to the local postmaster/abuse, i.e. to the aliases.
  // Error: a table failed (callers defer).
  Result<Route> resolve(std::string_view address, std::string_view sender);

  // Without a probe every postmaster@/abuse@ of a virtual mailbox domain is left to the
  // virtual transport.
  void set_mailbox_probe(MailboxProbe probe) { probe_ = std::move(probe); }

  const std::string& recipient_delimiter() const { return delimiter_; }

 private:
  Result<Route> route(AddressClass c, std::string_view local, std::string_view domain,
                      std::string_view sender);
  Result<Route> finish(AddressClass c, const std::string& local, const std::string& domain,
                       std::string_view sender, std::string_view original);
  Route local_route(std::string_view local, std::string_view domain) const;
  // relocated_maps: the new address of a user who has moved, or nullopt.
  Result<std::optional<std::string>> relocated(AddressClass c, const std::string& address);
  Result<std::string> sender_lookup(maps::Map* maps, std::string_view sender,
                                    std::string_view null_key, const std::string& fallback);

  DomainList local_, virtual_alias_, virtual_mailbox_, relay_;
  std::string local_transport_, virtual_transport_, relay_transport_, default_transport_;
  std::string relayhost_, myhostname_, delimiter_;
  bool swap_bangpath_ = true, percent_hack_ = true, dequote_ = true;
  TransportTable transport_maps_;
  // Shared: copies of a Resolver share the opened tables. Null when not configured.
  std::shared_ptr<maps::Map> sender_relayhost_, sender_transport_, relocated_;
  std::string null_relayhost_key_, null_transport_key_;
  MailboxProbe probe_;
};

// Opens every domain list of `config` and reports the first problem, for `postfix check`
// and daemon start (same text as Resolver::open).
Status check_domain_lists(const config::Config& config);

}  // namespace correio::resolve
