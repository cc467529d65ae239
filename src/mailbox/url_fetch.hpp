// The bytes an IMAP URL (RFC 5092 imessagepart) names in one user's mail store: the whole
// message, a section, a partial range. Shared by CATENATE and URLFETCH in imapd and BURL
// in smtpd. Opens the folder read-only; no locks are held after the call.
#pragma once

#include <optional>
#include <string>

#include "mail/imap_url.hpp"
#include "mailbox/mailbox.hpp"

namespace correio::mailbox {

// nullopt when the mailbox, its UIDVALIDITY, the message or the section does not resolve
// (RFC 4469 §5 BADURL, RFC 4467 URLFETCH NIL, RFC 4468 554 5.6.6). The bytes are
// CRLF-normalised, as FETCH sends them.
std::optional<std::string> fetch_url_bytes(MailUser& user, const mail::ImapUrl& url);

}  // namespace correio::mailbox
