// The lmtp agent's settings (Postfix's lmtp(8)): the smtp agent's code reads smtp_*
// parameters; in LMTP mode each of them takes the value of its lmtp_* twin instead
// (lmtp_lhlo_name for smtp_helo_name, lmtp_connect_timeout, ...), as lmtp(8) does.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "base/result.hpp"
#include "config/config.hpp"
#include "delivery/smtp/agent.hpp"

namespace correio::delivery::smtp_agent {

// The lmtp_* parameters Correio honours and the smtp_* parameter each stands for.
struct LmtpTwin {
  std::string_view lmtp, smtp;
};
std::span<const LmtpTwin> lmtp_twins();

// `config` (main.cf with the service's -o overrides) read the way lmtp(8) reads it.
Result<AgentSettings> lmtp_agent_settings(const config::Config& config, const std::string& service);

}  // namespace correio::delivery::smtp_agent
