// qmgr's parameters, read once from the configuration.
#include "qmgr/queue_manager.hpp"

namespace correio::qmgr {

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
  for (const char* transport : {"local", "virtual", "smtp", "relay", "lmtp"}) {
    std::string name = std::string(transport) + "_destination_concurrency_limit";
    if (config.raw(name))
      s.transport_concurrency[transport] = static_cast<int>(config.get_int(name));
    std::string delay = std::string(transport) + "_destination_rate_delay";
    if (config.raw(delay)) s.transport_rate_delay[transport] = config.get_time(delay);
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

}  // namespace correio::qmgr
