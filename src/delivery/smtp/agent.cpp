// The smtp agent's deliveries: servers by MX, the client dialogue with each until the
// recipients are done, one log line and one result per recipient (see agent.hpp).
#include "delivery/smtp/agent.hpp"

#include <fmt/format.h>

#include <asio/experimental/awaitable_operators.hpp>
#include <chrono>

#include "base/strings.hpp"
#include "delivery/log_line.hpp"
#include "delivery/smtp/content_checks.hpp"
#include "delivery/smtp/host_lookup.hpp"
#include "delivery/smtp/nexthop.hpp"
#include "dns/mail_exchangers.hpp"
#include "io/deadline.hpp"
#include "queue/queue_file_reader.hpp"
#include "smtp/address.hpp"

namespace correio::delivery::smtp_agent {
namespace {

using smtp::Outcome;
using smtp::Verdict;

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

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

// One request's progress: which recipients are still open and how each one ended.
class Delivery {
 public:
  Delivery(const DeliveryRequest& request, AgentContext& context)
      : request_(request), context_(context), start_us_(now_us()) {
    results_.resize(request.recipients.size());
    done_.resize(request.recipients.size());
    for (size_t i = 0; i < request.recipients.size(); ++i) pending_.push_back(i);
  }

  // Ends recipient `i` with `o`; `relay` is "host[addr]:port" or "none". A recipient
  // ends once: its first outcome is the one logged and returned.
  void finish(size_t i, const Outcome& o, const std::string& relay, const std::string& host) {
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

  void finish_pending(const Outcome& o, const std::string& relay, const std::string& host) {
    for (size_t i : pending_) finish(i, o, relay, host);
    pending_.clear();
  }

  asio::awaitable<void> run();
  // Completes at `deadline`, marking the delivery as cut short; or earlier, cancelled,
  // when run() ends first.
  asio::awaitable<void> time_limit(std::chrono::steady_clock::time_point deadline) {
    co_await io::watchdog(deadline);
    if (std::chrono::steady_clock::now() >= deadline) time_up_ = true;
  }
  // The request's time limit passed while run() was still busy: what is open is
  // deferred (and may have reached the server: the reply was not heard).
  void time_limit_exceeded() {
    Outcome o{Verdict::deferred, "4.4.2",
              fmt::format("delivery time limit exceeded ({}s) while talking to {} -- message "
                          "may be sent more than once",
                          context_.settings.request_time_limit.count(), last_relay_),
              "", false};
    finish_pending(o, last_relay_, last_host_);
  }
  std::vector<RecipientResult> take() { return std::move(results_); }

 private:
  // One server address: connect, open, send the pending recipients in batches.
  asio::awaitable<void> try_address(const dns::MailHost& host, const std::string& address,
                                    unsigned short port, const queue::QueueFile& file);
  asio::awaitable<std::optional<Outcome>> session(const dns::MailHost& host,
                                                  const std::string& address, unsigned short port,
                                                  const queue::QueueFile& file, bool allow_tls,
                                                  bool& tls_failed);
  // The dialogue on a connected socket: open, AUTH, the batches, then the cache.
  asio::awaitable<std::optional<Outcome>> converse(std::unique_ptr<CachedSession> kept,
                                                   const queue::QueueFile& file, bool allow_tls,
                                                   bool& tls_failed);
  // LMTP to a UNIX-domain socket (lmtp(8) "unix:PATH").
  asio::awaitable<void> try_unix(const queue::QueueFile& file);
  smtp::Transaction transaction(const queue::QueueFile& file, size_t first, size_t last) const;
  // smtp_generic_maps: the sender, recipients and header addresses as they go out.
  Status apply_generic(cleanup::GenericMaps& generic, queue::QueueFile& file);
  // Sends the open recipients over `session`, in batches.
  asio::awaitable<void> send_batches(CachedSession& session, const queue::QueueFile& file);
  // SMTP AUTH when smtp_sasl_password_maps has credentials for this server.
  asio::awaitable<std::optional<Outcome>> authenticate(smtp::ClientSession& client,
                                                       const dns::MailHost& host);

  // The ClientOptions of a connection to `host` under this nexthop's TLS policy (and, at
  // the dane levels, `dane`'s decision for the host).
  Result<smtp::ClientOptions> client_options(const std::string& host, const std::string& relay,
                                             const DaneDecision* dane = nullptr) const;
  // MTA-STS (RFC 8461) when enabled: at enforce, only the MX hosts the policy names, each
  // at level verify by its host name; a deferral when none is left.
  asio::awaitable<std::optional<Outcome>> apply_mta_sts(dns::MailHosts& hosts);
  // The dane levels: the host's DANE decision (dane.hpp); a deferral when it has one.
  asio::awaitable<std::optional<Outcome>> decide_dane(const dns::MailHost& host,
                                                      DaneDecision& decision);
  // Postfix's TLS log lines once the handshake is done.
  void log_tls(const smtp::ClientSession& client, const std::string& relay) const;

  const DeliveryRequest& request_;
  AgentContext& context_;
  int64_t start_us_ = 0;
  int64_t connected_us_ = 0;
  std::vector<RecipientResult> results_;
  std::vector<bool> done_;       // finish() was called for this recipient
  bool time_up_ = false;         // the request's time limit passed
  bool reached_ = false;         // a server got past greeting, EHLO and TLS (no site failure)
  std::vector<size_t> pending_;  // indices into request_.recipients, in order
  Outcome last_failure_;         // why the open recipients are still open
  std::string last_relay_ = "none";
  std::string last_host_;
  std::string nexthop_text_;           // as qmgr sent it, "[smtp.example]:587"
  std::string cache_key_;              // the nexthop, with the sender when credentials depend on it
  std::optional<std::string> sender_;  // after smtp_generic_maps, when it applies
  std::vector<std::string> recipients_;  // likewise, by request index; empty: as queued
  Nexthop nexthop_;
  TlsPolicyEntry tls_policy_;
  std::shared_ptr<dns::Lookup> lookup_;      // the resolver channel of this delivery
  bool via_mx_ = false, mx_secure_ = false;  // how the hosts were found (for DANE)
};

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

asio::awaitable<std::optional<Outcome>> Delivery::session(const dns::MailHost& host,
                                                          const std::string& address,
                                                          unsigned short port,
                                                          const queue::QueueFile& file,
                                                          bool allow_tls, bool& tls_failed) {
  const AgentSettings& s = context_.settings;
  std::string label = fmt::format("{}[{}]", host.name, address);
  std::string relay = fmt::format("{}:{}", label, port);
  DaneDecision dane;
  bool use_dane = tls_policy_.dane != DaneMode::off && lookup_;
  if (use_dane) {
    if (auto deferred = co_await decide_dane(host, dane)) co_return deferred;
  }
  // A policy entry whose protocols or ciphers do not parse: no connection at all.
  auto options = client_options(host.name, relay, use_dane ? &dane : nullptr);
  if (!options) {
    context_.log.warning("{}: TLS policy for {}: {}", request_.queue_id, nexthop_text_,
                         options.error().message);
    co_return Outcome{Verdict::deferred, "4.7.5", "client TLS configuration problem", "", false};
  }
  bool v6 = address.find(':') != std::string::npos;
  auto socket = co_await smtp::connect_to(context_.executor, address, port,
                                          v6 ? s.bind_address6 : s.bind_address,
                                          s.client.timeouts.connect, label);
  if (!socket) co_return Outcome{Verdict::deferred, "4.4.1", socket.error().message, "", true};
  connected_us_ = now_us();
  auto kept = std::make_unique<CachedSession>();
  kept->connection = std::make_unique<io::Connection>(std::move(*socket));
  kept->client =
      std::make_unique<smtp::ClientSession>(*kept->connection, label, std::move(*options));
  kept->relay = relay;
  kept->host = host.name;
  co_return co_await converse(std::move(kept), file, allow_tls, tls_failed);
}

asio::awaitable<void> Delivery::try_unix(const queue::QueueFile& file) {
  const AgentSettings& s = context_.settings;
  std::string path = nexthop_.unix_path;
  if (!path.starts_with('/')) path = s.queue_directory + "/" + path;
  // Postfix logs a UNIX-domain server as "myhostname[private/dovecot-lmtp]", no port.
  std::string label = fmt::format("{}[{}]", s.myhostname, nexthop_.unix_path);
  auto socket =
      co_await smtp::connect_unix(context_.executor, path, s.client.timeouts.connect, label);
  if (!socket) {
    last_failure_ = {Verdict::deferred, "4.4.1", socket.error().message, "", true};
    co_return;
  }
  connected_us_ = now_us();
  auto kept = std::make_unique<CachedSession>();
  kept->connection = std::make_unique<io::Connection>(std::move(*socket));
  kept->client = std::make_unique<smtp::ClientSession>(*kept->connection, label, s.client);
  kept->relay = label;
  kept->host = s.myhostname;
  bool tls_failed = false;
  auto failed = co_await converse(std::move(kept), file, true, tls_failed);
  if (failed) last_failure_ = *failed;
}

asio::awaitable<std::optional<Outcome>> Delivery::converse(std::unique_ptr<CachedSession> kept,
                                                           const queue::QueueFile& file,
                                                           bool allow_tls, bool& tls_failed) {
  const std::string relay = kept->relay;
  const dns::MailHost host{kept->host, {}};
  smtp::ClientSession& client = *kept->client;
  std::optional<Outcome> refused = co_await client.open(allow_tls, tls_failed);
  log_tls(client, relay);
  reached_ = reached_ || !refused;
  if (refused) {
    last_relay_ = relay;
    last_host_ = host.name;
    co_return refused;
  }
  if (auto failed = co_await authenticate(client, host)) {
    last_relay_ = relay;
    last_host_ = host.name;
    co_return failed;
  }
  co_await send_batches(*kept, file);
  // Kept for the next request to this nexthop (QUIT after the cache time limit).
  if (client.usable()) context_.cache->put(cache_key_, std::move(kept));
  co_return std::nullopt;
}

asio::awaitable<void> Delivery::send_batches(CachedSession& session, const queue::QueueFile& file) {
  // Batches of at most recipient_limit; a server-level failure leaves the rest open for
  // the next server, a recipient's own answer is final.
  const AgentSettings& s = context_.settings;
  smtp::ClientSession& client = *session.client;
  std::vector<size_t> still_open;
  size_t k = 0;
  while (k < pending_.size() && client.usable()) {
    size_t last = std::min(pending_.size(), k + s.recipient_limit);
    auto outcomes = co_await client.send(transaction(file, k, last));
    for (size_t j = 0; j < outcomes.size(); ++j) {
      size_t i = pending_[k + j];
      if (outcomes[j].verdict == Verdict::deferred && outcomes[j].try_next_host) {
        still_open.push_back(i);
        last_failure_ = outcomes[j];
        last_relay_ = session.relay;
        last_host_ = session.host;
      } else {
        finish(i, outcomes[j], session.relay, session.host);
        // RFC 3461 §4.1: a server with DSN took NOTIFY along and reports success itself
        // (§5.2.2); one without leaves a "relayed" notice to us (Postfix's smtp(8)).
        // lmtp_assume_final (postconf(5)): an LMTP server without DSN delivers itself.
        if (outcomes[j].verdict == Verdict::sent)
          results_[i].success = client.features().dsn ? RecipientResult::Success::passed
                                : s.assume_final      ? RecipientResult::Success::delivered
                                                      : RecipientResult::Success::relayed;
      }
    }
    k = last;
  }
  for (; k < pending_.size(); ++k) still_open.push_back(pending_[k]);
  pending_ = std::move(still_open);
}

asio::awaitable<void> Delivery::try_address(const dns::MailHost& host, const std::string& address,
                                            unsigned short port, const queue::QueueFile& file) {
  bool tls_failed = false;
  auto failed = co_await session(host, address, port, file, true, tls_failed);
  // Postfix's "may": a failed handshake is retried once in plaintext on a new connection.
  if (failed && tls_failed) {
    context_.log.info("{}: {}; trying again without TLS", request_.queue_id, failed->text);
    failed = co_await session(host, address, port, file, false, tls_failed);
  }
  if (failed) last_failure_ = *failed;
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
      co_await send_batches(*kept, *file);
      if (kept->client->usable()) context_.cache->put(cache_key_, std::move(kept));
    }
    if (pending_.empty()) co_return;
  }
  if (!nexthop_.unix_path.empty()) {
    co_await try_unix(*file);
    if (!pending_.empty()) finish_pending(last_failure_, last_relay_, last_host_);
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
  // RFC 5321 §5.1: each host in order, each of its addresses, until nothing is open.
  last_failure_ = {Verdict::deferred, "4.4.1", "no server could be reached", "", true};
  auto attempts =
      order_addresses(hosts.hosts, s.address_preference, s.randomize_addresses, context_.random);
  for (const auto& attempt : attempts) {
    if (pending_.empty()) co_return;
    co_await try_address(*attempt.host, attempt.address, nexthop->port, *file);
  }
  if (!pending_.empty()) finish_pending(last_failure_, last_relay_, last_host_);
}

}  // namespace

Result<AgentSettings> agent_settings_from_config(const config::Config& config,
                                                 const std::string& service) {
  AgentSettings s;
  auto generic = cleanup::GenericMaps::open(config);
  if (!generic) return generic.error();
  if (*generic) s.generic = std::make_shared<cleanup::GenericMaps>(std::move(**generic));
  s.client.helo_name = config.get("smtp_helo_name");
  auto& t = s.client.timeouts;
  t.connect = config.get_time("smtp_connect_timeout");
  t.helo = config.get_time("smtp_helo_timeout");
  t.starttls = config.get_time("smtp_starttls_timeout");
  t.mail = config.get_time("smtp_mail_timeout");
  t.rcpt = config.get_time("smtp_rcpt_timeout");
  t.data_init = config.get_time("smtp_data_init_timeout");
  t.data_xfer = config.get_time("smtp_data_xfer_timeout");
  t.data_done = config.get_time("smtp_data_done_timeout");
  t.quit = config.get_time("smtp_quit_timeout");
  // postconf(5): a connect timeout of 0 means no limit (lmtp_connect_timeout's default).
  if (t.connect.count() <= 0) t.connect = std::chrono::hours(24);
  s.bind_address = config.get("smtp_bind_address");
  s.bind_address6 = config.get("smtp_bind_address6");

  std::string protocols = base::to_lower(base::join(config.get_list("inet_protocols"), " "));
  if (protocols != "all") {
    s.ipv4 = protocols.find("ipv4") != std::string::npos;
    s.ipv6 = protocols.find("ipv6") != std::string::npos;
    if (!s.ipv4 && !s.ipv6)
      return Error{"inet_protocols: no ipv4 or ipv6 in \"" + protocols + "\""};
  }
  auto where = [&](std::string_view name) {
    std::string at = config.location(name);
    return at.empty() ? at : at + ": ";
  };
  // postconf(5) smtp_dns_support_level: when set it replaces disable_dns_lookups;
  // "dnssec" asks for validated answers (Postfix's RES_USE_DNSSEC; lookup.hpp).
  std::string dns_support = base::to_lower(base::trim(config.get("smtp_dns_support_level")));
  if (dns_support.empty())
    s.dns_lookups = !config.get_bool("disable_dns_lookups");
  else if (dns_support == "disabled" || dns_support == "enabled" || dns_support == "dnssec")
    s.dns_lookups = dns_support != "disabled";
  else
    return Error{where("smtp_dns_support_level") + "smtp_dns_support_level: unknown value \"" +
                 dns_support + "\" (expected disabled, enabled or dnssec)"};
  s.resolver.dnssec = dns_support == "dnssec";
  s.mta_sts = config.get_bool("smtp_tls_mta_sts_enable");
  s.mta_sts_cache_directory = config.get("smtp_tls_mta_sts_cache_directory");
  std::string insecure_mx =
      base::to_lower(base::trim(config.get("smtp_tls_dane_insecure_mx_policy")));
  if (insecure_mx == "may")
    s.dane_insecure_mx = InsecureMxPolicy::may;
  else if (insecure_mx != "dane")
    return Error{where("smtp_tls_dane_insecure_mx_policy") +
                 "smtp_tls_dane_insecure_mx_policy: unknown value \"" + insecure_mx +
                 "\" (expected dane or may)"};
  // smtp_address_preference only matters when inet_protocols allows both families.
  auto preference = parse_address_preference(config.get("smtp_address_preference"));
  if (!preference) return preference.error();
  s.address_preference = *preference;
  s.randomize_addresses = config.get_bool("smtp_randomize_addresses");
  auto lookup = host_lookup_from_config(config, s.dns_lookups);
  if (!lookup) return lookup.error();
  s.host_dns = lookup->first;
  s.host_native = lookup->second;
  s.resolver.hosts_file = false;  // DNS means DNS; the hosts file is "native"
  s.resolver.servers = config.get_list("dns_resolver_servers");
  s.resolver.time_limit = config.get_time("dns_resolver_timeout");

  // SERVICE_destination_recipient_limit, as Postfix names it after the master.cf service.
  std::string limit_name = service + "_destination_recipient_limit";
  long long limit = config.raw(limit_name) ? config.get_int(limit_name)
                                           : config.get_int("default_destination_recipient_limit");
  s.recipient_limit = static_cast<size_t>(std::max(1LL, limit));

  auto tls = tls_settings_from_config(config);
  if (!tls) return tls.error();
  s.tls = std::move(*tls);
  s.tls_loglevel = static_cast<int>(config.get_int("smtp_tls_loglevel"));
  s.cache_time_limit = config.get_time("smtp_connection_cache_time_limit");
  s.tls_session_timeout = config.get_time("smtp_tls_session_cache_timeout");
  // qmgr waits daemon_timeout for an agent (qmgr/settings.cpp); the agent stops at 90% of
  // it, leaving qmgr the time to hear the deferrals.
  s.request_time_limit =
      std::max(std::chrono::seconds(1), config.get_time("daemon_timeout") * 9 / 10);

  auto sasl = sasl_settings_from_config(config);
  if (!sasl) return sasl.error();
  s.sasl = std::move(*sasl);
  return s;
}

asio::awaitable<std::vector<RecipientResult>> deliver(const DeliveryRequest& request,
                                                      AgentContext& context) {
  using namespace asio::experimental::awaitable_operators;
  Delivery delivery(request, context);
  auto deadline = std::chrono::steady_clock::now() + context.settings.request_time_limit;
  auto done = co_await (delivery.run() || delivery.time_limit(deadline));
  if (done.index() == 1) delivery.time_limit_exceeded();
  co_return delivery.take();
}

}  // namespace correio::delivery::smtp_agent
