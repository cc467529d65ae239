// IMAP URLs naming a message or a part of one (RFC 5092 imessagepart), as CATENATE (RFC
// 4469) takes them: "/INBOX;UIDVALIDITY=385759045/;UID=20/;SECTION=1.2/;PARTIAL=0.1024",
// relative to this server, or "imap://user@host/..." for the logged-in user (the URLAUTH
// form is urlauth_url.hpp's). Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace correio::mail {

struct ImapUrl {
  std::string user;     // the absolute URL's user, percent-decoded; "" when it names none
  std::string host;     // the absolute URL's host[:port] as written; "" for a relative URL
  std::string mailbox;  // as IMAP names it on the wire: modified UTF-7 (RFC 3501 §5.1.3)
  std::optional<uint32_t> uid_validity;
  uint32_t uid = 0;
  std::string section;  // section-text as in BODY[...], percent-decoded; "" = whole message
  std::optional<uint64_t> partial_offset;
  std::optional<uint64_t> partial_length;
};

// Parses `url` for the logged-in `user`. An absolute URL must name that user (or none);
// the host is not checked: Correio serves the user's own mailboxes only. URLAUTH URLs
// (RFC 4467) and URLs naming a mailbox but no message are refused (nullopt).
std::optional<ImapUrl> parse_imap_url(std::string_view url, std::string_view user);

// %XX escapes decoded (RFC 3986 §2.1); nullopt for a malformed escape or a decoded NUL.
std::optional<std::string> url_percent_decode(std::string_view text);

// An absolute URL ("imap://user@host/...") with its user and host, whoever it names;
// nullopt for a relative URL or one without a user.
std::optional<ImapUrl> parse_absolute_imap_url(std::string_view url);

// A UTF-8 mailbox name in IMAP's modified UTF-7 (RFC 3501 §5.1.3): "&" becomes "&-",
// non-ASCII runs "&" + modified BASE64 of UTF-16BE + "-". nullopt for invalid UTF-8.
std::optional<std::string> utf8_to_modified_utf7(std::string_view utf8);

}  // namespace correio::mail
