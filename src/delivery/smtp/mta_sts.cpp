// The MTA-STS policy cache of the smtp agent (see mta_sts.hpp).
#include "delivery/smtp/mta_sts.hpp"

#include <fmt/format.h>

#include "base/strings.hpp"
#include "delivery/smtp/mta_sts_fetch.hpp"
#include "dns/message.hpp"

namespace correio::delivery::smtp_agent {
namespace {

constexpr uint16_t kTypeTxt = 16;

// RFC 1035 §3.3.14: TXT RDATA is one or more <length><text> strings, read as one text.
std::string txt_text(const std::vector<uint8_t>& rdata) {
  std::string out;
  size_t at = 0;
  while (at < rdata.size()) {
    size_t length = rdata[at];
    size_t end = std::min(rdata.size(), at + 1 + length);
    out.append(rdata.begin() + static_cast<std::ptrdiff_t>(at + 1),
               rdata.begin() + static_cast<std::ptrdiff_t>(end));
    at = end;
  }
  return out;
}

}  // namespace

void StsCache::load(const std::string& domain, base::Logger& log) {
  if (!store_ || entries_.contains(domain)) return;
  auto record = store_->load(domain);
  if (!record) {
    log.warning("MTA-STS policy cache: {}", record.error().message);
    return;
  }
  if (!*record) return;
  auto expires = (*record)->fetched + (*record)->policy.max_age;
  if (expires <= std::chrono::system_clock::now()) return;
  entries_[domain] = Entry{std::move((*record)->policy), std::move((*record)->id), expires};
}

asio::awaitable<std::optional<StsPolicy>> StsCache::policy(
    asio::any_io_executor executor, dns::Lookup& lookup, asio::ssl::context& tls,
    const std::string& domain_text, std::chrono::seconds timeout, base::Logger& log) {
  std::string domain = base::to_lower(domain_text);
  load(domain, log);
  auto now = std::chrono::system_clock::now();
  auto cached = entries_.find(domain);
  if (cached != entries_.end() && cached->second.expires <= now) {
    entries_.erase(cached);
    cached = entries_.end();
  }
  auto fallback = [&]() -> std::optional<StsPolicy> {
    if (cached == entries_.end()) return std::nullopt;
    return cached->second.policy;
  };
  // §3.1: exactly one TXT record that starts with "v=STSv1".
  std::string name = "_mta-sts." + domain;
  dns::RawAnswer raw = co_await lookup.query(name, kTypeTxt);
  std::optional<std::string> id;
  if (raw.outcome == dns::Outcome::found) {
    auto rdata = dns::answer_rdata(raw.message, kTypeTxt);
    int records = 0;
    for (const auto& r : rdata ? *rdata : std::vector<std::vector<uint8_t>>{}) {
      std::string text = txt_text(r);
      if (!text.starts_with("v=STSv1")) continue;
      ++records;
      auto parsed = parse_sts_record(text);
      if (parsed) id = *parsed;
    }
    if (records != 1) id.reset();
  }
  if (!id) co_return fallback();
  if (cached != entries_.end() && cached->second.id == *id) co_return cached->second.policy;
  auto body = co_await fetch_sts_policy(executor, lookup, tls, domain, timeout);
  if (!body) {
    log.warning("MTA-STS policy of {}: {}", domain, body.error().message);
    co_return fallback();
  }
  auto parsed = parse_sts_policy(*body);
  if (!parsed) {
    log.warning("MTA-STS policy of {}: {}", domain, parsed.error().message);
    co_return fallback();
  }
  entries_[domain] = Entry{*parsed, *id, now + parsed->max_age};
  if (store_) {
    StsCacheRecord record{*id, now, *body, *parsed};
    if (Status saved = store_->save(domain, record); !saved)
      log.warning("MTA-STS policy cache: {}", saved.error().message);
  }
  co_return *parsed;
}

asio::awaitable<std::optional<std::string>> enforce_mta_sts(
    StsCache& cache, asio::any_io_executor executor, dns::Lookup& lookup, asio::ssl::context& tls,
    base::Logger& log, StsDelivery d, std::vector<dns::MailHost>& hosts, TlsPolicyEntry& policy) {
  // §2: DANE, where it applies (a secure MX answer), goes first. A level of none, verify
  // or secure configured for the destination is kept as it is.
  bool dane = policy.dane != DaneMode::off;
  if ((dane && d.mx_secure) || policy.level == smtp::TlsLevel::none ||
      (!dane && policy.level >= smtp::TlsLevel::verify))
    co_return std::nullopt;
  auto sts = co_await cache.policy(executor, lookup, tls, d.domain, d.timeout, log);
  if (!sts || sts->mode == StsMode::none) co_return std::nullopt;
  if (sts->mode == StsMode::testing) {
    if (d.tls_loglevel >= 1)
      log.info("{}: MTA-STS policy of {} is in testing mode: not enforced", d.queue_id, d.domain);
    co_return std::nullopt;
  }
  // §4.1: MX hosts the policy does not name are not used.
  std::erase_if(hosts, [&](const dns::MailHost& host) {
    bool listed = sts_mx_matches(*sts, host.name);
    if (!listed)
      log.info("{}: MX host {} is not in the MTA-STS policy of {}", d.queue_id, host.name,
               d.domain);
    return !listed;
  });
  if (hosts.empty()) co_return fmt::format("MTA-STS policy of {}: no MX host matches", d.domain);
  // §4.2: a certificate valid for the MX host name, from a trusted CA.
  policy.level = smtp::TlsLevel::verify;
  policy.dane = DaneMode::off;
  policy.match = std::vector<std::string>{"hostname"};
  co_return std::nullopt;
}

}  // namespace correio::delivery::smtp_agent
