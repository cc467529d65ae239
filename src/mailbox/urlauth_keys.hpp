// URLAUTH (RFC 4467) on the store side: the user's mailbox access keys — one random
// 256-bit key per folder, in the Maildir root's "correio-urlauth-keys" (mode 0600, changed
// under a dot-lock like METADATA's files) — the INTERNAL mechanism's token (HMAC-SHA256
// of the rump URL under the folder's key) and the checks before a URL is resolved.
// Thread-compatible: one MailUser per session; the dot-lock orders writers across processes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "mail/urlauth_url.hpp"
#include "mailbox/mailbox.hpp"

namespace correio::mailbox {

// Folder name (as IMAP names it) -> key (64 lower-case hex digits).
using UrlauthKeys = std::map<std::string, std::string>;

// "correio-urlauth-keys 1\n" then "KEY NAME\n" per folder. nullopt when the text is not
// such a file. Pure.
std::optional<UrlauthKeys> parse_urlauth_keys(std::string_view text);
std::string format_urlauth_keys(const UrlauthKeys& keys);

// The folder's key; with `create` a missing key is made and stored, else "" is returned.
Result<std::string> urlauth_key(const MailUser& user, std::string_view folder, bool create);
// RESETKEY (RFC 4467 §4.1): forgets the folder's key (every folder's when `folder` is
// empty), so that every URL made with it stops working; GENURLAUTH makes a new one.
Status reset_urlauth_keys(const MailUser& user, std::string_view folder);

// The INTERNAL mechanism's token for `rump`: HMAC-SHA256 under the key, lower-case hex.
std::string urlauth_token(std::string_view key_hex, std::string_view rump);

// Who asks to resolve a URL; RFC 4467 §3's access identifiers say who may.
struct UrlauthRequester {
  std::string user;     // the authenticated user; "" for none
  bool submit = false;  // the submission server (BURL, RFC 4468) acting for `user`
};

enum class UrlauthVerdict { ok, expired, not_permitted, bad_mechanism, bad_token, unavailable };

// Why a URL was refused, for logs and replies ("URLAUTH has expired", ...); "" for ok.
std::string_view urlauth_verdict_text(UrlauthVerdict verdict);

// Checks, in this order, the mechanism, the access identifier against `who`, the expiry
// against `now` (seconds since the epoch) and the token against `owner`'s key for the
// URL's folder. `owner` is the store of the URL's user.
UrlauthVerdict check_urlauth(const MailUser& owner, const mail::UrlauthUrl& url,
                             const UrlauthRequester& who, int64_t now);

}  // namespace correio::mailbox
