// Evaluation of Postfix's smtpd_*_restrictions lists (see restrictions.hpp). Reply codes
// and texts follow Postfix's defaults: reject_code 554, defer_code 450,
// relay_domains_reject_code 554, non_fqdn_reject_code 504; "defer_*" turns a relay
// rejection's 5 into 4.
#include "smtpd/restrictions.hpp"

#include <fmt/format.h>

#include "base/strings.hpp"
#include "smtp/address.hpp"

namespace correio::smtpd {
namespace {

using Name = RestrictionName;

struct Known {
  std::string_view text;
  Name name;
};
constexpr Known kKnown[] = {
    {"permit", Name::permit},
    {"reject", Name::reject},
    {"defer", Name::defer},
    {"permit_mynetworks", Name::permit_mynetworks},
    {"permit_sasl_authenticated", Name::permit_sasl_authenticated},
    {"reject_unauth_destination", Name::reject_unauth_destination},
    {"defer_unauth_destination", Name::defer_unauth_destination},
    {"reject_sender_login_mismatch", Name::reject_sender_login_mismatch},
    {"reject_authenticated_sender_login_mismatch",
     Name::reject_authenticated_sender_login_mismatch},
    {"reject_unauthenticated_sender_login_mismatch",
     Name::reject_unauthenticated_sender_login_mismatch},
    {"reject_non_fqdn_sender", Name::reject_non_fqdn_sender},
    {"reject_non_fqdn_recipient", Name::reject_non_fqdn_recipient},
    {"reject_non_fqdn_helo_hostname", Name::reject_non_fqdn_helo_hostname},
    {"reject_non_fqdn_hostname", Name::reject_non_fqdn_helo_hostname},  // Postfix < 2.3 name
};

// Postfix's "fully-qualified domain form": user@domain.tld (a domain literal counts).
bool fqdn_address(std::string_view address) {
  size_t at = address.rfind('@');
  if (at == std::string_view::npos) return false;
  std::string_view domain = address.substr(at + 1);
  if (domain.starts_with('[')) return domain.ends_with(']');
  return domain.find('.') != std::string_view::npos && !domain.ends_with('.') &&
         !domain.starts_with('.');
}

bool fqdn_hostname(std::string_view name) {
  if (name.starts_with('[')) return name.ends_with(']');
  return name.find('.') != std::string_view::npos && !name.ends_with('.');
}

}  // namespace

Result<std::vector<RestrictionItem>> parse_restriction_list(std::string_view list) {
  std::vector<RestrictionItem> out;
  for (const std::string& word : base::split_list(list)) {
    std::string lower = base::to_lower(word);
    bool found = false;
    for (const auto& k : kKnown) {
      if (k.text == lower) {
        out.push_back({k.name, word});
        found = true;
        break;
      }
    }
    if (!found) return Error{"unknown smtpd restriction: \"" + word + "\""};
  }
  return out;
}

Restrictions::Options restriction_options(const Settings& s, resolve::Resolver* resolver) {
  Restrictions::Options r;
  r.client = s.client_restrictions;
  r.helo = s.helo_restrictions;
  r.sender = s.sender_restrictions;
  r.relay = s.relay_restrictions;
  r.recipient = s.recipient_restrictions;
  r.mynetworks = s.mynetworks;
  r.resolver = resolver;
  r.sender_login_maps = s.sender_login_maps;
  return r;
}

Restrictions::Restrictions(Options options, base::Logger& log)
    : options_(std::move(options)), log_(log) {
  const std::string* texts[] = {&options_.client, &options_.helo, &options_.sender, &options_.relay,
                                &options_.recipient};
  const char* params[] = {"smtpd_client_restrictions", "smtpd_helo_restrictions",
                          "smtpd_sender_restrictions", "smtpd_relay_restrictions",
                          "smtpd_recipient_restrictions"};
  for (size_t i = 0; i < 5; ++i) {
    auto parsed = parse_restriction_list(*texts[i]);
    if (!parsed) {
      error_ = std::string(params[i]) + ": " + parsed.error().message;
      break;
    }
    lists_[i] = std::move(parsed.value());
  }
  // Postfix refuses to run as an open relay by mistake: one of the two lists must end
  // relaying for strangers.
  if (!error_) {
    bool guarded = false;
    for (size_t i : {3u, 4u})
      for (const auto& item : lists_[i])
        if (item.name == Name::reject_unauth_destination ||
            item.name == Name::defer_unauth_destination || item.name == Name::reject ||
            item.name == Name::defer)
          guarded = true;
    if (!guarded)
      error_ =
          "in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, specify at "
          "least one working instance of: reject_unauth_destination, defer_unauth_destination, "
          "reject or defer";
  }
  if (!error_ && !options_.sender_login_maps.empty()) {
    auto maps = maps::open_maps(options_.sender_login_maps);
    if (maps)
      login_maps_ = std::move(maps.value());
    else
      error_ = "smtpd_sender_login_maps: " + maps.error().message;
  }
  if (error_) log_.warning("{}", *error_);
}

Result<bool> Restrictions::local_or_relay_domain(std::string_view address,
                                                 std::string_view sender) const {
  if (!options_.resolver) return false;
  // The whole address, not just its domain: user%elsewhere@ a local domain is mail for
  // elsewhere (an open relay if judged by "@local" alone).
  auto route = options_.resolver->resolve(address, sender);
  if (!route) return route.error();
  return route->address_class != resolve::AddressClass::kDefault && !route->routed;
}

std::optional<smtp::Reply> Restrictions::check_recipient(const RestrictionFacts& facts) {
  if (error_) return smtp::Reply(451, "4.3.5", "Server configuration error");
  for (size_t i = 0; i < 5; ++i) {
    smtp::Reply reply;
    if (evaluate(static_cast<Stage>(i), lists_[i], facts, reply) == Verdict::reject) return reply;
  }
  return std::nullopt;
}

Restrictions::Verdict Restrictions::evaluate(Stage stage, const std::vector<Item>& list,
                                             const RestrictionFacts& facts, smtp::Reply& reply) {
  for (const Item& item : list) {
    Verdict v = apply(stage, item, facts, reply);
    if (v != Verdict::dunno) return v;
  }
  return Verdict::dunno;
}

Restrictions::Verdict Restrictions::apply(Stage stage, const Item& item,
                                          const RestrictionFacts& facts, smtp::Reply& reply) {
  // "<what>: Class rejected: ..." names what the list is about, as Postfix does.
  std::string what, klass;
  switch (stage) {
    case Stage::client:
      what = fmt::format("{}[{}]", facts.client_name, facts.client_address);
      klass = "Client host";
      break;
    case Stage::helo:
      what = std::string(facts.helo);
      klass = "Helo command";
      break;
    case Stage::sender:
      what = std::string(facts.sender);
      klass = "Sender address";
      break;
    case Stage::relay:
    case Stage::recipient:
      what = std::string(facts.recipient);
      klass = "Recipient address";
      break;
  }
  auto reject = [&](int code, std::string_view enhanced, std::string text) {
    reply = smtp::Reply(code, enhanced, text);
    return Verdict::reject;
  };
  switch (item.name) {
    case Name::permit:
      return Verdict::permit;
    case Name::reject:
      return reject(554, "5.7.1", fmt::format("<{}>: {} rejected: Access denied", what, klass));
    case Name::defer:
      return reject(450, "4.3.2", fmt::format("<{}>: {} rejected: Try again later", what, klass));
    case Name::permit_mynetworks:
      return options_.mynetworks.contains(facts.client_address) ? Verdict::permit : Verdict::dunno;
    case Name::permit_sasl_authenticated:
      return facts.sasl_username.empty() ? Verdict::dunno : Verdict::permit;
    case Name::reject_unauth_destination:
    case Name::defer_unauth_destination: {
      // Only meaningful with a recipient; Postfix skips it in the other lists likewise.
      if (facts.recipient.empty()) return Verdict::dunno;
      auto ours = local_or_relay_domain(facts.recipient, facts.sender);
      if (!ours) {
        log_.warning("{}", ours.error().message);
        return reject(451, "4.3.0", fmt::format("<{}>: Temporary lookup failure", facts.recipient));
      }
      if (*ours) return Verdict::dunno;
      bool defer = item.name == Name::defer_unauth_destination;
      return reject(defer ? 454 : 554, defer ? "4.7.1" : "5.7.1",
                    fmt::format("<{}>: Relay access denied", facts.recipient));
    }
    case Name::reject_sender_login_mismatch:
    case Name::reject_authenticated_sender_login_mismatch:
    case Name::reject_unauthenticated_sender_login_mismatch:
      return sender_login_mismatch(item, facts, reply);
    case Name::reject_non_fqdn_sender:
      if (facts.sender.empty() || fqdn_address(facts.sender)) return Verdict::dunno;
      return reject(
          504, "5.5.2",
          fmt::format("<{}>: Sender address rejected: need fully-qualified address", facts.sender));
    case Name::reject_non_fqdn_recipient:
      if (facts.recipient.empty() || fqdn_address(facts.recipient)) return Verdict::dunno;
      return reject(504, "5.5.2",
                    fmt::format("<{}>: Recipient address rejected: need fully-qualified address",
                                facts.recipient));
    case Name::reject_non_fqdn_helo_hostname:
      if (facts.helo.empty() || fqdn_hostname(facts.helo)) return Verdict::dunno;
      return reject(
          504, "5.5.2",
          fmt::format("<{}>: Helo command rejected: need fully-qualified hostname", facts.helo));
  }
  return Verdict::dunno;
}

// smtpd_sender_login_maps: MAIL FROM address (then @domain) -> the login names that own it.
Restrictions::Verdict Restrictions::sender_login_mismatch(const Item& item,
                                                          const RestrictionFacts& facts,
                                                          smtp::Reply& reply) {
  if (facts.sender.empty()) return Verdict::dunno;  // the null sender is nobody's
  if (!login_maps_) {
    log_.warning("restriction {} requires smtpd_sender_login_maps", item.text);
    return Verdict::dunno;
  }
  auto found = maps::lookup_address(*login_maps_, facts.sender, "");
  if (!found) {
    log_.warning("smtpd_sender_login_maps lookup error for {}: {}", facts.sender,
                 found.error().message);
    reply = smtp::Reply(
        451, "4.3.0",
        fmt::format("<{}>: Sender address rejected: Temporary lookup failure", facts.sender));
    return Verdict::reject;
  }
  bool owned = found->has_value();
  bool owner = false;
  if (owned && !facts.sasl_username.empty())
    for (const std::string& login : base::split_list((*found)->value))
      if (base::iequals(login, facts.sasl_username)) owner = true;
  bool authenticated = !facts.sasl_username.empty();
  bool check_auth = item.name != Name::reject_unauthenticated_sender_login_mismatch;
  bool check_unauth = item.name != Name::reject_authenticated_sender_login_mismatch;
  if (authenticated && check_auth && !owner) {
    reply = smtp::Reply(553, "5.7.1",
                        fmt::format("<{}>: Sender address rejected: not owned by user {}",
                                    facts.sender, facts.sasl_username));
    return Verdict::reject;
  }
  if (!authenticated && check_unauth && owned) {
    reply = smtp::Reply(553, "5.7.1",
                        fmt::format("<{}>: Sender address rejected: not logged in", facts.sender));
    return Verdict::reject;
  }
  return Verdict::dunno;
}

}  // namespace correio::smtpd
