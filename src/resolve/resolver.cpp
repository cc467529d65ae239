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
  auto list = DomainList::open(name, config.get(name), parent);
  if (!list) return Error{where(config, name) + list.error().message};
  return list;
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
  r.relayhost_ = std::string(base::trim(config.get("relayhost")));
  r.myhostname_ = config.get("myhostname");
  r.delimiter_ = config.get("recipient_delimiter");
  r.swap_bangpath_ = config.get_bool("swap_bangpath");
  r.percent_hack_ = config.get_bool("allow_percent_hack");
  r.dequote_ = config.get_bool("resolve_dequoted_address");
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

Result<Route> Resolver::resolve(std::string_view address) {
  AddressParts parts = split_address(address, dequote_);
  bool rewritten = false;
  for (int pass = 0;; ++pass) {
    auto cls = classify_domain(parts.domain);
    if (!cls) return cls.error();
    if (*cls != AddressClass::kLocal || pass >= kMaxRewritePasses) {
      auto r = route(*cls, parts.local, parts.domain);
      if (r && r->recipient.empty())
        r->recipient = rewritten ? join_address(parts.local, parts.domain) : std::string(address);
      return r;
    }
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
      auto r = route(*cls, parts.local, parts.domain);
      if (r && r->recipient.empty())
        r->recipient = rewritten ? join_address(parts.local, parts.domain) : std::string(address);
      return r;
    }
    rewritten = true;
  }
}

Route Resolver::local_route(std::string_view local, std::string_view domain) const {
  Route r;
  r.address_class = AddressClass::kLocal;
  std::tie(r.transport, r.nexthop) = parse_transport(local_transport_);
  if (r.nexthop.empty()) r.nexthop = base::to_lower(domain);
  r.recipient = join_address(local, domain);
  return r;
}

Result<Route> Resolver::route(AddressClass c, std::string_view local, std::string_view domain) {
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
  // The recipient stays empty: resolve() fills in the address as rewritten.
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
      return r;
    case AddressClass::kRelay:
      std::tie(r.transport, r.nexthop) = parse_transport(relay_transport_);
      break;
    default:
      std::tie(r.transport, r.nexthop) = parse_transport(default_transport_);
      break;
  }
  // The transport's own nexthop wins, then relayhost, then the domain (its MX).
  if (r.nexthop.empty()) r.nexthop = relayhost_.empty() ? lower_domain : relayhost_;
  return r;
}

}  // namespace correio::resolve
