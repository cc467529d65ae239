// DNS block and allow lists (postconf(5) reject_rbl_client, permit_dnswl_client,
// reject_rhsbl_{client,reverse_client,helo,sender,recipient}, permit_rhswl_client), over
// the shared c-ares channel (the MX/NS host tests are in server_access.cpp).
// Replies follow default_rbl_reply / rbl_reply_maps with maps_rbl_reject_code.
#include "smtpd/access/dns_lists.hpp"

#include <fmt/format.h>
#include <sys/socket.h>

#include <asio/execution/context.hpp>
#include <asio/query.hpp>

#include "base/strings.hpp"
#include "dns/shared_lookup.hpp"
#include "smtpd/access/checks.hpp"
#include "smtpd/restrictions.hpp"

namespace correio::smtpd::access {
namespace {

struct Listed {
  std::string name;        // what was looked up: 2.0.0.127.zen.example
  std::string what;        // $rbl_what: the client address or the domain
  std::string_view klass;  // $rbl_class
};

std::string_view domain_of(std::string_view address) {
  size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string_view() : address.substr(at + 1);
}

// What a list restriction looks up; nullopt when there is nothing to look up (no HELO,
// the null sender, an unknown client name).
std::optional<Listed> subject_of(const Evaluation& ev, std::string_view restriction) {
  const Facts& f = ev.facts;
  if (restriction == "reject_rbl_client" || restriction == "permit_dnswl_client") {
    std::string reversed = reversed_address(f.client_address);
    if (reversed.empty()) return std::nullopt;
    return Listed{reversed, std::string(f.client_address), "Client host"};
  }
  std::string_view domain;
  std::string_view klass;
  if (restriction == "reject_rhsbl_client" || restriction == "permit_rhswl_client") {
    domain = f.client_name == "unknown" ? std::string_view() : f.client_name;
    klass = "Client host";
  } else if (restriction == "reject_rhsbl_reverse_client") {
    domain = f.reverse_name == "unknown" ? std::string_view() : f.reverse_name;
    klass = "Unverified Client host";
  } else if (restriction == "reject_rhsbl_helo") {
    domain = f.helo.starts_with('[') ? std::string_view() : f.helo;
    klass = "Helo command";
  } else if (restriction == "reject_rhsbl_sender") {
    domain = domain_of(f.sender);
    klass = "Sender address";
  } else {
    domain = domain_of(f.recipient);
    klass = "Recipient address";
  }
  if (domain.empty()) return std::nullopt;
  std::string name = base::to_lower(domain);
  while (name.ends_with('.')) name.pop_back();
  return Listed{name, name, klass};
}

// The reply for a listing: rbl_reply_maps by list domain, else default_rbl_reply; the
// template starts with the reply code ($rbl_code) and may carry an enhanced status code.
smtp::Reply listing_reply(Evaluation& ev, const DnsListSpec& list, const Listed& listed,
                          std::string_view found) {
  const Restrictions::Options& o = ev.engine.options();
  std::string tmpl = o.default_rbl_reply;
  if (maps::MapList* replies = ev.engine.rbl_reply_maps()) {
    auto value = replies->lookup(list.domain);
    if (value && *value) tmpl = **value;
    if (!value) ev.engine.log().warning("rbl_reply_maps: {}", value.error().message);
  }
  const Facts& f = ev.facts;
  std::map<std::string, std::string> vars = {
      {"rbl_code", std::to_string(o.codes.maps_rbl_reject)},
      {"rbl_class", std::string(listed.klass)},
      {"rbl_what", listed.what},
      {"rbl_domain", list.domain},
      {"rbl_reason", ""},
      {"rbl_txt", ""},
      {"rbl_address", std::string(found)},
      {"client", fmt::format("{}[{}]", f.client_name, f.client_address)},
      {"client_address", std::string(f.client_address)},
      {"client_name", std::string(f.client_name)},
      {"reverse_client_name", std::string(f.reverse_name)},
      {"helo_name", std::string(f.helo)},
      {"sender", std::string(f.sender)},
      {"recipient", std::string(f.recipient)},
  };
  std::string text = expand_template(tmpl, vars);
  int code = o.codes.maps_rbl_reject;
  if (text.size() >= 3 && std::isdigit(static_cast<unsigned char>(text[0]))) {
    if (auto n = base::parse_int(text.substr(0, 3)); n && *n >= 400 && *n < 600)
      code = static_cast<int>(*n);
    text = std::string(base::trim(std::string_view(text).substr(3)));
  }
  std::string enhanced = fmt::format("{}.7.1", code / 100);
  size_t space = text.find(' ');
  std::string_view first = std::string_view(text).substr(0, space);
  if (first.size() >= 5 && first[1] == '.' && first[0] == enhanced[0] &&
      std::isdigit(static_cast<unsigned char>(first[2]))) {
    enhanced = std::string(first);
    text = space == std::string::npos ? std::string() : text.substr(space + 1);
  }
  return smtp::Reply(code, enhanced, text);
}

}  // namespace

asio::awaitable<std::shared_ptr<dns::Lookup>> dns_lookup(Evaluation& ev) {
  auto executor = co_await asio::this_coro::executor;
  auto& shared =
      asio::use_service<dns::SharedLookup>(asio::query(executor, asio::execution::context));
  auto lookup = shared.get(executor, ev.engine.options().dns);
  if (!lookup) {
    ev.engine.log().warning("DNS resolver: {}", lookup.error().message);
    co_return nullptr;
  }
  co_return std::move(*lookup);
}

asio::awaitable<Verdict> check_dns_list(Evaluation& ev, const Restriction& r) {
  auto list = parse_dns_list(r.argument);
  if (!list) co_return ev.configuration_error(r.name + ": " + list.error().message);
  std::optional<Listed> listed = subject_of(ev, r.name);
  if (!listed) co_return Verdict::dunno;
  std::shared_ptr<dns::Lookup> lookup = co_await dns_lookup(ev);
  if (!lookup) co_return Verdict::dunno;
  const std::string query = listed->name + "." + list->domain;
  dns::Answer answer = co_await lookup->addresses_of(query, AF_INET);
  if (answer.outcome == dns::Outcome::temporary) {
    // Postfix: a list that cannot be asked lists nobody (logged).
    ev.engine.log().warning("{}: RBL lookup error: {}", query, answer.error);
    co_return Verdict::dunno;
  }
  std::string hit;
  for (const std::string& address : answer.items)
    if (list->matches(address)) {
      hit = address;
      break;
    }
  if (hit.empty()) co_return Verdict::dunno;
  bool allow = r.name.starts_with("permit_");
  if (allow) {
    ev.log("info", fmt::format("{} listed by {}: PERMIT", listed->what, list->domain));
    co_return Verdict::permit;
  }
  smtp::Reply reply = listing_reply(ev, *list, *listed, hit);
  co_return ev.reject(reply.code, reply.enhanced, reply.lines.front());
}

}  // namespace correio::smtpd::access
