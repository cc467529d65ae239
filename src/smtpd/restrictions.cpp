// The restriction engine (restrictions.hpp): parsing and validating the lists and
// classes at start-up, opening their tables, and running the lists for each SMTP event.
// The restrictions themselves are in access/.
#include "smtpd/restrictions.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "base/strings.hpp"
#include "resolve/domain_list.hpp"
#include "smtpd/access/checks.hpp"

namespace correio::smtpd {

using access::Evaluation;
using access::Restriction;
using access::Stage;
using access::Verdict;

namespace {

constexpr const char* kListParameters[access::kStages] = {
    "smtpd_client_restrictions",      "smtpd_helo_restrictions",      "smtpd_sender_restrictions",
    "smtpd_relay_restrictions",       "smtpd_recipient_restrictions", "smtpd_data_restrictions",
    "smtpd_end_of_data_restrictions", "smtpd_etrn_restrictions"};

// Postfix stops nested classes and table results at this depth ("too many levels").
constexpr int kMaxDepth = 100;

bool relay_control(std::string_view name) {
  return name == "reject_unauth_destination" || name == "defer_unauth_destination" ||
         name == "reject" || name == "defer";
}

}  // namespace

Restrictions::Options restriction_options(const config::Config& c, resolve::Resolver* resolver) {
  Restrictions::Options r;
  for (int i = 0; i < access::kStages; ++i) r.lists[i] = c.get(kListParameters[i]);
  for (const std::string& name : c.get_list("smtpd_restriction_classes"))
    r.classes.emplace_back(base::to_lower(name), c.get(name));
  r.delay_reject = c.get_bool("smtpd_delay_reject");
  if (auto nets = ClientNetworks::parse(c.get("mynetworks"))) r.mynetworks = *nets;
  r.resolver = resolver;
  r.sender_login_maps = c.get("smtpd_sender_login_maps");
  r.smtputf8_enable = c.get_bool("smtputf8_enable");
  auto code = [&](const char* name) { return static_cast<int>(c.get_int(name)); };
  r.codes.reject = code("reject_code");
  r.codes.defer = code("defer_code");
  r.codes.access_map_reject = code("access_map_reject_code");
  r.codes.access_map_defer = code("access_map_defer_code");
  r.codes.relay_domains_reject = code("relay_domains_reject_code");
  r.codes.non_fqdn_reject = code("non_fqdn_reject_code");
  r.codes.invalid_hostname_reject = code("invalid_hostname_reject_code");
  r.codes.unknown_hostname_reject = code("unknown_hostname_reject_code");
  r.codes.unknown_address_reject = code("unknown_address_reject_code");
  r.codes.unknown_client_reject = code("unknown_client_reject_code");
  r.codes.maps_rbl_reject = code("maps_rbl_reject_code");
  r.recipient_delimiter = c.get("recipient_delimiter");
  r.null_access_key = c.get("smtpd_null_access_lookup_key");
  r.parent_style =
      resolve::parent_style(c.get("parent_domain_matches_subdomains"), "smtpd_access_maps");
  r.dns.servers = c.get_list("dns_resolver_servers");
  r.dns.time_limit = c.get_time("dns_resolver_timeout");
  // A template: its $rbl_* names are expanded per rejection, not by the configuration.
  r.default_rbl_reply = c.raw("default_rbl_reply").value_or("");
  r.rbl_reply_maps = c.get("rbl_reply_maps");
  r.reject_unlisted_sender = c.get_bool("smtpd_reject_unlisted_sender");
  r.queue_directory = c.get("queue_directory");
  r.policy.timeout = c.get_time("smtpd_policy_service_timeout");
  r.policy.try_limit = static_cast<int>(c.get_int("smtpd_policy_service_try_limit"));
  r.policy.retry_delay = c.get_time("smtpd_policy_service_retry_delay");
  r.policy.default_action = c.get("smtpd_policy_service_default_action");
  r.policy.context = c.get("smtpd_policy_service_policy_context");
  r.policy.max_idle = c.get_time("smtpd_policy_service_max_idle");
  r.policy.max_ttl = c.get_time("smtpd_policy_service_max_ttl");
  r.policy.request_limit =
      static_cast<int>(std::max<long long>(0, c.get_int("smtpd_policy_service_request_limit")));
  return r;
}

Restrictions::Restrictions(Options options, base::Logger& log)
    : options_(std::move(options)), log_(log) {
  if (Status s = parse_all(); !s) error_ = s.error().message;
  if (error_) log_.warning("{}", *error_);
}

Restrictions::~Restrictions() = default;

Status Restrictions::open_tables(const std::vector<Restriction>& list) {
  for (const Restriction& r : list) {
    const access::Check* check = access::find_check(r.name);
    if (!check || !check->opens_table || tables_.contains(r.argument)) continue;
    auto table =
        access::AccessTable::open(r.argument, maps::daemon_map_options(options_.smtputf8_enable));
    if (!table) return Error{r.name + " " + r.argument + ": " + table.error().message};
    tables_.emplace(r.argument, std::move(*table));
  }
  return {};
}

Status Restrictions::parse_all() {
  for (const auto& [name, text] : options_.classes) {
    auto parsed = access::parse_restriction_list(text);
    if (!parsed) return Error{name + ": " + parsed.error().message};
    classes_[name] = std::move(*parsed);
  }
  // Every name must be a restriction or a class: Postfix refuses unknown ones at the
  // first use; Correio says so at start-up too.
  auto validate = [&](std::string_view parameter, const std::vector<Restriction>& list) -> Status {
    for (const Restriction& r : list)
      if (!access::find_check(r.name) && !classes_.contains(r.name))
        return Error{fmt::format("{}: unknown smtpd restriction: \"{}\"", parameter, r.text)};
    Status opened = open_tables(list);
    if (!opened) return Error{fmt::format("{}: {}", parameter, opened.error().message)};
    return opened;
  };
  for (const auto& [name, list] : classes_)
    if (Status s = validate(name, list); !s) return s;
  for (int i = 0; i < access::kStages; ++i) {
    auto parsed = access::parse_restriction_list(options_.lists[i]);
    if (!parsed) return Error{std::string(kListParameters[i]) + ": " + parsed.error().message};
    lists_[i] = std::move(*parsed);
    if (Status s = validate(kListParameters[i], lists_[i]); !s) return s;
  }
  // Postfix refuses to run as an open relay by mistake: one of the two lists must end
  // relaying for strangers.
  bool guarded = false;
  for (Stage stage : {Stage::relay, Stage::recipient})
    for (const Restriction& r : lists_[static_cast<int>(stage)])
      if (relay_control(r.name)) guarded = true;
  if (!guarded)
    return Error{
        "in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, specify at "
        "least one working instance of: reject_unauth_destination, defer_unauth_destination, "
        "reject or defer"};
  if (!options_.sender_login_maps.empty()) {
    auto maps = maps::open_maps(options_.sender_login_maps,
                                maps::daemon_map_options(options_.smtputf8_enable));
    if (!maps) return Error{"smtpd_sender_login_maps: " + maps.error().message};
    login_maps_ = std::move(*maps);
  }
  if (!options_.rbl_reply_maps.empty()) {
    auto maps = maps::open_maps(options_.rbl_reply_maps,
                                maps::daemon_map_options(options_.smtputf8_enable));
    if (!maps) return Error{"rbl_reply_maps: " + maps.error().message};
    rbl_reply_maps_ = std::move(*maps);
  }
  return {};
}

access::AccessTable* Restrictions::table(std::string_view spec) {
  auto found = tables_.find(spec);
  return found == tables_.end() ? nullptr : found->second.get();
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

asio::awaitable<std::optional<smtp::Reply>> Restrictions::check(Event event, const Facts& facts,
                                                                Effects& effects) {
  if (error_) co_return smtp::Reply(451, "4.3.5", "Server configuration error");
  std::vector<Stage> stages;
  bool delay = options_.delay_reject;
  switch (event) {
    case Event::connect:
      if (!delay) stages = {Stage::client};
      break;
    case Event::helo:
      if (!delay) stages = {Stage::helo};
      break;
    case Event::mail:
      if (!delay) stages = {Stage::sender};
      break;
    case Event::rcpt:
      // Postfix's smtpd_check_rcpt(): with smtpd_delay_reject the earlier lists first; the
      // HELO list only once there was a HELO.
      if (delay) stages = {Stage::client, Stage::helo, Stage::sender};
      stages.push_back(Stage::relay);
      stages.push_back(Stage::recipient);
      break;
    case Event::data:
      stages = {Stage::data};
      break;
    case Event::end_of_data:
      stages = {Stage::end_of_data};
      break;
    case Event::etrn:
      // Postfix's smtpd_check_etrn(): with smtpd_delay_reject the client and HELO lists
      // run first, as they would at RCPT TO; then smtpd_etrn_restrictions.
      if (delay) stages = {Stage::client, Stage::helo};
      stages.push_back(Stage::etrn);
      break;
  }
  Evaluation ev(*this, facts, effects);
  if (event == Event::rcpt) {
    for (auto* pending : {&effects.pending_client, &effects.pending_helo, &effects.pending_sender})
      if (*pending && !ev.defer_if_permit) ev.defer_if_permit = *pending;
  }
  for (Stage stage : stages) {
    if (stage == Stage::helo && facts.helo.empty()) continue;
    ev.stage = stage;
    Verdict verdict = co_await run_stage(ev, stage);
    if (verdict == Verdict::reject) co_return ev.reply;
  }
  // postconf(5) smtpd_reject_unlisted_sender: as if reject_unlisted_sender ended the
  // sender restrictions, checked with each recipient.
  if (event == Event::rcpt && options_.reject_unlisted_sender && !facts.sender.empty()) {
    ev.stage = Stage::sender;
    const Restriction unlisted{"reject_unlisted_sender", "", "smtpd_reject_unlisted_sender"};
    if (access::check_unlisted(ev, unlisted) == Verdict::reject) co_return ev.reply;
  }
  // Before RCPT TO (smtpd_delay_reject = no), a DEFER_IF_PERMIT waits for the recipient.
  if (event == Event::connect) effects.pending_client = ev.defer_if_permit;
  if (event == Event::helo) effects.pending_helo = ev.defer_if_permit;
  if (event == Event::mail) effects.pending_sender = ev.defer_if_permit;
  if (event == Event::connect || event == Event::helo || event == Event::mail)
    co_return std::nullopt;
  // access(5) DEFER_IF_PERMIT: the check passed, so the pending deferral applies.
  if (ev.defer_if_permit) {
    const smtp::Reply& r = *ev.defer_if_permit;
    ev.log("reject", fmt::format("{} {} {}", r.code, r.enhanced, r.lines.front()));
    co_return r;
  }
  co_return std::nullopt;
}

asio::awaitable<Verdict> Restrictions::run_stage(Evaluation& ev, Stage stage) {
  const std::vector<Restriction>& list = lists_[static_cast<int>(stage)];
  co_return co_await run_list(ev, list);
}

asio::awaitable<Verdict> Restrictions::run_list(Evaluation& ev,
                                                const std::vector<Restriction>& list) {
  if (ev.depth >= kMaxDepth)
    co_return ev.configuration_error("too many levels of restriction class or table nesting");
  ++ev.depth;
  Verdict verdict = Verdict::dunno;
  for (const Restriction& r : list) {
    if (const access::Check* check = access::find_check(r.name)) {
      if (check->sync)
        verdict = check->sync(ev, r);
      else
        verdict = co_await check->async(ev, r);
    } else if (auto cls = classes_.find(r.name); cls != classes_.end()) {
      const std::vector<Restriction>& class_list = cls->second;
      verdict = co_await run_list(ev, class_list);
    } else {
      verdict = ev.configuration_error(fmt::format("unknown smtpd restriction: \"{}\"", r.text));
    }
    // postconf(5) warn_if_reject changes the meaning of the next restriction only.
    if (r.name != "warn_if_reject" && ev.warn_if_reject >= ev.depth) ev.warn_if_reject = 0;
    if (verdict != Verdict::dunno) break;
  }
  --ev.depth;
  co_return verdict;
}

asio::awaitable<Verdict> Restrictions::run_text(Evaluation& ev, std::string_view text) {
  auto parsed = access::parse_restriction_list(text);
  if (!parsed) co_return ev.configuration_error(parsed.error().message);
  const std::vector<Restriction>& list = *parsed;
  co_return co_await run_list(ev, list);
}

}  // namespace correio::smtpd
