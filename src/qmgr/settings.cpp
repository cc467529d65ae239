// qmgr's parameters, read once from the configuration.
#include <optional>
#include <set>

#include "qmgr/queue_manager.hpp"

namespace correio::qmgr {
namespace {

// The transports that main.cf gives a "TRANSPORT_SUFFIX" setting (Postfix's per-transport
// names, any master.cf service): "relay" for relay_destination_concurrency_limit.
std::set<std::string> transports_with(const config::Config& config, std::string_view suffix) {
  std::set<std::string> out;
  for (const auto& e : config.main_cf().entries())
    if (e.name.size() > suffix.size() && e.name.ends_with(suffix) &&
        e.name.compare(0, 8, "default_") != 0)
      out.insert(e.name.substr(0, e.name.size() - suffix.size()));
  return out;
}

// A feedback value; a malformed one was refused by check_configuration(), so the
// fallback (Postfix's own on a bad value: 1) is for safety only.
Feedback feedback(const config::Config& config, const std::string& name) {
  auto parsed = parse_feedback(config.get(name));
  return parsed ? *parsed : Feedback{};
}

WindowSettings window_settings(const config::Config& config, const std::string& prefix,
                               const WindowSettings& defaults) {
  WindowSettings w = defaults;
  auto set = [&](std::string_view suffix) -> std::optional<std::string> {
    std::string name = prefix + std::string(suffix);
    if (prefix.empty() || config.raw(name)) return name;
    return std::nullopt;
  };
  // Postfix spells the default one "initial_destination_concurrency" and the per-transport
  // one "TRANSPORT_initial_destination_concurrency".
  if (auto n = set(prefix.empty() ? "initial_destination_concurrency"
                                  : "_initial_destination_concurrency"))
    w.initial = static_cast<int>(config.get_int(*n));
  if (auto n = set(prefix.empty() ? "default_destination_concurrency_failed_cohort_limit"
                                  : "_destination_concurrency_failed_cohort_limit"))
    w.cohort_limit = static_cast<int>(config.get_int(*n));
  if (auto n = set(prefix.empty() ? "default_destination_concurrency_positive_feedback"
                                  : "_destination_concurrency_positive_feedback"))
    w.positive = feedback(config, *n);
  if (auto n = set(prefix.empty() ? "default_destination_concurrency_negative_feedback"
                                  : "_destination_concurrency_negative_feedback"))
    w.negative = feedback(config, *n);
  return w;
}

}  // namespace

QmgrSettings QmgrSettings::from_config(const config::Config& config) {
  QmgrSettings s;
  s.queue_directory = config.get("queue_directory");
  s.myhostname = config.get("myhostname");
  s.minimal_backoff = config.get_time("minimal_backoff_time");
  s.maximal_backoff = std::max(s.minimal_backoff, config.get_time("maximal_backoff_time"));
  s.queue_run_delay = std::max(std::chrono::seconds(1), config.get_time("queue_run_delay"));
  s.maximal_queue_lifetime = config.get_time("maximal_queue_lifetime");
  s.bounce_queue_lifetime = config.get_time("bounce_queue_lifetime");
  s.delay_warning_time = config.get_time("delay_warning_time");
  // Postfix's daemon_timeout: how long one agent request may take. The agents stop at
  // 90% of it (delivery/smtp/agent.cpp), so qmgr hears their own result, never giving up
  // on an agent that goes on to deliver (a duplicate).
  s.agent_timeout = std::max(std::chrono::seconds(1), config.get_time("daemon_timeout"));
  s.default_concurrency = static_cast<int>(config.get_int("default_destination_concurrency_limit"));
  s.default_rate_delay = config.get_time("default_destination_rate_delay");
  // The known transports have defaults in the table (local: 2); any other master.cf
  // service counts when main.cf names it.
  std::set<std::string> transports{"local", "virtual", "smtp", "relay", "lmtp"};
  for (std::string_view suffix :
       {"_destination_concurrency_limit", "_destination_rate_delay",
        "_initial_destination_concurrency", "_destination_concurrency_failed_cohort_limit",
        "_destination_concurrency_positive_feedback", "_destination_concurrency_negative_feedback"})
    transports.merge(transports_with(config, suffix));
  s.default_window = window_settings(config, "", WindowSettings{});
  for (const auto& transport : transports) {
    std::string name = transport + "_destination_concurrency_limit";
    if (config.raw(name))
      s.transport_concurrency[transport] = static_cast<int>(config.get_int(name));
    std::string delay = transport + "_destination_rate_delay";
    if (config.raw(delay)) s.transport_rate_delay[transport] = config.get_time(delay);
    s.transport_window[transport] = window_settings(config, transport, s.default_window);
  }
  // Postfix's cleanup appends @$myorigin to a bare "postmaster" (append_at_myorigin); a
  // bare name would reach local(8) with an empty domain and be logged as "to=<root@>".
  auto notice_recipient = [&](const char* name, std::string& out) {
    if (std::string r = config.get(name); !r.empty()) out = r;
    if (out.find('@') == std::string::npos) out += "@" + config.get("myorigin");
  };
  notice_recipient("2bounce_notice_recipient", s.double_bounce_recipient);
  notice_recipient("bounce_notice_recipient", s.bounce_notice_recipient);
  notice_recipient("delay_notice_recipient", s.delay_notice_recipient);
  for (const auto& c : config.get_list("notify_classes")) {
    s.notify_bounce = s.notify_bounce || c == "bounce";
    s.notify_2bounce = s.notify_2bounce || c == "2bounce" || c == "bounce";
    s.notify_delay = s.notify_delay || c == "delay";
  }
  s.soft_bounce = config.get_bool("soft_bounce");
  s.fast_flush_domains = config.get("fast_flush_domains");
  s.fast_flush_parent_style =
      resolve::parent_style(config.get("parent_domain_matches_subdomains"), "fast_flush_domains");
  s.flush_refresh_time =
      std::max(std::chrono::seconds(1), config.get_time("fast_flush_refresh_time"));
  s.flush_purge_time = std::max(std::chrono::seconds(1), config.get_time("fast_flush_purge_time"));
  return s;
}

int QmgrSettings::concurrency_for(std::string_view transport) const {
  auto it = transport_concurrency.find(transport);
  return it == transport_concurrency.end() ? default_concurrency : it->second;
}

std::chrono::seconds QmgrSettings::rate_delay_for(std::string_view transport) const {
  auto it = transport_rate_delay.find(transport);
  return it == transport_rate_delay.end() ? default_rate_delay : it->second;
}

WindowSettings QmgrSettings::window_for(std::string_view transport) const {
  auto it = transport_window.find(transport);
  WindowSettings w = it == transport_window.end() ? default_window : it->second;
  w.limit = concurrency_for(transport);
  return w;
}

}  // namespace correio::qmgr
