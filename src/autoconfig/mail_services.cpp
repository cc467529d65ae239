// Client-facing services from master.cf (see mail_services.hpp).
#include "autoconfig/mail_services.hpp"

#include <netdb.h>

#include <algorithm>
#include <optional>

#include "base/strings.hpp"

namespace correio::autoconfig {
namespace {

// "127.0.0.1:2143", "[::1]:993", "imaps", "993" -> the port; nullopt when unknown.
std::optional<int> service_port(const std::string& name) {
  std::string port = name;
  if (size_t colon = name.rfind(':'); colon != std::string::npos) port = name.substr(colon + 1);
  if (auto n = base::parse_int(port); n && *n > 0 && *n < 65536) return static_cast<int>(*n);
  servent entry{};
  servent* found = nullptr;
  char buffer[1024];
  if (::getservbyname_r(port.c_str(), "tcp", &entry, buffer, sizeof buffer, &found) == 0 &&
      found != nullptr)
    return ntohs(static_cast<uint16_t>(found->s_port));
  return std::nullopt;
}

bool tls_configured(const config::Config& c, const std::string& prefix) {
  return !c.get(prefix + "_tls_cert_file").empty() || !c.get(prefix + "_tls_chain_files").empty();
}

std::optional<MailService> describe(const config::Config& c, const config::MasterService& s) {
  MailService m;
  if (s.command == "imapd" || s.command == "pop3d") {
    m.protocol = s.command == "imapd" ? "imap" : "pop3";
    std::string prefix = s.command;
    if (c.get_bool(prefix + "_tls_wrappermode"))
      m.security = Security::kImplicitTls;
    else if (tls_configured(c, prefix))
      m.security = Security::kStartTls;
  } else if (s.command == "smtpd") {
    // Only where clients may log in: a submission port, not the MX port.
    if (!c.get_bool("smtpd_sasl_auth_enable")) return std::nullopt;
    m.protocol = "smtp";
    std::string level = c.get("smtpd_tls_security_level");
    if (c.get_bool("smtpd_tls_wrappermode"))
      m.security = Security::kImplicitTls;
    else if ((level == "may" || level == "encrypt") && tls_configured(c, "smtpd"))
      m.security = Security::kStartTls;
  } else {
    return std::nullopt;
  }
  auto port = service_port(s.name);
  if (!port) return std::nullopt;
  m.port = *port;
  return m;
}

}  // namespace

const char* socket_type(Security security) {
  switch (security) {
    case Security::kImplicitTls:
      return "SSL";
    case Security::kStartTls:
      return "STARTTLS";
    case Security::kNone:
      break;
  }
  return "plain";
}

Result<std::vector<MailService>> client_services(
    const config::Config& main_cf, const std::vector<config::MasterService>& services) {
  std::vector<MailService> found;
  for (const auto& s : services) {
    if (s.type != "inet") continue;
    auto c = main_cf.with_overrides(s.overrides);
    if (!c) return c.error();
    if (auto m = describe(*c, s)) found.push_back(*m);
  }
  std::vector<MailService> out;
  for (const char* protocol : {"imap", "pop3", "smtp"}) {
    std::vector<MailService> of;
    for (const auto& m : found)
      if (m.protocol == protocol) of.push_back(m);
    std::stable_sort(of.begin(), of.end(), [](const MailService& a, const MailService& b) {
      return static_cast<int>(a.security) < static_cast<int>(b.security);
    });
    bool has_tls = std::any_of(of.begin(), of.end(),
                               [](const MailService& m) { return m.security != Security::kNone; });
    for (const auto& m : of)
      if (!has_tls || m.security != Security::kNone) out.push_back(m);
  }
  return out;
}

}  // namespace correio::autoconfig
