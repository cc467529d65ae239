// MTA-STS record and policy parsing and MX matching (see mta_sts_policy.hpp).
#include "delivery/smtp/mta_sts_policy.hpp"

#include <fmt/format.h>

#include <cctype>
#include <optional>

#include "base/strings.hpp"

namespace correio::delivery::smtp_agent {
namespace {

constexpr long long kMaxAge = 31557600;  // RFC 8461 §3.2: at most one year

bool all_alnum(std::string_view s) {
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  return true;
}

}  // namespace

Result<std::string> parse_sts_record(std::string_view txt) {
  // §3.1: fields "name=value" separated by ";", v=STSv1 first.
  auto fields = base::split_any(txt, ";");
  if (fields.empty() || base::trim(fields.front()) != "v=STSv1")
    return Error{"not an STSv1 record"};
  std::optional<std::string> id;
  for (size_t i = 1; i < fields.size(); ++i) {
    std::string_view field = base::trim(fields[i]);
    if (field.empty()) continue;
    size_t eq = field.find('=');
    if (eq == std::string_view::npos) return Error{"malformed field in the STS record"};
    if (field.substr(0, eq) != "id") continue;  // §3.1: unknown fields are ignored
    std::string_view value = field.substr(eq + 1);
    if (value.empty() || value.size() > 32 || !all_alnum(value))
      return Error{"malformed id in the STS record"};
    id = std::string(value);
  }
  if (!id) return Error{"STS record without id"};
  return *id;
}

Result<StsPolicy> parse_sts_policy(std::string_view body) {
  StsPolicy policy;
  std::optional<std::string> version, mode;
  std::optional<long long> max_age;
  while (!body.empty()) {
    size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body = nl == std::string_view::npos ? std::string_view() : body.substr(nl + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (base::trim(line).empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return Error{"policy line without \":\""};
    std::string key(base::trim(line.substr(0, colon)));
    std::string value(base::trim(line.substr(colon + 1)));
    // §3.2: the first occurrence of a key counts (mx may repeat).
    if (key == "version" && !version) {
      version = value;
    } else if (key == "mode" && !mode) {
      mode = value;
    } else if (key == "max_age" && !max_age) {
      if (value.empty() || value.size() > 10 ||
          value.find_first_not_of("0123456789") != std::string::npos)
        return Error{"invalid max_age \"" + value + "\""};
      max_age = std::stoll(value);
    } else if (key == "mx") {
      if (value.empty()) return Error{"empty mx"};
      policy.mx.push_back(base::to_lower(value));
    }
  }
  if (version != "STSv1") return Error{"policy version is not STSv1"};
  if (mode == "enforce")
    policy.mode = StsMode::enforce;
  else if (mode == "testing")
    policy.mode = StsMode::testing;
  else if (mode == "none")
    policy.mode = StsMode::none;
  else
    return Error{fmt::format("invalid policy mode \"{}\"", mode.value_or(""))};
  if (!max_age || *max_age > kMaxAge) return Error{"missing or invalid max_age"};
  policy.max_age = std::chrono::seconds(*max_age);
  if (policy.mx.empty() && policy.mode != StsMode::none) return Error{"policy without mx"};
  return policy;
}

bool sts_mx_matches(const StsPolicy& policy, std::string_view host_view) {
  std::string host = base::to_lower(host_view);
  if (host.ends_with('.')) host.pop_back();
  for (const auto& pattern : policy.mx) {
    if (pattern.starts_with("*.")) {
      // §4.1: the wildcard is one whole label: "*.example.com" matches "mx.example.com",
      // not "example.com" nor "a.b.example.com".
      std::string_view suffix = std::string_view(pattern).substr(1);
      if (host.size() > suffix.size() && host.ends_with(suffix) &&
          host.find('.') == host.size() - suffix.size())
        return true;
    } else if (host == pattern) {
      return true;
    }
  }
  return false;
}

}  // namespace correio::delivery::smtp_agent
