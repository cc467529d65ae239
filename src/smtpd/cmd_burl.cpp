// BURL (RFC 4468): message content taken from an URLAUTH-authorized IMAP URL (RFC 4467)
// instead of from the client, mixed with BDAT chunks, the last one marked LAST. Correio is
// one system: after the URL's token, access identifier ("submit+" the authenticated user)
// and expiry check out, the message is read straight from the owner's store through the
// mailbox library (mailbox/urlauth_keys.hpp, url_fetch.hpp), not over IMAP, on the
// store's worker threads (Services::store_workers), not on the event loop.
#include <asio/co_spawn.hpp>
#include <asio/use_awaitable.hpp>
#include <ctime>

#include "base/strings.hpp"
#include "mail/urlauth_url.hpp"
#include "mailbox/url_fetch.hpp"
#include "mailbox/urlauth_keys.hpp"
#include "service/user_store.hpp"
#include "smtpd/session.hpp"

namespace correio::smtpd {

bool Session::burl_offered() const {
  // RFC 4468 §3: "BURL imap" only to an authenticated client, when URLAUTH is configured.
  return !settings_.urlauth_host.empty() && !sasl_username_.empty() && services_.burl_users &&
         settings_.ehlo_keyword("BURL");
}

namespace {

// The owner's verdict on the URL and, when it is ok, the bytes it names.
struct StoreRead {
  mailbox::UrlauthVerdict verdict = mailbox::UrlauthVerdict::unavailable;
  std::optional<std::string> bytes;
};

StoreRead read_store(mailbox::MailUser& owner, const mail::UrlauthUrl& url,
                     const mailbox::UrlauthRequester& who) {
  StoreRead r;
  r.verdict = mailbox::check_urlauth(owner, url, who, static_cast<int64_t>(std::time(nullptr)));
  if (r.verdict == mailbox::UrlauthVerdict::ok) r.bytes = mailbox::fetch_url_bytes(owner, url.url);
  return r;
}

asio::awaitable<StoreRead> read_store_task(mailbox::MailUser* owner, const mail::UrlauthUrl* url,
                                           mailbox::UrlauthRequester who) {
  co_return read_store(*owner, *url, who);
}

}  // namespace

asio::awaitable<Result<std::string>> Session::burl_content(std::string_view text,
                                                           smtp::Reply& refusal) {
  auto url = mail::parse_urlauth_url(text, true);
  if (!url) {
    // A plain IMAP URL would need a trust relationship with the IMAP server (RFC 5248
    // §2.4 X.7.14, updating RFC 4468); Correio resolves URLAUTH URLs only.
    if (mail::parse_absolute_imap_url(text))
      refusal = smtp::Reply(554, "5.7.14", "URL resolution requires trust relationship");
    else
      refusal = smtp::Reply(501, "5.5.4", "Invalid chunk URL");
    co_return Error{"invalid URL"};
  }
  if (!mail::urlauth_host_matches(url->url.host, settings_.urlauth_host)) {
    refusal = smtp::Reply(554, "5.6.6", "IMAP URL resolution failed: inappropriate host name");
    co_return Error{"host"};
  }
  service::UserStoreLocation where{settings_.mailbox_base, settings_.mail_location};
  auto owner = service::open_user_store(*services_.burl_users, url->url.user, where);
  if (!owner) {
    log_.warning("BURL: cannot open the mail store of {}: {}", url->url.user,
                 owner.error().message);
    refusal = smtp::Reply(454, "4.4.1", "IMAP server unavailable");  // RFC 4468 §6
    co_return owner.error();
  }
  if (!*owner) {
    refusal = smtp::Reply(554, "5.6.6", "IMAP URL resolution failed: URLAUTH verification failed");
    co_return Error{"unknown owner"};
  }
  mailbox::UrlauthRequester who{sasl_username_, true};
  StoreRead read;
  if (services_.store_workers == nullptr) {
    read = read_store(**owner, *url, who);
  } else {
    // The key check and the message read run on the store's worker threads: a big
    // message on a cold disk does not stall the other SMTP sessions of this process.
    auto task = read_store_task(&**owner, &*url, who);
    read = co_await asio::co_spawn(*services_.store_workers, std::move(task), asio::use_awaitable);
  }
  if (read.verdict == mailbox::UrlauthVerdict::unavailable) {
    refusal = smtp::Reply(454, "4.4.1", "IMAP server unavailable");
    co_return Error{"keys"};
  }
  if (read.verdict != mailbox::UrlauthVerdict::ok) {
    refusal = smtp::Reply(
        554, "5.6.6",
        "IMAP URL resolution failed: " + std::string(mailbox::urlauth_verdict_text(read.verdict)));
    co_return Error{"verdict"};
  }
  if (!read.bytes) {
    refusal = smtp::Reply(554, "5.6.6", "IMAP URL resolution failed: no such message or part");
    co_return Error{"no message"};
  }
  co_return std::move(*read.bytes);
}

asio::awaitable<Session::Next> Session::cmd_burl(const Command& command) {
  if (settings_.urlauth_host.empty() || !settings_.ehlo_keyword("BURL"))
    co_return co_await reply(502, "5.5.1", "Error: command not implemented");
  // burl-cmd = "BURL" SP absolute-URI [SP end-marker]; end-marker = "LAST" (RFC 4468 §3)
  auto args = base::split_any(command.argument, " ");
  bool last = args.size() == 2 && base::iequals(args[1], "LAST");
  if (args.empty() || args.size() > 2 || (args.size() == 2 && !last))
    co_return co_await reply(501, "5.5.4", "Syntax: BURL absolute-URI [LAST]");
  if (sasl_username_.empty() || !services_.burl_users)
    co_return co_await reply(530, "5.7.0", "Authentication required");
  if (!envelope_) co_return co_await reply(503, "5.5.1", "Error: need MAIL command");
  if (envelope_->recipients.empty())
    co_return co_await reply(554, "5.5.1", "Error: no valid recipients");
  // smtpd_data_restrictions apply to the first chunk, as for BDAT.
  if (!writer_ && !bdat_failed_) {
    access::Facts facts = access_facts("BURL");
    bdat_refusal_ = co_await access_check(Restrictions::Event::data, facts);
    if (bdat_refusal_) bdat_failed_ = true;
  }
  if (bdat_refusal_) {
    smtp::Reply refusal = *bdat_refusal_;
    if (last) reset_transaction();
    co_return co_await reply(refusal);
  }
  if (bdat_failed_) {
    // An earlier BURL or BDAT chunk of this message was refused: it cannot be complete.
    if (last) reset_transaction();
    co_return co_await reply(554, "5.5.0", "Error: an earlier chunk of this message was refused");
  }
  smtp::Reply refusal;
  Result<std::string> content = co_await burl_content(args[0], refusal);
  if (!content) {
    // The message cannot be complete: the rest of its chunks are discarded, and nothing
    // of it is queued (RFC 4468 §4: the transaction fails).
    log_.info("BURL from {}: {}", client_label(), refusal.lines.empty() ? "" : refusal.lines[0]);
    bdat_failed_ = true;
    if (last) reset_transaction();
    co_return co_await reply(refusal);
  }
  if (static_cast<long long>(content->size()) > settings_.message_size_limit - message_size_) {
    bdat_failed_ = true;
    if (last) reset_transaction();
    co_return co_await reply(552, "5.3.4", "Error: message file too big");
  }
  if (!writer_ && !write_failed_) start_message();
  // Stored form uses LF line endings, like DATA and BDAT content.
  std::string stored;
  stored.reserve(content->size());
  for (size_t i = 0; i < content->size(); ++i) {
    if ((*content)[i] == '\r' && i + 1 < content->size() && (*content)[i + 1] == '\n') continue;
    stored += (*content)[i];
  }
  store_content(stored);
  if (write_failed_) {
    reset_transaction();
    co_return co_await reply(452, "4.3.1", "Insufficient system storage");
  }
  if (!last) {
    co_return co_await reply(250, "2.5.0", "Waiting for additional BURL or BDAT commands");
  }
  co_return co_await finish_message();
}

}  // namespace correio::smtpd
