// URLAUTH-authorized IMAP URLs (RFC 4467 §3, RFC 5092 §11 authimapurlfull and
// authimapurlrump), as imapd's GENURLAUTH/URLFETCH and smtpd's BURL (RFC 4468) take them:
// the message part, the expiry, the access identifier and the mechanism's token. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mail/imap_url.hpp"

namespace correio::mail {

// An URLAUTH-authorized URL (RFC 4467 §3, RFC 5092 §11 authimapurlfull/authimapurlrump):
// "imap://user@host/mailbox[;UIDVALIDITY=n]/;UID=n[/;SECTION=s][/;PARTIAL=o.l]"
// "[;EXPIRE=date-time];URLAUTH=access[:mechanism:token]"; at most 8192 bytes.
struct UrlauthUrl {
  ImapUrl url;       // user and host are always set
  std::string rump;  // the URL up to and with the access identifier: what the token signs
  std::optional<int64_t>
      expire;  // Whether the URL's "host[:port]" names `configured` (imapd_urlauth_host), case-
  // insensitively; the port is not compared (the token signs the URL, port included).
  bool urlauth_host_matches(std::string_view hostport, std::string_view configured);

  // RFC 3339 date-time as seconds since the epoch
  // "submit+USER", "user+USER" (keyword lower-cased, USER percent-decoded), "authuser",
  // "anonymous" (RFC 4467 §3 access identifiers).
  std::string access;
  std::string mechanism;  // upper-cased ("INTERNAL"); "" in a rump URL
  std::string token;      // lower-cased hex, at least 32 digits; "" in a rump URL
};

// `full`: the URL must carry ":mechanism:token" (URLFETCH, BURL); else it must not
// (GENURLAUTH's rump). nullopt for anything else, including a relative URL, a URL without
// a user, or an unknown access identifier.
std::optional<UrlauthUrl> parse_urlauth_url(std::string_view text, bool full);

// Whether the URL's "host[:port]" names `configured` (imapd_urlauth_host), case-
// insensitively; the port is not compared (the token signs the URL, port included).
bool urlauth_host_matches(std::string_view hostport, std::string_view configured);

// RFC 3339 date-time ("2026-12-07T10:00:00Z", "...+01:00", fractions ignored) as seconds
// since the epoch; nullopt when invalid.
std::optional<int64_t> parse_rfc3339(std::string_view text);

}  // namespace correio::mail
