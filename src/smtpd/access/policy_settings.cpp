// check_policy_service { server, name=value, ... } (policy_settings.hpp), with the names
// of Postfix's smtpd_policy_service_* parameters without their prefix.
#include "smtpd/access/policy_settings.hpp"

#include <vector>

#include "base/strings.hpp"
#include "config/config.hpp"

namespace correio::smtpd::access {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Splits at commas and white space outside braces; a token may hold "{...}" whole.
Result<std::vector<std::string_view>> tokens(std::string_view text) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ',' || is_space(text[i]))) ++i;
    if (i == text.size()) break;
    size_t start = i;
    int depth = 0;
    for (; i < text.size(); ++i) {
      char c = text[i];
      if (c == '{') {
        ++depth;
      } else if (c == '}') {
        if (depth == 0) return Error{"unbalanced \"}\""};
        --depth;
      } else if (depth == 0 && (c == ',' || is_space(c))) {
        break;
      }
    }
    if (depth != 0) return Error{"missing \"}\""};
    out.push_back(text.substr(start, i - start));
  }
  return out;
}

Result<std::chrono::milliseconds> time_value(std::string_view name, std::string_view value) {
  auto seconds = config::parse_time_seconds(value, 's');
  if (!seconds) return Error{std::string(name) + ": bad time value \"" + std::string(value) + "\""};
  return std::chrono::milliseconds(*seconds * 1000);
}

Result<int> count_value(std::string_view name, std::string_view value) {
  auto n = base::parse_int(value);
  if (!n || *n < 0 || *n > 1000000)
    return Error{std::string(name) + ": bad number \"" + std::string(value) + "\""};
  return static_cast<int>(*n);
}

}  // namespace

Result<PolicyService> parse_policy_service(std::string_view argument,
                                           const Restrictions::Options::Policy& defaults) {
  PolicyService out{std::string(base::trim(argument)), defaults};
  std::string_view text = base::trim(argument);
  if (!text.starts_with('{')) return out;
  if (!text.ends_with('}')) return Error{"missing \"}\""};
  auto items = tokens(text.substr(1, text.size() - 2));
  if (!items) return items.error();
  if (items->empty()) return Error{"no policy server in \"{ }\""};
  out.endpoint = std::string((*items)[0]);
  if (out.endpoint.find('=') != std::string::npos || out.endpoint.starts_with('{'))
    return Error{"the policy server must come first, not \"" + out.endpoint + "\""};
  Restrictions::Options::Policy& s = out.settings;
  for (size_t k = 1; k < items->size(); ++k) {
    std::string_view item = (*items)[k];
    // "{ name = value }": spaces or commas around "=" or in the value.
    if (item.starts_with('{') && item.ends_with('}'))
      item = base::trim(item.substr(1, item.size() - 2));
    size_t eq = item.find('=');
    if (eq == std::string_view::npos)
      return Error{"expected name=value, not \"" + std::string(item) + "\""};
    std::string name = base::to_lower(base::trim(item.substr(0, eq)));
    std::string_view value = base::trim(item.substr(eq + 1));
    if (value.starts_with('{') && value.ends_with('}'))
      value = base::trim(value.substr(1, value.size() - 2));
    if (name == "timeout" || name == "retry_delay" || name == "max_idle" || name == "max_ttl") {
      auto t = time_value(name, value);
      if (!t) return t.error();
      (name == "timeout"       ? s.timeout
       : name == "retry_delay" ? s.retry_delay
       : name == "max_idle"    ? s.max_idle
                               : s.max_ttl) = *t;
    } else if (name == "try_limit" || name == "request_limit") {
      auto n = count_value(name, value);
      if (!n) return n.error();
      (name == "try_limit" ? s.try_limit : s.request_limit) = *n;
    } else if (name == "default_action") {
      if (value.empty()) return Error{"default_action: empty"};
      s.default_action = std::string(value);
    } else if (name == "policy_context") {
      s.context = std::string(value);
    } else {
      return Error{"unknown setting \"" + name +
                   "\" (timeout, default_action, max_idle, max_ttl, request_limit, "
                   "retry_delay, try_limit, policy_context)"};
    }
  }
  return out;
}

}  // namespace correio::smtpd::access
