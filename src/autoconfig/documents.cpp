// Autoconfiguration documents (see documents.hpp). The formats: Thunderbird's
// "Autoconfiguration file format" (clientConfig version 1.1), Microsoft's POX autodiscover
// response (outlook/responseschema/2006a), Apple's Configuration Profile Reference
// (com.apple.mail.managed), RFC 6186 §3 and RFC 8314 §5.1 service names.
#include "autoconfig/documents.hpp"

#include <fmt/format.h>

#include <functional>

#include "base/strings.hpp"

namespace correio::autoconfig {
namespace {

std::string xml(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

const MailService* first(const std::vector<MailService>& services, std::string_view protocol) {
  for (const auto& s : services)
    if (s.protocol == protocol) return &s;
  return nullptr;
}

std::string login(const Account& a) {
  if (a.email.empty()) return a.login_is_localpart ? "%EMAILLOCALPART%" : "%EMAILADDRESS%";
  return a.login_is_localpart ? a.email.substr(0, a.email.find('@')) : a.email;
}

// A stable UUID-shaped identifier per (email, part), so that installing the profile again
// replaces it instead of adding a second account.
std::string stable_uuid(const std::string& seed) {
  size_t h1 = std::hash<std::string>{}(seed), h2 = std::hash<std::string>{}(seed + "#");
  std::string hex = fmt::format("{:016x}{:016x}", h1, h2);
  return fmt::format("{}-{}-4{}-8{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(13, 3),
                     hex.substr(17, 3), hex.substr(20, 12));
}

}  // namespace

bool plausible_address(std::string_view address) {
  size_t at = address.rfind('@');
  if (at == 0 || at == std::string_view::npos || at + 1 >= address.size() || address.size() > 254)
    return false;
  for (size_t i = 0; i < address.size(); ++i) {
    char c = address[i];
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
        c == '-' ||
        (i < at && std::string_view("_+=!#$%&*/?^`{|}~'").find(c) != std::string_view::npos) ||
        i == at;
    if (!ok) return false;
  }
  return address.substr(at + 1).find('@') == std::string_view::npos;
}

std::string autodiscover_request_address(std::string_view body) {
  size_t start = body.find("<EMailAddress>");
  if (start == std::string_view::npos) return {};
  start += std::string_view("<EMailAddress>").size();
  size_t end = body.find("</EMailAddress>", start);
  if (end == std::string_view::npos) return {};
  std::string address(base::trim(body.substr(start, end - start)));
  return plausible_address(address) ? address : std::string();
}

std::string thunderbird_config(const Account& a, const std::vector<MailService>& services) {
  std::string out = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<clientConfig version=\"1.1\">\n"
      "  <emailProvider id=\"{0}\">\n"
      "    <domain>{0}</domain>\n"
      "    <displayName>{0}</displayName>\n"
      "    <displayShortName>{0}</displayShortName>\n",
      xml(a.domain));
  auto server = [&](const MailService& s, const char* element) {
    out += fmt::format(
        "    <{0} type=\"{1}\">\n"
        "      <hostname>{2}</hostname>\n"
        "      <port>{3}</port>\n"
        "      <socketType>{4}</socketType>\n"
        "      <authentication>password-cleartext</authentication>\n"
        "      <username>{5}</username>\n"
        "    </{0}>\n",
        element, s.protocol, xml(a.server), s.port, socket_type(s.security), xml(login(a)));
  };
  for (const auto& s : services)
    if (s.protocol != "smtp") server(s, "incomingServer");
  for (const auto& s : services)
    if (s.protocol == "smtp") server(s, "outgoingServer");
  out += "  </emailProvider>\n</clientConfig>\n";
  return out;
}

std::string outlook_autodiscover(const Account& a, const std::vector<MailService>& services) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/"
      "responseschema/2006\">\n"
      "  <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/"
      "responseschema/2006a\">\n"
      "    <Account>\n"
      "      <AccountType>email</AccountType>\n"
      "      <Action>settings</Action>\n";
  // One protocol entry each: the best service (the list is best first).
  for (const char* protocol : {"imap", "pop3", "smtp"}) {
    const MailService* s = first(services, protocol);
    if (s == nullptr) continue;
    const char* encryption = s->security == Security::kImplicitTls ? "SSL"
                             : s->security == Security::kStartTls  ? "TLS"
                                                                   : "None";
    out += fmt::format(
        "      <Protocol>\n"
        "        <Type>{}</Type>\n"
        "        <Server>{}</Server>\n"
        "        <Port>{}</Port>\n"
        "        <DomainRequired>off</DomainRequired>\n"
        "        <LoginName>{}</LoginName>\n"
        "        <SPA>off</SPA>\n"
        "        <Encryption>{}</Encryption>\n"
        "        <AuthRequired>on</AuthRequired>\n"
        "      </Protocol>\n",
        upper(protocol), xml(a.server), s->port, xml(login(a)), encryption);
  }
  out += "    </Account>\n  </Response>\n</Autodiscover>\n";
  return out;
}

