// The unsupported half of the defaults table (see support.hpp). Each entry says why the
// parameter is not honoured and what Correio does instead; an administrator reads it in
// `postfix check`, in the mail log at start and reload, and in docs/configuration.md.
#include "config/support.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "base/strings.hpp"
#include "config/parameters.hpp"

namespace correio::config {
namespace {

constexpr auto kInfo = Support::kInformational;
constexpr auto kWarn = Support::kNotYet;
constexpr auto kFatal = Support::kNotYetUnsafe;

// Unsorted here (grouped by concern); support_table() sorts once.
constexpr SupportInfo kUnsupported[] = {
    // Facts and install paths: Postfix reads them only in postfix-install or postconf.
    {"mail_version", kInfo, "", "read-only"},
    {"process_name", kInfo, "", "read-only"},
    {"process_id", kInfo, "", "read-only"},
    {"config_directory", kInfo, "",
     "the directory is chosen by -c DIR or $MAIL_CONFIG, as in Postfix"},
    {"daemon_directory", kInfo, "", "Correio's daemons live in one binary"},
    {"command_directory", kInfo, "", "install path"},
    {"html_directory", kInfo, "", "install path"},
    {"manpage_directory", kInfo, "", "install path"},
    {"readme_directory", kInfo, "", "install path"},
    {"sample_directory", kInfo, "", "install path"},
    {"mailq_path", kInfo, "", "install path"},
    {"newaliases_path", kInfo, "", "install path"},
    {"sendmail_path", kInfo, "", "install path"},
    {"stress", kInfo, "", "set by the master, never by the administrator"},
    {"max_idle", kInfo, "",
     "Correio's daemons are event driven and long-lived; there are no idle processes to end"},
    {"max_use", kInfo, "",
     "Correio's daemons are event driven and long-lived; a process serves many clients"},
    {"ipc_timeout", kInfo, "", "internal connections use their own deadlines"},
    {"in_flow_delay", kInfo, "",
     "smtpd writes to the queue itself with group commit; there is no cleanup to flood"},
    {"smtpd_tls_session_cache_database", kInfo, "",
     "smtpd resumes no TLS sessions (session tickets are off, and there is no session "
     "cache): every client makes a full handshake, so no database is needed"},

    // Logging and debugging.
    {"process_id_directory", kWarn, "", "the master's pid file is data_directory/master.pid"},
    {"debug_peer_level", kWarn, "", "per-peer verbose logging is not built yet"},
    {"debug_peer_list", kWarn, "", "per-peer verbose logging is not built yet"},
    {"debugger_command", kWarn, "", "daemons are not started under a debugger"},

    // SMTP server.
    {"smtpd_sasl_type", kWarn, "dovecot",
     "smtpd asks Correio's auth service at smtpd_sasl_path in Dovecot's auth protocol, "
     "serving the users of user_directory; there is no Cyrus SASL"},
    {"smtpd_tls_CAfile", kWarn, "",
     "client certificates are not requested, so there is nothing to verify them against"},
    {"smtpd_tls_CApath", kWarn, "",
     "client certificates are not requested, so there is nothing to verify them against"},
    {"smtpd_proxy_filter", kFatal, "", "before-queue content filters are not built yet"},
    {"milter_unknown_command_macros", kWarn, "",
     "unknown SMTP commands are not sent to milters (no SMFIC_UNKNOWN)"},
    {"milter_macro_defaults", kWarn, "", "macros without a value are not sent"},

    // Rewriting and routing.
    {"biff", kWarn, "no", "Correio never notifies comsat"},
    {"error_notice_recipient", kWarn, "",
     "the notify_classes it serves (policy, protocol, resource, software) are not reported "
     "yet"},
    {"double_bounce_sender", kWarn, "", "the double-bounce sender is fixed"},
    {"empty_address_recipient", kWarn, "", "mail to <> is not redirected"},

    // SMTP client (mail out): what the smtp agent does not do yet.
    {"lmtp_tls_session_cache_database", kInfo, "",
     "the LMTP client keeps TLS sessions in memory, per lmtp process; there is no database"},
    {"smtp_tls_session_cache_database", kInfo, "",
     "the SMTP client keeps TLS sessions in memory, per smtp process, for "
     "smtp_tls_session_cache_timeout; there is no database"},

    // The master.
    {"default_process_limit", kWarn, "", "a '-' maxproc in master.cf means one process"},
    {"master_service_disable", kFatal, "",
     "the services named would keep running; disable them in master.cf instead"},
    {"import_environment", kWarn, "", "daemons inherit the master's environment"},
    {"export_environment", kWarn, "", "commands run by local delivery get a fixed environment"},
};

// Per-transport names ("SERVICE_SUFFIX", config.hpp is_service_dependent_name) that
// Postfix's qmgr reads and Correio's does not: a setting of one is a warning, never
// accepted in silence. The honoured suffixes (_destination_concurrency_limit,
// _destination_rate_delay, _initial_destination_concurrency, the feedback and cohort
// ones, _destination_recipient_limit, _time_limit) are read by qmgr and the agents.
constexpr std::string_view kNoPreemption =
    "qmgr has no preemptive job scheduler and no active-queue recipient limits (Postfix's "
    "SCHEDULER_README \"Preemptive scheduling\"); messages are handled in arrival order";
constexpr SupportInfo kUnsupportedServiceSuffixes[] = {
    {"_recipient_limit", kWarn, "", kNoPreemption},
    {"_extra_recipient_limit", kWarn, "", kNoPreemption},
    {"_recipient_refill_limit", kWarn, "", kNoPreemption},
    {"_recipient_refill_delay", kWarn, "", kNoPreemption},
    {"_delivery_slot_cost", kWarn, "", kNoPreemption},
    {"_delivery_slot_discount", kWarn, "", kNoPreemption},
    {"_delivery_slot_loan", kWarn, "", kNoPreemption},
    {"_minimum_delivery_slots", kWarn, "", kNoPreemption},
    {"_transport_rate_delay", kWarn, "",
     "qmgr paces deliveries per destination (TRANSPORT_destination_rate_delay), not per "
     "transport"},
};

// The support entry of `name`: its own, or that of its per-transport suffix when the name
// is not a parameter of its own.
const SupportInfo* support_of(std::string_view name) {
  if (const SupportInfo* info = find_support(name)) return info;
  if (find_parameter(name) || name.ends_with("_destination_recipient_limit")) return nullptr;
  for (const auto& info : kUnsupportedServiceSuffixes)
    if (name.size() > info.name.size() && name.ends_with(info.name)) return &info;
  return nullptr;
}

// Lists compare equal when their items do: "a, b" equals "a b" and "a,b".
std::string normalized(std::string_view value) {
  std::string out;
  for (const auto& item : base::split_list(value)) {
    if (!out.empty()) out += ' ';
    out += item;
  }
  return out;
}

bool is_accepted(const Config& config, const SupportInfo& info, std::string_view raw) {
  std::string value = normalized(raw);
  const ParameterInfo* parameter = find_parameter(info.name);
  if (parameter && !parameter->dynamic && value == normalized(parameter->default_value))
    return true;
  // The default may refer to other parameters ("$default_destination_concurrency_limit"):
  // compare expanded values too.
  if (parameter && !parameter->dynamic) {
    auto expanded_default = config.expand(parameter->default_value);
    auto expanded_value = config.expand(raw);
    if (expanded_default && expanded_value &&
        normalized(*expanded_default) == normalized(*expanded_value))
      return true;
  }
  std::string_view accepted = info.accepted;
  while (!accepted.empty()) {
    size_t bar = accepted.find('|');
    if (base::iequals(value, normalized(accepted.substr(0, bar)))) return true;
    if (bar == std::string_view::npos) break;
    accepted.remove_prefix(bar + 1);
  }
  return false;
}

// `setting` is how the administrator wrote it: "name = value" or "-o name=value".
SettingFinding finding(std::string_view where, const SupportInfo& info, std::string_view setting) {
  if (info.support == Support::kNotYetUnsafe)
    return {fmt::format("{}: error: {}: not supported by Correio yet, and ignoring it would "
                        "weaken security or lose mail: {}",
                        where, setting, info.note),
            true};
  return {fmt::format("{}: warning: {}: not supported by Correio yet, ignored: {}", where, setting,
                      info.note),
          false};
}

}  // namespace

std::span<const SupportInfo> support_table() {
  static const auto sorted = [] {
    std::array<SupportInfo, std::size(kUnsupported)> table{};
    std::copy(std::begin(kUnsupported), std::end(kUnsupported), table.begin());
    std::sort(table.begin(), table.end(),
              [](const SupportInfo& a, const SupportInfo& b) { return a.name < b.name; });
    return table;
  }();
  return sorted;
}

const SupportInfo* find_support(std::string_view name) {
  auto table = support_table();
  auto it = std::lower_bound(table.begin(), table.end(), name,
                             [](const SupportInfo& a, std::string_view n) { return a.name < n; });
  return it != table.end() && it->name == name ? &*it : nullptr;
}

Support parameter_support(std::string_view name) {
  const SupportInfo* info = find_support(name);
  return info ? info->support : Support::kHonoured;
}

std::string_view support_label(Support support) {
  switch (support) {
    case Support::kHonoured:
      return "honoured";
    case Support::kInformational:
      return "informational";
    case Support::kNotYet:
      return "not yet (warning)";
    case Support::kNotYetUnsafe:
      return "not yet (fatal)";
  }
  return "honoured";
}

std::vector<SettingFinding> unsupported_settings(const Config& config) {
  std::vector<SettingFinding> out;
  const MainCf& main_cf = config.main_cf();
  for (const auto& entry : main_cf.entries()) {
    if (main_cf.find(entry.name) != &entry) continue;  // a later line wins
    const SupportInfo* info = support_of(entry.name);
    if (!info || info->support == Support::kInformational) continue;
    if (is_accepted(config, *info, entry.value)) continue;
    out.push_back(finding(fmt::format("{}:{}", main_cf.file_name(), entry.line), *info,
                          fmt::format("{} = {}", entry.name, entry.value)));
  }
  return out;
}

std::vector<SettingFinding> unsupported_overrides(const Config& config, const Overrides& overrides,
                                                  std::string_view origin) {
  std::vector<SettingFinding> out;
  for (const auto& [name, value] : overrides) {
    const SupportInfo* info = support_of(name);
    if (!info || info->support == Support::kInformational) continue;
    if (is_accepted(config, *info, value)) continue;
    out.push_back(finding(origin, *info, fmt::format("-o {}={}", name, value)));
  }
  return out;
}

}  // namespace correio::config
