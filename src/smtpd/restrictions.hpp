// Postfix's SMTP access restriction lists (postconf(5) smtpd_*_restrictions,
// SMTPD_ACCESS_README): smtpd_client_restrictions, smtpd_helo_restrictions,
// smtpd_sender_restrictions, smtpd_relay_restrictions and smtpd_recipient_restrictions.
// Each list is evaluated left to right; the first permit or reject ends that list (a
// permit ends only that list, a reject ends the command). With smtpd_delay_reject = yes
// (Postfix's default, the only mode implemented) all lists run at RCPT TO, in the order
// above. Supported restrictions: permit, reject, defer, permit_mynetworks,
// permit_sasl_authenticated, reject_unauth_destination, defer_unauth_destination,
// reject_sender_login_mismatch, reject_authenticated_sender_login_mismatch,
// reject_unauthenticated_sender_login_mismatch, reject_non_fqdn_sender,
// reject_non_fqdn_recipient, reject_non_fqdn_helo_hostname.
// Owned by the smtpd process; not thread-safe (the sender login map is a Map).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.hpp"
#include "base/result.hpp"
#include "maps/map.hpp"
#include "resolve/resolver.hpp"
#include "smtp/reply.hpp"
#include "smtpd/client_networks.hpp"
#include "smtpd/settings.hpp"

namespace correio::smtpd {

// What the restrictions look at, for one RCPT TO.
struct RestrictionFacts {
  std::string_view client_address;
  std::string_view client_name = "unknown";
  std::string_view helo;
  std::string_view sender;  // "" for the null sender
  std::string_view recipient;
  std::string_view sasl_username;  // "" unless the client authenticated
};

enum class RestrictionName {
  permit,
  reject,
  defer,
  permit_mynetworks,
  permit_sasl_authenticated,
  reject_unauth_destination,
  defer_unauth_destination,
  reject_sender_login_mismatch,
  reject_authenticated_sender_login_mismatch,
  reject_unauthenticated_sender_login_mismatch,
  reject_non_fqdn_sender,
  reject_non_fqdn_recipient,
  reject_non_fqdn_helo_hostname,
};

struct RestrictionItem {
  RestrictionName name;
  std::string text;  // as written, for log lines
};

// Parses one list ("permit_mynetworks, reject_unauth_destination"); an Error names the
// first unknown restriction: "unknown smtpd restriction: \"check_foo\"".
Result<std::vector<RestrictionItem>> parse_restriction_list(std::string_view list);

class Restrictions {
 public:
  struct Options {
    std::string client, helo, sender, relay, recipient;  // the lists as in main.cf
    ClientNetworks mynetworks;
    // Says which domains are not relaying (reject_unauth_destination); not owned, must
    // outlive the Restrictions. Null: every domain is remote.
    resolve::Resolver* resolver = nullptr;
    std::string sender_login_maps;  // smtpd_sender_login_maps
  };

  // Parses the lists and opens smtpd_sender_login_maps. Never fails: a configuration
  // error (unknown restriction, missing relay control, unreadable map) is logged once as
  // a warning and every RCPT then gets "451 4.3.5 Server configuration error", as Postfix
  // does.
  Restrictions(Options options, base::Logger& log);

  // The configuration error, if any (for tests and `correio check`).
  const std::optional<std::string>& configuration_error() const { return error_; }

  // Evaluates all lists for one recipient; nullopt when the recipient is accepted.
  std::optional<smtp::Reply> check_recipient(const RestrictionFacts& facts);

  // Whether mail to `address` from `sender` is for us without relaying, as Postfix's
  // permit_auth_destination: the address as resolved (after the percent hack and
  // friends) is in any class but the default one and is not source-routed (Postfix's
  // allow_untrusted_routing = no). Error: a table failed.
  Result<bool> local_or_relay_domain(std::string_view address, std::string_view sender) const;

  enum class Stage { client, helo, sender, relay, recipient };

 private:
  using Item = RestrictionItem;
  enum class Verdict { dunno, permit, reject };
  Verdict evaluate(Stage stage, const std::vector<Item>& list, const RestrictionFacts& facts,
                   smtp::Reply& reply);
  Verdict apply(Stage stage, const Item& item, const RestrictionFacts& facts, smtp::Reply& reply);
  Verdict sender_login_mismatch(const Item& item, const RestrictionFacts& facts,
                                smtp::Reply& reply);

  Options options_;
  base::Logger& log_;
  std::vector<Item> lists_[5];
  std::unique_ptr<maps::MapList> login_maps_;
  std::optional<std::string> error_;
};

// The lists and tables of `settings` as Restrictions takes them; the same for a session
// and for `postfix check` (smtpd::check_configuration).
// `resolver` as in Options: it must outlive the Restrictions.
Restrictions::Options restriction_options(const Settings& settings, resolve::Resolver* resolver);

}  // namespace correio::smtpd