std::string apple_mobileconfig(const Account& a, const std::vector<MailService>& services) {
  const MailService* in = first(services, "imap");
  if (in == nullptr) in = first(services, "pop3");
  const MailService* outgoing = first(services, "smtp");
  auto key = [](std::string_view k, std::string_view v) {
    return fmt::format("      <key>{}</key>\n      <string>{}</string>\n", k, xml(v));
  };
  auto flag = [](std::string_view k, bool v) {
    return fmt::format("      <key>{}</key>\n      <{}/>\n", k, v ? "true" : "false");
  };
  auto number = [](std::string_view k, int v) {
    return fmt::format("      <key>{}</key>\n      <integer>{}</integer>\n", k, v);
  };
  std::string id = "org.correio.autoconfig." + a.domain;
  std::string account;
  account += key("EmailAccountDescription", a.email);
  account +=
      key("EmailAccountType", in && in->protocol == "pop3" ? "EmailTypePOP" : "EmailTypeIMAP");
  account += key("EmailAddress", a.email);
  if (in != nullptr) {
    account += key("IncomingMailServerAuthentication", "EmailAuthPassword");
    account += key("IncomingMailServerHostName", a.server);
    account += number("IncomingMailServerPortNumber", in->port);
    account += flag("IncomingMailServerUseSSL", in->security != Security::kNone);
    account += key("IncomingMailServerUsername", login(a));
  }
  if (outgoing != nullptr) {
    account += key("OutgoingMailServerAuthentication", "EmailAuthPassword");
    account += key("OutgoingMailServerHostName", a.server);
    account += number("OutgoingMailServerPortNumber", outgoing->port);
    account += flag("OutgoingMailServerUseSSL", outgoing->security != Security::kNone);
    account += key("OutgoingMailServerUsername", login(a));
  }
  account += key("PayloadDisplayName", a.email);
  account += key("PayloadIdentifier", id + ".mail." + a.email);
  account += key("PayloadType", "com.apple.mail.managed");
  account += key("PayloadUUID", stable_uuid(a.email + "/mail"));
  account += number("PayloadVersion", 1);
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
      "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
      "<plist version=\"1.0\">\n"
      "<dict>\n"
      "  <key>PayloadContent</key>\n"
      "  <array>\n"
      "    <dict>\n{}    </dict>\n"
      "  </array>\n"
      "  <key>PayloadDisplayName</key>\n  <string>{}</string>\n"
      "  <key>PayloadIdentifier</key>\n  <string>{}</string>\n"
      "  <key>PayloadType</key>\n  <string>Configuration</string>\n"
      "  <key>PayloadUUID</key>\n  <string>{}</string>\n"
      "  <key>PayloadVersion</key>\n  <integer>1</integer>\n"
      "</dict>\n"
      "</plist>\n",
      account, xml(a.domain + " mail"), xml(id), stable_uuid(a.email + "/profile"));
}

std::string dns_records(const Account& a, const std::vector<MailService>& services,
                        int https_port) {
  std::string out = fmt::format("; {} — mail client discovery (RFC 6186, RFC 8314)\n", a.domain);
  // RFC 6186 §3.4: a service that is not offered is published with the target ".".
  struct Name {
    const char* label;
    const char* protocol;
    Security security;
  };
  const Name names[] = {{"_submissions", "smtp", Security::kImplicitTls},
                        {"_submission", "smtp", Security::kStartTls},
                        {"_imaps", "imap", Security::kImplicitTls},
                        {"_imap", "imap", Security::kStartTls},
                        {"_pop3s", "pop3", Security::kImplicitTls},
                        {"_pop3", "pop3", Security::kStartTls}};
  int priority = 0;
  for (const auto& n : names) {
    const MailService* match = nullptr;
    for (const auto& s : services)
      if (s.protocol == n.protocol && s.security == n.security) {
        match = &s;
        break;
      }
    if (match != nullptr)
      out += fmt::format("{}._tcp.{}. 3600 IN SRV {} 1 {} {}.\n", n.label, a.domain, priority++,
                         match->port, a.server);
    else
      out += fmt::format("{}._tcp.{}. 3600 IN SRV 0 0 0 .\n", n.label, a.domain);
  }
  if (https_port > 0) {
    out += fmt::format("autoconfig.{}. 3600 IN CNAME {}.\n", a.domain, a.server);
    out += fmt::format("_autodiscover._tcp.{}. 3600 IN SRV 0 1 {} {}.\n", a.domain, https_port,
                       a.server);
  }
  return out;
}

}  // namespace correio::autoconfig
