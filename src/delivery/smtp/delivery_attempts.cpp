// The per-MX, per-address loop of one delivery: connect to each server address in order,
// open the session, send the open recipients in batches, keep the session for the next
// request (see delivery.hpp).
#include <fmt/format.h>

#include "delivery/smtp/delivery.hpp"
#include "delivery/smtp/mail_loop.hpp"
#include "io/connection.hpp"

namespace correio::delivery::smtp_agent {

asio::awaitable<void> Delivery::try_servers(const dns::MailHosts& hosts, unsigned short port,
                                            const queue::QueueFile& file) {
  const AgentSettings& s = context_.settings;
  if (failures_seen_ == 0)
    last_failure_ = {Verdict::deferred, "4.4.1", "no server could be reached", "", true};
  auto attempts =
      order_addresses(hosts.hosts, s.address_preference, s.randomize_addresses, context_.random);
  // postconf(5) smtp_mx_address_limit, smtp_mx_session_limit: a delivery tries at most so
  // many addresses, and gives up after so many sessions that got as far as MAIL FROM.
  if (s.mx_address_limit > 0 && attempts.size() > s.mx_address_limit)
    attempts.resize(s.mx_address_limit);
  for (const auto& attempt : attempts) {
    if (pending_.empty()) co_return;
    if (s.mx_session_limit > 0 && sessions_ >= s.mx_session_limit) break;
    co_await try_address(*attempt.host, attempt.address, port, file);
  }
  finish_open();
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
  best_mx_ = host.preference <= best_preference_;
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
    note_failure({Verdict::deferred, "4.4.1", socket.error().message, "", true});
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
  if (failed) note_failure(*failed);
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
  if (!refused && loop_detect_) {
    // Postfix's smtp_helo(): a server that greets with this host's name is this host.
    refused = ehlo_names_this_host(client.server_name(), context_.settings.own_hostname,
                                   nexthop_.host, best_mx_);
    if (refused) {
      context_.log.warning("host {} replied to HELO/EHLO with my own hostname {}", relay,
                           context_.settings.own_hostname);
      refused->try_next_host = refused->verdict == Verdict::deferred;
      co_await client.quit();
    }
  }
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
  ++sessions_;
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
        // Open for the next server; this outcome is the recipient's if none takes it.
        // Logged now, as Postfix's smtp logs what a server that is not the last said.
        if (!outcomes[j].diagnostic.empty())
          context_.log.info("{}: {}", request_.queue_id, outcomes[j].text);
        still_open.push_back(i);
        held_[i] = Held{outcomes[j], session.relay, session.host, ++failures_seen_};
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
  if (failed) note_failure(*failed);
}

}  // namespace correio::delivery::smtp_agent
