// qmgr's configuration check (see qmgr.hpp): notify_classes names classes of problems;
// Correio reports bounce, 2bounce and delay, and says so for the others instead of
// dropping them in silence.
#include <fmt/format.h>

#include "qmgr/concurrency_window.hpp"
#include "qmgr/qmgr.hpp"
#include "resolve/domain_list.hpp"

namespace correio::qmgr {
namespace {

struct Unreported {
  std::string_view name;
  std::string_view why;
};

// Postfix's other classes need parts Correio does not have: SMTP session transcripts
// (policy, protocol) and the postmaster notices of daemons that hit a resource or
// software problem (resource, software; Correio logs those).
constexpr Unreported kUnreported[] = {
    {"policy", "SMTP session transcripts are not built yet"},
    {"protocol", "SMTP session transcripts are not built yet"},
    {"resource", "resource problems are logged, not mailed"},
    {"software", "software problems are logged, not mailed"},
};

// Postfix warns about a malformed feedback value and uses 1; Correio refuses it at check,
// start and reload, rather than schedule by a value the administrator did not write.
void check_feedback(const config::Config& config, std::vector<std::string>& problems) {
  auto check = [&](const std::string& name, std::string_view value) {
    if (auto fb = parse_feedback(value); !fb) {
      std::string where = config.location(name);
      problems.push_back(fmt::format("{}{}error: {}: {}", where, where.empty() ? "" : ": ", name,
                                     fb.error().message));
    }
  };
  for (const char* name : {"default_destination_concurrency_positive_feedback",
                           "default_destination_concurrency_negative_feedback"})
    check(name, config.get(name));
  for (const auto& e : config.main_cf().entries())
    if (e.name.ends_with("_destination_concurrency_positive_feedback") ||
        e.name.ends_with("_destination_concurrency_negative_feedback"))
      if (!e.name.starts_with("default_")) check(e.name, config.get(e.name));
  for (const auto& e : config.main_cf().entries()) {
    bool integer =
        e.name.ends_with("_initial_destination_concurrency") ||
        e.name.ends_with("_destination_concurrency_failed_cohort_limit") ||
        (e.name.ends_with("_destination_concurrency_limit") && !e.name.starts_with("default_"));
    std::string value = config.get(e.name);
    if (integer && (value.empty() || value.find_first_not_of("0123456789") != std::string::npos))
      problems.push_back(fmt::format("{}: error: bad numerical configuration: {} = {}",
                                     config.location(e.name), e.name, value));
  }
}

void check_fast_flush(const config::Config& config, std::vector<std::string>& problems) {
  std::string domains = config.get("fast_flush_domains");
  if (domains.empty()) return;
  auto list = resolve::DomainList::open("fast_flush_domains", domains, true);
  if (!list) {
    std::string where = config.location("fast_flush_domains");
    problems.push_back(
        fmt::format("{}{}error: {}", where, where.empty() ? "" : ": ", list.error().message));
  }
}

}  // namespace

std::vector<std::string> check_configuration(const config::Config& config) {
  std::vector<std::string> problems;
  check_feedback(config, problems);
  check_fast_flush(config, problems);
  // The default (resource, software) is Postfix's and not reported: only a value the
  // administrator changed is.
  auto classes = config.get_list("notify_classes");
  if (classes == std::vector<std::string>{"resource", "software"}) return problems;
  std::string where = config.location("notify_classes");
  for (const auto& c : classes) {
    std::string_view why;
    for (const auto& u : kUnreported)
      if (u.name == c) why = u.why;
    bool known = c == "bounce" || c == "2bounce" || c == "delay" || !why.empty();
    if (!known) why = "unknown class";
    if (why.empty()) continue;
    problems.push_back(
        fmt::format("{}{}warning: notify_classes: {}: not reported by Correio "
                    "yet, ignored: {}",
                    where, where.empty() ? "" : ": ", c, why));
  }
  return problems;
}

}  // namespace correio::qmgr
