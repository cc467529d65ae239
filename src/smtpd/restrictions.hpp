// Postfix's SMTP access restriction lists (postconf(5) smtpd_*_restrictions,
// SMTPD_ACCESS_README): client, helo, sender, relay, recipient, data and end-of-data
// lists, evaluated left to right; the first permit or reject ends a list (a permit ends
// only that list, a reject ends the command). With smtpd_delay_reject = yes the client,
// helo and sender lists run at each RCPT TO before the relay and recipient lists; with
// no they run at connect, HELO/EHLO and MAIL FROM. smtpd_restriction_classes name more
// lists. The restrictions themselves live in access/ (one file per family), found by
// name in access/checks.cpp's table.
// Owned by the smtpd process; used from its event-loop thread only (tables are Maps).
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.hpp"
#include "base/result.hpp"
#include "config/config.hpp"
#include "dns/lookup.hpp"
#include "maps/map.hpp"
#include "resolve/resolver.hpp"
#include "smtp/reply.hpp"
#include "smtpd/access/access_table.hpp"
#include "smtpd/access/evaluation.hpp"
#include "smtpd/access/restriction_list.hpp"
#include "smtpd/client_networks.hpp"

namespace correio::smtpd {

class RecipientCheck;
using access::Effects;
using access::Facts;

// The reply codes postconf(5) lets the administrator choose, with Postfix's defaults.
struct RestrictionCodes {
  int reject = 554;                    // reject_code
  int defer = 450;                     // defer_code
  int access_map_reject = 554;         // access_map_reject_code
  int access_map_defer = 450;          // access_map_defer_code
  int relay_domains_reject = 554;      // relay_domains_reject_code
  int non_fqdn_reject = 504;           // non_fqdn_reject_code
  int invalid_hostname_reject = 501;   // invalid_hostname_reject_code
  int unknown_hostname_reject = 450;   // unknown_hostname_reject_code
  int unknown_address_reject = 450;    // unknown_address_reject_code
  int unknown_client_reject = 450;     // unknown_client_reject_code
  int unverified_sender_reject = 450;  // not used yet
  int maps_rbl_reject = 554;           // maps_rbl_reject_code
  int unauth_pipelining_reject = 503;  // Postfix's fixed reply
};

class Restrictions {
 public:
  struct Options {
    std::string lists[access::kStages];                        // smtpd_client_restrictions ... etrn
    std::vector<std::pair<std::string, std::string>> classes;  // smtpd_restriction_classes
    bool delay_reject = true;                                  // smtpd_delay_reject
    ClientNetworks mynetworks;
    // Says which domains are not relaying (reject_unauth_destination); not owned, must
    // outlive the Restrictions. Null: every domain is remote.
    resolve::Resolver* resolver = nullptr;
    std::string sender_login_maps;  // smtpd_sender_login_maps
    bool smtputf8_enable = true;    // how the tables fold keys (maps::daemon_map_options)
    RestrictionCodes codes;
    std::string recipient_delimiter;
    std::string null_access_key = "<>";  // smtpd_null_access_lookup_key
    bool parent_style = true;            // smtpd_access_maps in parent_domain_matches_subdomains
    dns::ResolverOptions dns;            // dns_resolver_servers: DNS lists and unknown_* tests
    std::string default_rbl_reply;
    std::string rbl_reply_maps;
    bool reject_unlisted_sender = false;  // smtpd_reject_unlisted_sender
    // reject_unlisted_sender/recipient ask it; not owned, must outlive the Restrictions.
    // Null: those restrictions find everyone listed.
    RecipientCheck* recipients = nullptr;
    std::string queue_directory;  // unix:private/x policy servers live under it
    struct Policy {
      std::chrono::milliseconds timeout{100000};    // smtpd_policy_service_timeout
      int try_limit = 2;                            // smtpd_policy_service_try_limit
      std::chrono::milliseconds retry_delay{1000};  // smtpd_policy_service_retry_delay
      std::string default_action = "451 4.3.5 Server configuration problem";
      std::string context;                         // smtpd_policy_service_policy_context
      std::chrono::milliseconds max_idle{300000};  // smtpd_policy_service_max_idle
      std::chrono::milliseconds max_ttl{1000000};  // smtpd_policy_service_max_ttl
      int request_limit = 0;                       // smtpd_policy_service_request_limit
    } policy;
  };

  // Parses the lists and opens every table they name. Never fails: a configuration
  // error (unknown restriction, missing relay control, unreadable table) is logged once
  // as a warning and every check then gets "451 4.3.5 Server configuration error", as
  // Postfix does.
  Restrictions(Options options, base::Logger& log);
  ~Restrictions();

  // The configuration error, if any (for tests and `correio check`).
  const std::optional<std::string>& configuration_error() const { return error_; }

  // When smtpd asks. Which lists run depends on smtpd_delay_reject (see the top).
  enum class Event { connect, helo, mail, rcpt, data, end_of_data, etrn };
  // nullopt: go on; otherwise the reply for the command (already logged as Postfix does).
  asio::awaitable<std::optional<smtp::Reply>> check(Event event, const Facts& facts,
                                                    Effects& effects);
  bool delay_reject() const { return options_.delay_reject; }

  // Whether mail to `address` from `sender` is for us without relaying, as Postfix's
  // permit_auth_destination. Error: a table failed.
  Result<bool> local_or_relay_domain(std::string_view address, std::string_view sender) const;

  // For the restrictions in access/: evaluates `list` (a list, a class's list or a
  // table's result) within `ev`.
  asio::awaitable<access::Verdict> run_list(access::Evaluation& ev,
                                            const std::vector<access::Restriction>& list);
  // Parses and runs a table result that is a restriction list ("permit_mynetworks, reject").
  asio::awaitable<access::Verdict> run_text(access::Evaluation& ev, std::string_view text);
  const Options& options() const { return options_; }
  base::Logger& log() { return log_; }
  access::AccessTable* table(std::string_view spec);  // opened at start; null if not
  maps::MapList* login_maps() { return login_maps_.get(); }
  maps::MapList* rbl_reply_maps() { return rbl_reply_maps_.get(); }

 private:
  Status parse_all();
  Status open_tables(const std::vector<access::Restriction>& list);
  asio::awaitable<access::Verdict> run_stage(access::Evaluation& ev, access::Stage stage);

  Options options_;
  base::Logger& log_;
  std::vector<access::Restriction> lists_[access::kStages];
  std::map<std::string, std::vector<access::Restriction>, std::less<>> classes_;
  std::map<std::string, std::unique_ptr<access::AccessTable>, std::less<>> tables_;
  std::unique_ptr<maps::MapList> login_maps_;
  std::unique_ptr<maps::MapList> rbl_reply_maps_;
  std::optional<std::string> error_;
};

// The lists, tables and codes of `config` as Restrictions takes them; the same for a
// session and for `correio check` (smtpd::check_configuration). `resolver` as in Options.
Restrictions::Options restriction_options(const config::Config& config,
                                          resolve::Resolver* resolver);

}  // namespace correio::smtpd
