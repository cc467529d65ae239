// Address classes and routes (see resolver.hpp), after Postfix's resolve.c.
#include "resolve/resolver.hpp"

#include <fmt/format.h>

#include "base/strings.hpp"
#include "config/main_cf.hpp"
#include "resolve/address.hpp"

namespace correio::resolve {
namespace {

// Each pass through a local domain removes one '!' or '%' or '@': an address cannot need
// more passes than this without being an attack.
constexpr int kMaxRewritePasses = 50;

// "main.cf:12: " when main.cf sets `name` (where an administrator must look), else "".
std::string where(const config::Config& config, std::string_view name) {
  if (const config::MainCfEntry* e = config.main_cf().find(name))
    return fmt::format("{}:{}: ", config.main_cf().file_name(), e->line);
  return "";
}

Result<DomainList> open_list(const config::Config& config, std::string_view name) {
  bool parent = parent_style(config.get("parent_domain_matches_subdomains"), name);
  auto list = DomainList::open(name, config.get(name), parent,
                               maps::daemon_map_options(config.get_bool("smtputf8_enable")));
  if (!list) return Error{where(config, name) + list.error().message};
  return list;
}

// A routing table list (transport_maps, sender_dependent_*_maps); null when empty.
// Errors read as `correio check` words them: "main.cf:3: transport_maps: hash:/x: ...".
// "proxy:hash:/x" is read directly, as check reads it (there is no proxymap).
Result<std::shared_ptr<maps::Map>> open_tables(const config::Config& config,
                                               std::string_view name) {
  std::string value = config.get(name);
  std::vector<std::unique_ptr<maps::Map>> tables;
  for (const auto& spec : maps::split_map_list(value)) {
    std::string_view direct = spec;
    while (direct.starts_with("proxy:")) direct.remove_prefix(6);
    auto table =
        maps::open_map(direct, maps::daemon_map_options(config.get_bool("smtputf8_enable")));
    if (!table)
      return Error{
          fmt::format("{}{}: {}: {}", where(config, name), name, spec, table.error().message)};
    tables.push_back(std::move(*table));
  }
  if (tables.empty()) return std::shared_ptr<maps::Map>();
  return std::shared_ptr<maps::Map>(
      std::make_shared<maps::MapList>(std::move(tables), std::string(base::trim(value))));
}

bool is_dunno(std::string_view value) {
  return base::iequals(value, "DUNNO");
}

// The domain lists trivial-rewrite reads, in the order a domain is classified.
constexpr std::string_view kDomainLists[] = {"mydestination", "virtual_alias_domains",
                                             "virtual_mailbox_domains", "relay_domains"};

}  // namespace

std::string_view class_name(AddressClass c) {
  switch (c) {
    case AddressClass::kLocal:
      return "local";
    case AddressClass::kVirtualAlias:
      return "virtual alias";
    case AddressClass::kVirtualMailbox:
      return "virtual mailbox";
    case AddressClass::kRelay:
      return "relay";
    case AddressClass::kDefault:
      break;
  }
  return "default";
}

std::pair<std::string, std::string> parse_transport(std::string_view value) {
  value = base::trim(value);
  size_t colon = value.find(':');
  if (colon == std::string_view::npos) return {std::string(value), ""};
  return {std::string(value.substr(0, colon)), std::string(value.substr(colon + 1))};
}

Status check_domain_lists(const config::Config& config) {
  for (std::string_view name : kDomainLists)
    if (auto list = open_list(config, name); !list) return list.error();
  return {};
}

Result<Resolver> Resolver::open(const config::Config& config) {
  Resolver r;
  DomainList* lists[] = {&r.local_, &r.virtual_alias_, &r.virtual_mailbox_, &r.relay_};
  for (size_t i = 0; i < std::size(kDomainLists); ++i) {
    auto list = open_list(config, kDomainLists[i]);
    if (!list) return list.error();
    *lists[i] = std::move(*list);
  }
  r.local_transport_ = config.get("local_transport");
  r.virtual_transport_ = config.get("virtual_transport");
  r.relay_transport_ = config.get("relay_transport");
  r.default_transport_ = config.get("default_transport");
  // Postfix defers every such address ("null transport is not allowed"); say so at start.
  for (std::string_view name :
       {"local_transport", "virtual_transport", "relay_transport", "default_transport"})
    if (parse_transport(config.get(name)).first.empty())
      return Error{fmt::format("{}{}: null transport is not allowed", where(config, name), name)};
  r.relayhost_ = std::string(base::trim(config.get("relayhost")));
  r.myhostname_ = config.get("myhostname");
  r.delimiter_ = config.get("recipient_delimiter");
  r.swap_bangpath_ = config.get_bool("swap_bangpath");
  r.percent_hack_ = config.get_bool("allow_percent_hack");
  r.dequote_ = config.get_bool("resolve_dequoted_address");
  auto transport = open_tables(config, "transport_maps");
  if (!transport) return transport.error();
  auto relayhosts = open_tables(config, "sender_dependent_relayhost_maps");
  if (!relayhosts) return relayhosts.error();
  auto transports = open_tables(config, "sender_dependent_default_transport_maps");
  if (!transports) return transports.error();
  auto relocated = open_tables(config, "relocated_maps");
  if (!relocated) return relocated.error();
  r.relocated_ = std::move(*relocated);
  r.sender_relayhost_ = std::move(*relayhosts);
  r.sender_transport_ = std::move(*transports);
  if (*transport) {
    bool parent = parent_style(config.get("parent_domain_matches_subdomains"), "transport_maps");
    r.transport_maps_ = TransportTable(std::move(*transport), parent, r.delimiter_);
  }
  r.null_relayhost_key_ = config.get("empty_address_relayhost_maps_lookup_key");
  r.null_transport_key_ = config.get("empty_address_default_transport_maps_lookup_key");
  return r;
}

Result<AddressClass> Resolver::classify_domain(std::string_view domain) {
  // An address without a domain is local: Postfix appends myorigin before resolving.
  if (domain.empty()) return AddressClass::kLocal;
  struct Step {
    DomainList* list;
    AddressClass cls;
  } steps[] = {{&local_, AddressClass::kLocal},
               {&virtual_alias_, AddressClass::kVirtualAlias},
               {&virtual_mailbox_, AddressClass::kVirtualMailbox},
               {&relay_, AddressClass::kRelay}};
  for (auto& step : steps) {
    auto in = step.list->contains(domain);
    if (!in) return in.error();
    if (*in) return step.cls;
  }
  return AddressClass::kDefault;
}

Result<Route> Resolver::resolve(std::string_view given, std::string_view sender) {
  // resolve.c: "user@example.com." is user@example.com.
  std::string address = strip_trailing_dot(given);
  AddressParts parts = split_address(address, dequote_);
  bool rewritten = false;
  for (int pass = 0;; ++pass) {
    auto cls = classify_domain(parts.domain);
    if (!cls) return cls.error();
    std::string_view original = rewritten ? std::string_view() : address;
    if (*cls != AddressClass::kLocal || pass >= kMaxRewritePasses)
      return finish(*cls, parts.local, parts.domain, sender, original);
    // A local domain: what the local part routes further decides (Postfix's resolve.c
    // strips the local domain and looks again). Quoted text is not routing unless
    // resolve_dequoted_address is on (split_address kept the quotes then).
    std::string& local = parts.local;
    bool opaque = local.starts_with('"');
    size_t bang = local.find('!');
    size_t percent = local.rfind('%');
    size_t at = local.rfind('@');
    if (!opaque && dequote_ && at != std::string::npos) {
      parts.domain = local.substr(at + 1);
      local.resize(at);
    } else if (!opaque && swap_bangpath_ && bang != std::string::npos && bang > 0) {
      // RFC 976 "site!user" is user@site; "a!b!user" is b!user@a, resolved again at a.
      parts.domain = local.substr(0, bang);
      local = local.substr(bang + 1);
    } else if (!opaque && percent_hack_ && percent != std::string::npos) {
      parts.domain = local.substr(percent + 1);
      local.resize(percent);
    } else {
      return finish(*cls, parts.local, parts.domain, sender, original);
    }
    rewritten = true;
  }
}

// The class's route, its recipient (the address as given unless it was rewritten), then
// transport_maps, which Postfix applies last and to every class but virtual alias (whose
// "User unknown" must stand).
Result<Route> Resolver::finish(AddressClass c, const std::string& local, const std::string& domain,
                               std::string_view sender, std::string_view original) {
  auto r = route(c, local, domain, sender);
  if (!r) return r;
  if (r->recipient.empty())
    r->recipient = original.empty() ? join_address(local, domain) : std::string(original);
  size_t op = r->recipient.find_first_of("@!%");
  r->routed = op != std::string::npos && op != r->recipient.rfind('@');
  if (auto moved = relocated(c, r->recipient); !moved) {
    return moved.error();
  } else if (*moved) {
    // relocated(5): "5.1.6 User has moved to NEW"; smtpd rejects, qmgr bounces.
    r->transport = "error";
    r->nexthop = "5.1.6 User has moved to " + **moved;
    return r;
  }
  if (c == AddressClass::kVirtualAlias) return r;
  auto found = transport_maps_.apply(r->recipient, r->transport, r->nexthop);
  if (!found) return Error{"transport_maps: " + found.error().message};
  return r;
}

// relocated(5) TABLE FORMAT: user@domain, then (local domains) user, then @domain; the
// recipient_delimiter extension is tried off as in every address table (mail_addr_find).
Result<std::optional<std::string>> Resolver::relocated(AddressClass c, const std::string& address) {
  using Found = std::optional<std::string>;
  if (!relocated_) return Found();
  auto form =
      c == AddressClass::kLocal ? maps::AddressForm::kLocalDomain : maps::AddressForm::kFull;
  auto found = maps::lookup_address(*relocated_, address, delimiter_, form);
  if (!found) return Error{"relocated_maps: " + found.error().message};
  if (*found) return Found((*found)->value);
  return Found();
}

Route Resolver::local_route(std::string_view local, std::string_view domain) const {
  Route r;
  r.address_class = AddressClass::kLocal;
  std::tie(r.transport, r.nexthop) = parse_transport(local_transport_);
  if (r.nexthop.empty()) r.nexthop = base::to_lower(domain);
  r.recipient = join_address(local, domain);
  return r;
}

// A sender_dependent_*_maps lookup: the sender, user@domain without its extension, then
// @domain (the null sender is `null_key`, "<>"). DUNNO, or an empty result, or no entry
// give `fallback`.
Result<std::string> Resolver::sender_lookup(maps::Map* maps, std::string_view sender,
                                            std::string_view null_key,
                                            const std::string& fallback) {
  if (!maps) return fallback;
  auto found = maps::lookup_address(*maps, sender.empty() ? null_key : sender, delimiter_);
  if (!found) return Error{maps->spec() + ": " + found.error().message};
  if (!*found || (*found)->value.empty() || is_dunno((*found)->value)) return fallback;
  return std::move((*found)->value);
}

Result<Route> Resolver::route(AddressClass c, std::string_view local, std::string_view domain,
                              std::string_view sender) {
  std::string base = base_local_part(local, delimiter_);
  // RFC 5321 §4.5.1 and RFC 2142: postmaster@ and abuse@ every domain we accept mail for
  // must reach someone. A virtual domain with its own mailbox of that name keeps it;
  // otherwise the local role account (and so /etc/aliases) receives it.
  if ((c == AddressClass::kVirtualAlias || c == AddressClass::kVirtualMailbox) &&
      is_role_account(base)) {
    bool own_mailbox = false;
    if (c == AddressClass::kVirtualMailbox) {
      if (!probe_) {
        own_mailbox = true;
      } else {
        auto found = probe_(join_address(base, domain));
        if (!found) return found.error();
        own_mailbox = *found;
      }
    }
    if (!own_mailbox) {
      Route r = local_route(base_local_part(base::to_lower(local), delimiter_), myhostname_);
      r.address_class = c;
      return r;
    }
  }
  // The recipient stays empty: finish() fills in the address as rewritten.
  if (c == AddressClass::kLocal) {
    Route r = local_route(local, domain);
    r.recipient.clear();
    return r;
  }
  Route r;
  r.address_class = c;
  std::string lower_domain = base::to_lower(domain);
  switch (c) {
    case AddressClass::kVirtualAlias:
      // Postfix: every address of a virtual alias domain must be an alias.
      r.transport = "error";
      r.nexthop = "5.1.1 User unknown in virtual alias table";
      return r;
    case AddressClass::kVirtualMailbox:
      std::tie(r.transport, r.nexthop) = parse_transport(virtual_transport_);
      if (r.nexthop.empty()) r.nexthop = lower_domain;
      return r;
    case AddressClass::kRelay:
      std::tie(r.transport, r.nexthop) = parse_transport(relay_transport_);
      break;
    default: {
      // The syntax is default_transport's ("smtp:[gw]"), not transport_maps'.
      auto transport =
          sender_lookup(sender_transport_.get(), sender, null_transport_key_, default_transport_);
      if (!transport) return transport.error();
      std::tie(r.transport, r.nexthop) = parse_transport(*transport);
      if (r.transport.empty())
        return Error{"sender_dependent_default_transport_maps: null transport is not allowed"};
      break;
    }
  }
  // Off-host classes: the transport's own nexthop wins, then the sender's relayhost, then
  // relayhost, then the domain (its MX). transport(5) DESCRIPTION.
  if (r.nexthop.empty()) {
    const std::string& global = relayhost_.empty() ? lower_domain : relayhost_;
    auto relay = sender_lookup(sender_relayhost_.get(), sender, null_relayhost_key_, global);
    if (!relay) return relay.error();
    r.nexthop = std::move(*relay);
  }
  return r;
}

}  // namespace correio::resolve
