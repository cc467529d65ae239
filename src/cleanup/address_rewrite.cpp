// cleanup's address rewriting (see address_rewrite.hpp).
#include "cleanup/address_rewrite.hpp"

#include <array>

#include "base/strings.hpp"
#include "cleanup/header_address.hpp"
#include "resolve/address.hpp"

namespace correio::cleanup {
namespace {

// Postfix's header_opts.c: which headers hold sender and which recipient addresses.
constexpr std::array<std::string_view, 10> kSenderHeaders = {"from",
                                                             "sender",
                                                             "reply-to",
                                                             "errors-to",
                                                             "return-path",
                                                             "return-receipt-to",
                                                             "resent-from",
                                                             "resent-sender",
                                                             "resent-reply-to",
                                                             "disposition-notification-to"};
constexpr std::array<std::string_view, 7> kRecipientHeaders = {
    "to", "cc", "bcc", "apparently-to", "resent-to", "resent-cc", "resent-bcc"};

// The "Postfix" compatibility of a two-valued propagate_unmatched_extensions list.
Status parse_propagate(const std::vector<std::string>& items, bool& canonical, bool& virt) {
  canonical = virt = false;
  for (const auto& item : items) {
    std::string name = base::to_lower(item);
    if (name == "canonical") {
      canonical = true;
    } else if (name == "virtual") {
      virt = true;
    } else if (name != "alias" && name != "forward" && name != "include" && name != "generic") {
      return Error{"propagate_unmatched_extensions: unknown class: " + item};
    }
  }
  return {};
}

}  // namespace

HeaderKind header_kind(std::string_view name) {
  std::string lower = base::to_lower(name);
  for (auto h : kSenderHeaders)
    if (lower == h) return HeaderKind::kSender;
  for (auto h : kRecipientHeaders)
    if (lower == h) return HeaderKind::kRecipient;
  return HeaderKind::kNone;
}

Result<AddressClasses> parse_address_classes(std::string_view parameter,
                                             const std::vector<std::string>& items) {
  AddressClasses c;
  for (const auto& item : items) {
    std::string name = base::to_lower(item);
    if (name == "envelope_sender")
      c.envelope_sender = true;
    else if (name == "envelope_recipient")
      c.envelope_recipient = true;
    else if (name == "header_sender")
      c.header_sender = true;
    else if (name == "header_recipient")
      c.header_recipient = true;
    else
      return Error{std::string(parameter) + ": unknown address class: " + item};
  }
  return c;
}

Result<AddressRewriter> AddressRewriter::open(const config::Config& config,
                                              const ReceiveOverrides& overrides) {
  AddressRewriter r;
  auto resolver = resolve::Resolver::open(config);
  if (!resolver) return resolver.error();
  r.resolver_.emplace(std::move(*resolver));
  r.myorigin_ = config.get("myorigin");
  r.mydomain_ = config.get("mydomain");
  r.remote_domain_ = config.get("remote_header_rewrite_domain");
  r.delimiter_ = config.get("recipient_delimiter");
  r.append_dot_mydomain_ = config.get_bool("append_dot_mydomain");
  r.enable_original_recipient_ = config.get_bool("enable_original_recipient");
  if (Status s = parse_propagate(config.get_list("propagate_unmatched_extensions"),
                                 r.propagate_canonical_, r.propagate_virtual_);
      !s)
    return s.error();
  // postconf(5): canonical_maps, sender_canonical_maps, recipient_canonical_maps and
  // masquerade_domains each apply where their own classes say; the sender_/recipient_
  // tables only on their side.
  enum class Side { any, sender, recipient };
  struct ClassParameter {
    const char* name;
    AddressClasses* classes;
    Side side;
  };
  for (auto [name, classes, side] :
       {ClassParameter{"canonical_classes", &r.canonical_classes_, Side::any},
        ClassParameter{"sender_canonical_classes", &r.sender_canonical_classes_, Side::sender},
        ClassParameter{"recipient_canonical_classes", &r.recipient_canonical_classes_,
                       Side::recipient},
        ClassParameter{"masquerade_classes", &r.masquerade_classes_, Side::any}}) {
    auto parsed = parse_address_classes(name, config.get_list(name));
    if (!parsed) return parsed.error();
    if (side == Side::sender && (parsed->envelope_recipient || parsed->header_recipient))
      return Error{std::string(name) + ": only envelope_sender and header_sender apply"};
    if (side == Side::recipient && (parsed->envelope_sender || parsed->header_sender))
      return Error{std::string(name) + ": only envelope_recipient and header_recipient apply"};
    *classes = *parsed;
  }
  struct Named {
    const char* parameter;
    AddressTable* table;
  };
  for (auto [parameter, table] :
       {Named{"canonical_maps", &r.canonical_},
        Named{"sender_canonical_maps", &r.sender_canonical_},
        Named{"recipient_canonical_maps", &r.recipient_canonical_},
        Named{"virtual_alias_maps", &r.virtual_}, Named{"sender_bcc_maps", &r.sender_bcc_},
        Named{"recipient_bcc_maps", &r.recipient_bcc_}}) {
    // input_transp_cleanup(): no_address_mappings clears cleanup's CLEANUP_FLAG_MAP_OK.
    auto opened =
        AddressTable::open(parameter, overrides.no_address_mappings ? "" : config.get(parameter),
                           maps::daemon_map_options(config.get_bool("smtputf8_enable")));
    if (!opened) return opened.error();
    *table = std::move(*opened);
  }
  // The obsolete virtual_maps works through virtual_alias_maps' default "$virtual_maps";
  // when virtual_alias_maps is set, virtual_maps is ignored, as in Postfix.
  if (config.get("virtual_alias_maps").empty() && !config.get("virtual_maps").empty())
    return Error{
        "virtual_maps is set but virtual_alias_maps is empty: Postfix would ignore "
        "virtual_maps too; set virtual_alias_maps"};
  if (!overrides.no_address_mappings) {
    r.always_bcc_ = split_address_value(config.get("always_bcc"));
    auto domains = config.get_list("masquerade_domains");
    auto exceptions = config.get_list("masquerade_exceptions");
    if (!domains.empty()) r.masquerade_.emplace(std::move(domains), std::move(exceptions));
  }
  long long expansion = config.get_int("virtual_alias_expansion_limit");
  long long recursion = config.get_int("virtual_alias_recursion_limit");
  if (expansion < 1 || recursion < 1)
    return Error{
        "virtual_alias_expansion_limit and virtual_alias_recursion_limit must be "
        "at least 1"};
  r.limits_.expansion = static_cast<size_t>(expansion);
  r.limits_.recursion = static_cast<int>(std::min(recursion, 1000000LL));
  return r;
}

bool AddressRewriter::active() const {
  return !canonical_.empty() || !sender_canonical_.empty() || !recipient_canonical_.empty() ||
         !virtual_.empty() || !sender_bcc_.empty() || !recipient_bcc_.empty() ||
         !always_bcc_.empty() || masquerade_.has_value() || append_dot_mydomain_ ||
         !myorigin_.empty();
}

// "user+ext" keys apply to $myorigin and the local domains (canonical(5), virtual(5)).
Result<bool> AddressRewriter::is_local(std::string_view domain) {
  if (base::iequals(domain, myorigin_)) return true;
  auto c = resolver_->classify_domain(domain);
  if (!c) return c.error();
  return *c == resolve::AddressClass::kLocal;
}

Completion AddressRewriter::completion() const {
  return [this](std::string_view address) { return complete(address); };
}

LocalDomainTest AddressRewriter::local_test() {
  return [this](std::string_view domain) { return is_local(domain); };
}

// trivial-rewrite's "local" context (ADDRESS_REWRITING_README "Rewrite addresses to
// standard form"): "user" becomes user@$myorigin (append_at_myorigin), "user@host"
// becomes user@host.$mydomain with append_dot_mydomain. The "remote" context appends
// remote_header_rewrite_domain in both places (postconf(5): "append the specified domain
// name to incomplete addresses").
std::string AddressRewriter::complete(std::string_view given, HeaderContext context) const {
  if (given.empty()) return {};
  // rewrite.c strips a trailing dot from the domain first: "user@host." is user@host.
  std::string stripped = resolve::strip_trailing_dot(given);
  std::string_view address = stripped;
  bool remote = context == HeaderContext::kRemote;
  const std::string& origin = remote ? remote_domain_ : myorigin_;
  const std::string& domain = remote ? remote_domain_ : mydomain_;
  resolve::AddressParts parts = resolve::split_address(address, false);
  if (address.find('@') == std::string_view::npos || parts.domain.empty()) {
    if (origin.empty()) return std::string(address);
    return parts.local + "@" + origin;
  }
  if (append_dot_mydomain_ && !domain.empty() && parts.domain.find('.') == std::string::npos &&
      parts.domain.front() != '[')
    return parts.local + "@" + parts.domain + "." + domain;
  return std::string(address);
}

// cleanup_map11.c: one-to-one, repeated while the result changes (at most 100 times);
// a multi-valued entry uses its first address.
Result<std::string> AddressRewriter::map11(AddressTable& table, std::string address) {
  if (table.empty()) return address;
  for (int count = 0; count < 100; ++count) {
    auto mapped = table.map(address, delimiter_, local_test(), propagate_canonical_, completion());
    if (!mapped) return mapped.error();
    if (!*mapped || (*mapped)->empty()) return address;
    std::string next = (*mapped)->front();
    bool self = base::iequals(next, address);
    address = std::move(next);
    if (self) return address;
  }
  return address;  // Postfix warns "unreasonable map nesting" and keeps the last result
}

Result<std::string> AddressRewriter::canonical(std::string address, bool sender, bool header) {
  auto in = [&](const AddressClasses& c) {
    return header ? (sender ? c.header_sender : c.header_recipient)
                  : (sender ? c.envelope_sender : c.envelope_recipient);
  };
  // cleanup_addr.c: the sender_ or recipient_ table first, then canonical_maps, each
  // where its classes say.
  if (in(sender ? sender_canonical_classes_ : recipient_canonical_classes_)) {
    auto first = map11(sender ? sender_canonical_ : recipient_canonical_, std::move(address));
    if (!first) return first.error();
    address = std::move(*first);
  }
  if (in(canonical_classes_)) {
    auto second = map11(canonical_, std::move(address));
    if (!second) return second.error();
    address = std::move(*second);
  }
  if (in(masquerade_classes_) && masquerade_) address = masquerade_->apply(address);
  return address;
}

Result<std::string> AddressRewriter::sender(std::string_view address) {
  if (address.empty()) return std::string();  // <> is never rewritten
  return canonical(complete(address), true, false);
}

Result<std::vector<std::string>> AddressRewriter::as_recipients(
    const std::vector<std::string>& addresses) {
  std::vector<std::string> out;
  for (const auto& a : addresses) {
    auto one = recipient(a);
    if (!one) return one.error();
    if (!one->limit_error.empty()) return Error{one->limit_error};
    out.insert(out.end(), one->addresses.begin(), one->addresses.end());
  }
  return out;
}

Result<std::vector<std::string>> AddressRewriter::sender_copies(std::string_view sender) {
  std::vector<std::string> wanted = always_bcc_;
  if (!sender.empty() && !sender_bcc_.empty()) {
    auto found = sender_bcc_.map(sender, delimiter_, local_test(), false, completion());
    if (!found) return found.error();
    if (*found) wanted.insert(wanted.end(), (*found)->begin(), (*found)->end());
  }
  return as_recipients(wanted);
}

Result<RecipientRewrite> AddressRewriter::recipient(std::string_view address) {
  RecipientRewrite out;
  auto rewritten = canonical(complete(address), false, false);
  if (!rewritten) return rewritten.error();
  auto expanded = expand_virtual_alias(virtual_, *rewritten, delimiter_, local_test(),
                                       propagate_virtual_, limits_, completion());
  if (!expanded) return Error{expanded.error().message};
  out.addresses = std::move(expanded->addresses);
  out.virtual_match = expanded->matched;
  out.limit_error = std::move(expanded->limit_error);
  if (!recipient_bcc_.empty()) {
    // cleanup_addr_recipient(): looked up with the canonical address, before aliasing.
    auto found = recipient_bcc_.map(*rewritten, delimiter_, local_test(), false, completion());
    if (!found) return found.error();
    if (*found) {
      auto copies = as_recipients(**found);
      if (!copies) return copies.error();
      out.copies = std::move(*copies);
    }
  }
  return out;
}

Result<std::string> AddressRewriter::header(std::string_view header, HeaderContext context) {
  size_t colon = header.find(':');
  if (colon == std::string_view::npos) return std::string(header);
  HeaderKind kind = header_kind(base::trim(header.substr(0, colon)));
  if (kind == HeaderKind::kNone) return std::string(header);
  bool sender = kind == HeaderKind::kSender;
  std::optional<Error> failed;
  std::string value = rewrite_address_list(header.substr(colon + 1), [&](const std::string& a) {
    if (failed) return a;
    auto r = canonical(complete(a, context), sender, true);
    if (!r) {
      failed = r.error();
      return a;
    }
    return *r;
  });
  if (failed) return *failed;
  return std::string(header.substr(0, colon + 1)) + value;
}

}  // namespace correio::cleanup
