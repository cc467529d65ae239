// MTA-STS (RFC 8461) texts: the "_mta-sts" TXT record (§3.1), the policy file fetched over
// HTTPS (§3.2), and the MX host patterns of a policy (§4.1). Pure functions on text fed by
// the network; fuzzed by fuzz/mta_sts_policy_fuzz.cpp.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace correio::delivery::smtp_agent {

enum class StsMode { enforce, testing, none };

struct StsPolicy {
  StsMode mode = StsMode::none;
  std::vector<std::string> mx;  // patterns: "mail.example.com", "*.example.net" (lower case)
  std::chrono::seconds max_age{0};
};

// RFC 8461 §3.1: "v=STSv1; id=20160831085700Z;" -> the id (1 to 32 letters and digits).
// Errors: not an STSv1 record, no or a malformed id.
Result<std::string> parse_sts_record(std::string_view txt);

// RFC 8461 §3.2: "version: STSv1", "mode:", "mx:" (one or more; none only at mode none),
// "max_age:" (0 to 31557600), one "key: value" per line (CRLF or LF); unknown keys are
// ignored. Errors name the missing or invalid field.
Result<StsPolicy> parse_sts_policy(std::string_view body);

// RFC 8461 §4.1: whether `host` (an MX host name) matches one of the policy's patterns;
// "*." stands for exactly one leftmost label.
bool sts_mx_matches(const StsPolicy& policy, std::string_view host);

}  // namespace correio::delivery::smtp_agent
