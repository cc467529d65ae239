// URLAUTH (RFC 4467): GENURLAUTH signs a rump URL of the user's own message with the
// folder's mailbox access key, RESETKEY forgets keys, URLFETCH resolves signed URLs (the
// user's own, or another user's when its access identifier allows). The keys and the
// checks are mailbox/urlauth_keys.hpp's; smtpd's BURL resolves the same URLs.
#include <fmt/format.h>

#include <asio/co_spawn.hpp>
#include <asio/use_awaitable.hpp>
#include <ctime>

#include "base/strings.hpp"
#include "imapd/response.hpp"
#include "imapd/session.hpp"
#include "mail/urlauth_url.hpp"
#include "mailbox/url_fetch.hpp"
#include "mailbox/urlauth_keys.hpp"
#include "service/user_store.hpp"

namespace correio::imapd {

bool Session::urlauth_host_ok(std::string_view hostport) const {
  return mail::urlauth_host_matches(hostport, settings_.urlauth_host);
}

asio::awaitable<void> Session::cmd_genurlauth(const Command& c, Parser& p) {
  // "GENURLAUTH" 1*(SP url-rump SP mechanism) (RFC 4467 §7)
  std::string line = "GENURLAUTH";
  do {
    auto text = p.astring();
    auto mechanism = text && p.space() ? p.atom() : std::nullopt;
    if (!mechanism) {
      bad(c, "Error in IMAP command GENURLAUTH: Invalid arguments.");
      co_return;
    }
    auto rump = mail::parse_urlauth_url(*text, false);
    if (!rump) {
      bad(c, "Error in IMAP command GENURLAUTH: Invalid URL: Must be an URLAUTH rump URL.");
      co_return;
    }
    if (upper(*mechanism) != "INTERNAL") {
      bad(c, "Error in IMAP command GENURLAUTH: Unsupported URLAUTH mechanism: " + *mechanism);
      co_return;
    }
    if (!urlauth_host_ok(rump->url.host)) {
      bad(c, "Error in IMAP command GENURLAUTH: Invalid URL: Inappropriate host name");
      co_return;
    }
    if (rump->url.user != username_) {
      // RFC 4467 §7: only the owner of the mailbox signs URLs for it.
      bad(c, "Error in IMAP command GENURLAUTH: Not permitted to generate URLAUTH for user " +
                 rump->url.user);
      co_return;
    }
    // Like Dovecot, the message must exist now (its later expunge makes the URL fail).
    auto box = user_->open_mailbox(rump->url.mailbox, true);
    if (!box || !(*box)->sync()) {
      bad(c, "Error in IMAP command GENURLAUTH: Invalid URL: Mailbox doesn't exist: " +
                 rump->url.mailbox);
      co_return;
    }
    if ((rump->url.uid_validity && *rump->url.uid_validity != (*box)->uid_validity()) ||
        (*box)->find(rump->url.uid) == nullptr) {
      bad(c, "Error in IMAP command GENURLAUTH: Invalid URL: Message not found");
      co_return;
    }
    auto key = mailbox::urlauth_key(*user_, rump->url.mailbox, true);
    if (!key) {
      shared_.log.warning("user {}: {}", username_, key.error().message);
      no(c, "[SERVERBUG] Cannot store the mailbox access key.");
      co_return;
    }
    line += ' ';
    append_astring(line, rump->rump + ":internal:" + mailbox::urlauth_token(*key, rump->rump));
  } while (p.space());
  if (!p.at_end()) {
    bad(c, "Error in IMAP command GENURLAUTH: Invalid arguments.");
    co_return;
  }
  untagged(line);
  ok(c, "GENURLAUTH completed.");
}

asio::awaitable<void> Session::cmd_resetkey(const Command& c, Parser& p) {
  // "RESETKEY" [SP mailbox *(SP mechanism)] (RFC 4467 §4.1)
  if (p.at_end()) {
    if (Status s = mailbox::reset_urlauth_keys(*user_, ""); !s) {
      shared_.log.warning("user {}: {}", username_, s.error().message);
      no(c, "[SERVERBUG] Cannot remove the mailbox access keys.");
      co_return;
    }
    ok(c, "All keys removed.");
    co_return;
  }
  auto name = p.mailbox();
  if (!name) {
    bad(c, "Error in IMAP command RESETKEY: Invalid arguments.");
    co_return;
  }
  while (p.space()) {
    auto mechanism = p.atom();
    if (!mechanism) {
      bad(c, "Error in IMAP command RESETKEY: Invalid arguments.");
      co_return;
    }
    if (upper(*mechanism) != "INTERNAL") {
      no(c, "Unsupported URLAUTH mechanism");
      co_return;
    }
  }
  if (!p.at_end()) {
    bad(c, "Error in IMAP command RESETKEY: Invalid arguments.");
    co_return;
  }
  auto box = user_->open_mailbox(*name, true);
  if (!box) {
    no(c, "Mailbox doesn't exist: " + *name);
    co_return;
  }
  if (Status s = mailbox::reset_urlauth_keys(*user_, *name); !s) {
    shared_.log.warning("user {}: {}", username_, s.error().message);
    no(c, "[SERVERBUG] Cannot remove the mailbox access key.");
    co_return;
  }
  ok(c, "[URLMECH INTERNAL] Key removed.");
}

namespace {

// What one URL resolves to, read from the owner's store (a worker thread's job).
struct UrlRead {
  std::optional<std::string> bytes;
  std::string why;
};

UrlRead read_url(mailbox::MailUser& owner, const mail::UrlauthUrl& url,
                 const mailbox::UrlauthRequester& who) {
  UrlRead r;
  auto verdict = mailbox::check_urlauth(owner, url, who, static_cast<int64_t>(std::time(nullptr)));
  if (verdict != mailbox::UrlauthVerdict::ok) {
    r.why = std::string(mailbox::urlauth_verdict_text(verdict)) + ".";
    return r;
  }
  r.bytes = mailbox::fetch_url_bytes(owner, url.url);
  if (!r.bytes) r.why = "The URL names no message (expunged, or an invalid part).";
  return r;
}

asio::awaitable<UrlRead> read_url_task(mailbox::MailUser* owner, const mail::UrlauthUrl* url,
                                       mailbox::UrlauthRequester who) {
  co_return read_url(*owner, *url, who);
}

}  // namespace

asio::awaitable<std::optional<std::string>> Session::urlauth_fetch(const std::string& text,
                                                                   std::string& why) {
  auto url = mail::parse_urlauth_url(text, true);
  if (!url || !urlauth_host_ok(url->url.host)) {
    why = "Invalid URLAUTH URL.";
    co_return std::nullopt;
  }
  // The owner's store: this session's, or another user's opened for this one URL (the
  // user directory is asked on the event loop, as LOGIN does).
  std::optional<mailbox::MailUser> other;
  mailbox::MailUser* owner = &*user_;
  if (url->url.user != username_) {
    service::UserStoreLocation where{settings_.mailbox_base, settings_.mail_location};
    auto opened = service::open_user_store(shared_.users, url->url.user, where);
    if (!opened || !*opened) {
      why = "URLAUTH verification failed.";  // an unknown owner is not told apart
      co_return std::nullopt;
    }
    other = std::move(**opened);
    owner = &*other;
  }
  mailbox::UrlauthRequester who{username_, false};
  UrlRead r;
  if (shared_.workers == nullptr) {
    r = read_url(*owner, *url, who);
  } else {
    // The key check and the message read (a big attachment, a cold disk) run on the
    // worker threads, so that a large URLFETCH does not stall every other session.
    auto task = read_url_task(owner, &*url, who);
    r = co_await asio::co_spawn(*shared_.workers, std::move(task), asio::use_awaitable);
  }
  why = std::move(r.why);
  co_return std::move(r.bytes);
}

asio::awaitable<void> Session::cmd_urlfetch(const Command& c, Parser& p) {
  // "URLFETCH" 1*(SP url) (RFC 4467 §8); a URL that does not resolve gives NIL.
  std::vector<std::string> urls;
  do {
    auto text = p.astring();
    if (!text) {
      bad(c, "Error in IMAP command URLFETCH: Invalid arguments.");
      co_return;
    }
    urls.push_back(std::move(*text));
  } while (p.space());
  if (!p.at_end()) {
    bad(c, "Error in IMAP command URLFETCH: Invalid arguments.");
    co_return;
  }
  for (const auto& text : urls) {
    std::string why;
    std::optional<std::string> bytes = co_await urlauth_fetch(text, why);
    std::string line = "URLFETCH ";
    append_astring(line, text);
    if (bytes) {
      line += fmt::format(" {{{}}}\r\n", bytes->size());
      line += *bytes;
      untagged(line);
    } else {
      untagged(line + " NIL");
      // Dovecot's reason for the NIL, as an untagged NO (RFC 9051 §7.1.2).
      std::string shown = text;
      std::erase_if(shown, [](char ch) { return ch == '"' || ch == '\r' || ch == '\n'; });
      untagged(fmt::format("NO Failed to fetch URLAUTH \"{}\": {}", shown, why));
    }
    bool sent = co_await flush_if_large();
    if (!sent) co_return;
  }
  ok(c, "URLFETCH completed.");
}

}  // namespace correio::imapd
