// One delivery request inside the smtp agent: its open recipients, how each one ended, and
// the steps from the queue file to the servers (delivery.cpp) and from one server address
// to the next (delivery_attempts.cpp). Private to the agent: deliver() in agent.hpp is the API.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cleanup/generic_maps.hpp"
#include "delivery/protocol.hpp"
#include "delivery/smtp/agent.hpp"
#include "delivery/smtp/connection_cache.hpp"
#include "delivery/smtp/dane.hpp"
#include "delivery/smtp/nexthop.hpp"
#include "delivery/smtp/tls_policy.hpp"
#include "dns/mail_exchangers.hpp"
#include "queue/queue_file_reader.hpp"
#include "smtp/client_session.hpp"

namespace correio::delivery::smtp_agent {

using smtp::Outcome;
using smtp::Verdict;

int64_t now_us();  // wall clock, for the log's delays

// One request's progress: which recipients are still open and how each one ended.
class Delivery {
 public:
  Delivery(const DeliveryRequest& request, AgentContext& context);

  // Ends recipient `i` with `o`; `relay` is "host[addr]:port" or "none". A recipient
  // ends once: its first outcome is the one logged and returned.
  void finish(size_t i, const Outcome& o, const std::string& relay, const std::string& host);
  void finish_pending(const Outcome& o, const std::string& relay, const std::string& host);

  asio::awaitable<void> run();
  // Completes at `deadline`, marking the delivery as cut short; or earlier, cancelled,
  // when run() ends first.
  asio::awaitable<void> time_limit(std::chrono::steady_clock::time_point deadline);
  // The request's time limit passed while run() was still busy: what is open is
  // deferred (and may have reached the server: the reply was not heard).
  void time_limit_exceeded();
  std::vector<RecipientResult> take() { return std::move(results_); }

 private:
  // RFC 5321 §5.1: each host in order, each of its addresses, until nothing is open.
  asio::awaitable<void> try_servers(const dns::MailHosts& hosts, unsigned short port,
                                    const queue::QueueFile& file);
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
  // A 4xx a recipient got from a server that was not the last one tried: kept open for
  // the next server (Postfix's SMTP_RCPT_KEEP), and its outcome if no later server takes
  // it or fails after it. `order` tells which came last: this or last_failure_.
  struct Held {
    Outcome outcome;
    std::string relay, host;
    uint64_t order = 0;
  };
  std::vector<std::optional<Held>> held_;  // by request index
  uint64_t failures_seen_ = 0;             // orders held_ against last_failure_
  uint64_t last_failure_order_ = 0;
  size_t sessions_ = 0;  // sessions past greeting, EHLO and TLS (smtp_mx_session_limit)
  // Records `o` as the failure that leaves the open recipients open.
  void note_failure(const Outcome& o);
  // Ends every open recipient with what came last for it: its held 4xx or last_failure_.
  void finish_open();
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
  // Mail loop detection (mail_loop.hpp): on for SMTP to port 25; whether the server being
  // talked to is one of the most preferred MX hosts.
  bool loop_detect_ = false;
  int best_preference_ = 65536;
  bool best_mx_ = true;
};

}  // namespace correio::delivery::smtp_agent
