// One delivery request from the queue file to the list of servers: content checks, generic
// rewriting, nexthop, TLS policy, the cached session, DNS, MTA-STS (see delivery.hpp).
#include "delivery/smtp/delivery.hpp"

#include <fmt/format.h>

#include "base/strings.hpp"
#include "delivery/log_line.hpp"
#include "delivery/smtp/content_checks.hpp"
#include "delivery/smtp/host_lookup.hpp"
#include "delivery/smtp/mail_loop.hpp"
#include "io/deadline.hpp"
#include "smtp/address.hpp"

namespace correio::delivery::smtp_agent {
namespace {

DeliveryStatus status_of(Verdict v) {
  return v == Verdict::sent      ? DeliveryStatus::sent
         : v == Verdict::bounced ? DeliveryStatus::bounced
                                 : DeliveryStatus::deferred;
}

// RFC 3461 §4.1 NOTIFY from the queue's bits (queue/envelope.hpp: 1 success, 2 failure,
// 4 delay, 8 never).
std::string notify_text(uint8_t bits) {
  if (bits & 8) return "NEVER";
  std::vector<std::string> words;
  if (bits & 1) words.emplace_back("SUCCESS");
  if (bits & 2) words.emplace_back("FAILURE");
  if (bits & 4) words.emplace_back("DELAY");
  return base::join(words, ",");
}

}  // namespace

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Delivery::Delivery(const DeliveryRequest& request, AgentContext& context)
    : request_(request), context_(context), start_us_(now_us()) {
  results_.resize(request.recipients.size());
  done_.resize(request.recipients.size());
  held_.resize(request.recipients.size());
  for (size_t i = 0; i < request.recipients.size(); ++i) pending_.push_back(i);
}

void Delivery::finish(size_t i, const Outcome& o, const std::string& relay,
                      const std::string& host) {
  if (done_[i]) return;
  done_[i] = true;
  const RequestRecipient& rcpt = request_.recipients[i];
  RecipientResult r{rcpt.offset, status_of(o.verdict), o.dsn, o.text};
  // qmgr's negative concurrency feedback (SCHEDULER_README): only when no server of the
  // nexthop got past the connection, greeting, EHLO and TLS handshake; a 4xx to MAIL,
  // RCPT or DATA says the site is up (docs/admin-guide.md "Politeness").
  r.site_failure = o.verdict == Verdict::deferred && o.try_next_host && !reached_;
  // Cut short by the request's time limit: the reason comes first.
  if (time_up_ && o.verdict != Verdict::sent)
    r.text = fmt::format("delivery time limit exceeded ({}s): {}",
                         context_.settings.request_time_limit.count(), o.text);
  if (!o.diagnostic.empty()) {
    r.remote_mta = host;
    r.diagnostic = "smtp; " + o.diagnostic;
  }
  RecipientLogLine line;
  line.queue_id = request_.queue_id;
  line.to = rcpt.address;
  line.orig_to = rcpt.original;
  line.relay = relay;
  line.times = {request_.arrival_us, request_.active_us, start_us_,
                connected_us_ ? connected_us_ : start_us_, now_us()};
  line.dsn = r.dsn;
  line.status = r.status;
  line.text = r.text;
  context_.log.info("{}", format_recipient_log(line));
  results_[i] = std::move(r);
}

void Delivery::finish_pending(const Outcome& o, const std::string& relay, const std::string& host) {
  for (size_t i : pending_) finish(i, o, relay, host);
  pending_.clear();
}

void Delivery::note_failure(const Outcome& o) {
  last_failure_ = o;
  last_failure_order_ = ++failures_seen_;
}

void Delivery::finish_open() {
  for (size_t i : pending_) {
    const std::optional<Held>& held = held_[i];
    if (held && held->order > last_failure_order_)
      finish(i, held->outcome, held->relay, held->host);
    else
      finish(i, last_failure_, last_relay_, last_host_);
  }
  pending_.clear();
}

asio::awaitable<void> Delivery::time_limit(std::chrono::steady_clock::time_point deadline) {
  co_await io::watchdog(deadline);
  if (std::chrono::steady_clock::now() >= deadline) time_up_ = true;
}
void Delivery::time_limit_exceeded() {
  Outcome o{Verdict::deferred, "4.4.2",
            fmt::format("delivery time limit exceeded ({}s) while talking to {} -- message "
                        "may be sent more than once",
                        context_.settings.request_time_limit.count(), last_relay_),
            "", false};
  finish_pending(o, last_relay_, last_host_);
}

Result<smtp::ClientOptions> Delivery::client_options(const std::string& host,
                                                     const std::string& relay,
                                                     const DaneDecision* dane) const {
  smtp::ClientOptions options = context_.settings.client;
  TlsPolicyEntry entry = tls_policy_;
  if (dane) entry.level = dane->level;
  options.tls = entry.level;
  if (options.tls == smtp::TlsLevel::none) return options;
  auto check = peer_check(context_.settings.tls, entry, host, nexthop_.host, via_mx_ && mx_secure_);
  if (!check) return check.error();
  options.peer = std::move(*check);
  options.peer.sessions = context_.sessions.get();
  if (dane && !dane->check.records.empty()) {
    // RFC 7672 §8.1: SNI names the TLSA base domain.
    options.peer.dane = dane->check;
    options.peer.sni = dane->check.names.front();
  }
  // A DANE session is resumed only under the same TLSA records (tls::dane_session_key).
  options.peer.session_key = fmt::format(
      "{}|{}|{}|{}|{}", relay, options.peer.sni, options.peer.policy.protocols.describe(),
      options.peer.policy.cipher_list,
      options.peer.dane.records.empty() ? "" : tls::dane_session_key(options.peer.dane));
  return options;
}

void Delivery::log_tls(const smtp::ClientSession& client, const std::string& relay) const {
  const auto& peer = client.peer();
  if (!peer) return;
  int loglevel = context_.settings.tls_loglevel;
  // Postfix's tls_client_start(): verification problems are logged whenever the level
  // depends on them, otherwise from smtp_tls_loglevel 1.
  bool must_match = tls_policy_.level >= smtp::TlsLevel::verify;
  if (!peer->problem.empty() && (must_match || loglevel >= 1))
    context_.log.info("server certificate verification failed for {}: {}", relay, peer->problem);
  if (peer->reused && loglevel >= 2) context_.log.info("{}: Reusing old session", relay);
  if (loglevel >= 1)
    context_.log.info("{} TLS connection established to {}: {}", peer->grade(), relay,
                      client.tls_description());
}

asio::awaitable<std::optional<Outcome>> Delivery::authenticate(smtp::ClientSession& client,
                                                               const dns::MailHost& host) {
  const SaslSettings& s = context_.settings.sasl;
  if (!s.passwords || client.features().auth.empty()) co_return std::nullopt;
  CredentialKeys keys{request_.sender, nexthop_text_, nexthop_.host, !nexthop_.use_mx, host.name};
  auto credentials = find_credentials(s, keys);
  if (!credentials)
    co_return Outcome{Verdict::deferred, "4.3.0", credentials.error().message, "", false};
  // No entry for this server: send without AUTH, as Postfix does.
  if (!*credentials) co_return std::nullopt;
  const smtp::SaslRules& rules = client.tls_description().empty() ? s.plain_rules : s.tls_rules;
  co_return co_await client.authenticate((*credentials)->user, (*credentials)->password, rules);
}

smtp::Transaction Delivery::transaction(const queue::QueueFile& file, size_t first,
                                        size_t last) const {
  const auto& envelope = file.envelope;
  smtp::Transaction t;
  t.sender = sender_.value_or(request_.sender);
  t.content = file.content_bytes;
  t.mail.size = file.content_bytes.size();
  t.mail.eight_bit = smtp::has_8bit(file.content_bytes);
  // RFC 6531 §3.2: an address with UTF-8 can only travel with SMTPUTF8.
  t.mail.smtputf8 = smtp::has_8bit(t.sender);
  t.mail.ret = envelope.dsn_ret == queue::DsnRet::full   ? "FULL"
               : envelope.dsn_ret == queue::DsnRet::hdrs ? "HDRS"
                                                         : "";
  t.mail.envid = envelope.dsn_envid;
  for (size_t k = first; k < last; ++k) {
    const RequestRecipient& r = request_.recipients[pending_[k]];
    const std::string& address = recipients_.empty() ? r.address : recipients_[pending_[k]];
    t.mail.smtputf8 = t.mail.smtputf8 || smtp::has_8bit(address);
    t.recipients.push_back({address, {notify_text(r.notify), r.orcpt}});
  }
  return t;
}

asio::awaitable<std::optional<Outcome>> Delivery::apply_mta_sts(dns::MailHosts& hosts) {
  const AgentSettings& s = context_.settings;
  if (!s.mta_sts || !nexthop_.use_mx || !context_.tls || !lookup_) co_return std::nullopt;
  StsDelivery sts{nexthop_.host, request_.queue_id, mx_secure_, s.tls_loglevel,
                  s.client.timeouts.connect};
  auto refused = co_await enforce_mta_sts(context_.sts, context_.executor, *lookup_, *context_.tls,
                                          context_.log, sts, hosts.hosts, tls_policy_);
  if (!refused) co_return std::nullopt;
  co_return Outcome{Verdict::deferred, "4.7.5", *refused, "", false};
}

asio::awaitable<std::optional<Outcome>> Delivery::decide_dane(const dns::MailHost& host,
                                                              DaneDecision& decision) {
  const AgentSettings& s = context_.settings;
  DaneInputs in{tls_policy_.dane,
                s.resolver.dnssec && s.host_dns,
                via_mx_,
                mx_secure_,
                s.dane_insecure_mx,
                nexthop_.host,
                nexthop_.port,
                s.ipv4,
                s.ipv6,
                s.tls.force_insecure_host_tlsa,
                s.tls.dane_digests};
  decision = co_await dane_for_host(*lookup_, in, host.name);
  if (!decision.warning.empty()) context_.log.warning("{}", decision.warning);
  if (!decision.note.empty() && s.tls_loglevel >= 2)
    context_.log.info("{}: {}: {}", request_.queue_id, host.name, decision.note);
  if (decision.defer) co_return Outcome{Verdict::deferred, "4.7.5", *decision.defer, "", true};
  co_return std::nullopt;
}

// Postfix's smtp_map11_internal() on the envelope and smtp_header_rewrite() on the
// headers; the delivery log keeps the queued addresses.
Status Delivery::apply_generic(cleanup::GenericMaps& generic, queue::QueueFile& file) {
  auto sender = generic.address(request_.sender);
  if (!sender) return Error{"smtp_generic_maps lookup error: " + sender.error().message};
  sender_ = std::move(*sender);
  for (const auto& r : request_.recipients) {
    auto mapped = generic.address(r.address);
    if (!mapped) return Error{"smtp_generic_maps lookup error: " + mapped.error().message};
    recipients_.push_back(std::move(*mapped));
  }
  auto content = generic.content(file.content_bytes);
  if (!content) return Error{"smtp_generic_maps lookup error: " + content.error().message};
  file.content_bytes = std::move(*content);
  return {};
}

asio::awaitable<void> Delivery::run() {
  const AgentSettings& s = context_.settings;
  auto file = queue::read_queue_file(request_.queue_file, /*with_content=*/true);
  if (!file) {
    finish_pending(
        {Verdict::deferred, "4.3.0", "cannot read queue file: " + file.error().message, "", false},
        "none", "");
    co_return;
  }
  if (!s.tls.refused.empty()) {
    finish_pending({Verdict::deferred, "4.7.5", s.tls.refused, "", false}, "none", "");
    co_return;
  }
  // Postfix's smtp(8) inspects the content as it was queued, before generic rewriting.
  if (s.checks) {
    auto inspected = inspect_outgoing(*s.checks, file->content_bytes, request_.queue_id,
                                      request_.sender, context_.log);
    if (!inspected) {
      finish_pending({Verdict::deferred, "4.3.5", inspected.error().message, "", false}, "none",
                     "");
      co_return;
    }
    file->content_bytes = std::move(*inspected);
  }
  if (s.generic) {
    if (Status mapped = apply_generic(*s.generic, *file); !mapped) {
      finish_pending({Verdict::deferred, "4.3.0", mapped.error().message, "", false}, "none", "");
      co_return;
    }
  }
  std::string target = request_.nexthop;
  if (target.empty()) target = smtp::domain_of(request_.recipients.front().address);
  auto nexthop = s.lmtp ? parse_lmtp_nexthop(target, s.default_port) : parse_nexthop(target);
  if (!nexthop) {
    finish_pending({Verdict::deferred, "4.3.5",
                    "mail system configuration error: " + nexthop.error().message, "", false},
                   "none", "");
    co_return;
  }
  nexthop_text_ = target;
  nexthop_ = *nexthop;
  // smtp_tls_policy_maps: one policy for every server of this nexthop.
  auto policy = policy_for(s.tls, nexthop_text_);
  if (!policy) {
    context_.log.warning("{}: {}", request_.queue_id, policy.error().message);
    finish_pending({Verdict::deferred, "4.7.5", "client TLS configuration problem", "", false},
                   "none", "");
    co_return;
  }
  tls_policy_ = std::move(*policy);
  // A session kept from an earlier request to this nexthop goes first, if it still
  // answers RSET; what it cannot take goes the long way below.
  // Postfix keys its connection cache by sender too when credentials depend on the sender:
  // a session authenticated for one sender never carries another's mail.
  cache_key_ = s.sasl.sender_dependent ? request_.sender + " " + nexthop_text_ : nexthop_text_;
  if (auto kept = context_.cache->take(cache_key_)) {
    if (co_await kept->client->reset()) {
      reached_ = true;
      ++sessions_;
      co_await send_batches(*kept, *file);
      if (kept->client->usable()) context_.cache->put(cache_key_, std::move(kept));
    }
    if (pending_.empty()) co_return;
  }
  if (!nexthop_.unix_path.empty()) {
    co_await try_unix(*file);
    finish_open();
    co_return;
  }
  auto lookup = context_.lookups.get(context_.executor, s.resolver);
  if (!lookup) {
    finish_pending(
        {Verdict::deferred, "4.3.0", "DNS resolver: " + lookup.error().message, "", false}, "none",
        "");
    co_return;
  }
  dns::HostLookupOptions options{nexthop->use_mx && s.dns_lookups, s.ipv4, s.ipv6, s.host_dns,
                                 context_.native.get()};
  lookup_ = *lookup;
  dns::MailHosts hosts =
      co_await dns::mail_hosts(**lookup, nexthop->host, options, context_.random);
  via_mx_ = hosts.via_mx;
  mx_secure_ = hosts.mx_secure;
  // Postfix's SMTP_MISC_FLAG_LOOP_DETECT: SMTP to port 25, where this host listens too.
  if (hosts.outcome == dns::Outcome::found && !s.lmtp && nexthop->port == 25) {
    loop_detect_ = true;
    if (auto loop = drop_own_hosts(hosts, s.own_addresses, nexthop->host)) {
      finish_pending(*loop, "none", "");
      co_return;
    }
    for (const auto& host : hosts.hosts)
      best_preference_ = std::min(best_preference_, host.preference);
  }
  if (hosts.outcome == dns::Outcome::found) {
    if (auto refused = co_await apply_mta_sts(hosts)) {
      finish_pending(*refused, "none", "");
      co_return;
    }
  }
  if (hosts.outcome != dns::Outcome::found) {
    Verdict v = hosts.outcome == dns::Outcome::temporary ? Verdict::deferred : Verdict::bounced;
    finish_pending({v, hosts.dsn, hosts.reason, "", false}, "none", "");
    co_return;
  }
  co_await try_servers(hosts, nexthop->port, *file);
}

}  // namespace correio::delivery::smtp_agent
