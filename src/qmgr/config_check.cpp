// qmgr's configuration check (see qmgr.hpp): notify_classes names classes of problems;
// Correio reports bounce, 2bounce and delay, and says so for the others instead of
// dropping them in silence.
#include <fmt/format.h>

#include "qmgr/qmgr.hpp"

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

}  // namespace

std::vector<std::string> check_configuration(const config::Config& config) {
  std::vector<std::string> problems;
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
