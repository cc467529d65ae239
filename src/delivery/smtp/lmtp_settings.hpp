// The lmtp agent's settings (Postfix's lmtp(8)): one settings reader serves both agents.
// It reads smtp_* names; in LMTP mode each of them takes the value of its lmtp_* twin
// instead (lmtp_lhlo_name for smtp_helo_name, lmtp_tls_CAfile, ...), as lmtp(8) does.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "config/config.hpp"
#include "delivery/smtp/agent.hpp"

namespace correio::delivery::smtp_agent {

// An lmtp_* parameter and the smtp_* parameter it stands for.
struct LmtpTwin {
  std::string lmtp, smtp;
};
// Every lmtp_X of the defaults table whose smtp_X is also there, plus Postfix's two
// renamings (lmtp_lhlo_name, lmtp_lhlo_timeout). Derived from the table, so that a new
// smtp_* setting with an lmtp_* entry is read by the lmtp agent without another list.
std::vector<LmtpTwin> lmtp_twins();

// `config` (main.cf with the service's -o overrides) read the way lmtp(8) reads it.
// Errors name the lmtp_* parameter, not the smtp_* one the shared reader asked for.
Result<AgentSettings> lmtp_agent_settings(const config::Config& config, const std::string& service);

}  // namespace correio::delivery::smtp_agent
