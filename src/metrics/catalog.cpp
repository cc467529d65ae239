// The metric catalog (see catalog.hpp).
#include "metrics/catalog.hpp"

#include <array>

namespace correio::metrics {

namespace {
constexpr std::array<MetricInfo, 11> kCatalog = {{
    {"correio_connections_total", MetricType::counter,
     "Connections accepted, by master.cf service."},
    {"correio_connections_active", MetricType::gauge, "Connections open now, by service."},
    {"correio_smtpd_replies_total", MetricType::counter,
     "SMTP replies sent by smtpd, by reply code class."},
    {"correio_smtpd_messages_received_total", MetricType::counter,
     "Messages accepted into the queue by smtpd (a 250 after DATA or BDAT LAST)."},
    {"correio_sasl_logins_total", MetricType::counter,
     "Logins (SMTP AUTH, IMAP, POP3), by result: success or failure."},
    {"correio_tls_handshakes_total", MetricType::counter,
     "TLS handshakes completed by servers, by protocol version."},
    {"correio_deliveries_total", MetricType::counter,
     "Recipient deliveries finished by qmgr, by transport and status (sent, deferred, "
     "bounced)."},
    {"correio_delivery_delay_seconds", MetricType::histogram,
     "Time from arrival to delivery of each sent recipient, by transport."},
    {"correio_imap_command_duration_seconds", MetricType::histogram,
     "IMAP command latency, from the command line to the tagged reply, by command."},
    {"correio_queue_messages", MetricType::gauge,
     "Messages in each queue directory, counted at scrape time."},
    {"correio_metrics_files", MetricType::gauge,
     "Counter files read for this scrape (one per service, one per live process)."},
}};
}  // namespace

std::span<const MetricInfo> catalog() {
  return kCatalog;
}

const MetricInfo* find_metric(std::string_view sample_name) {
  for (const MetricInfo& info : kCatalog) {
    if (sample_name == info.name) return &info;
    if (info.type != MetricType::histogram || !sample_name.starts_with(info.name)) continue;
    std::string_view suffix = sample_name.substr(info.name.size());
    if (suffix == "_bucket" || suffix == "_sum" || suffix == "_count") return &info;
  }
  return nullptr;
}

}  // namespace correio::metrics
