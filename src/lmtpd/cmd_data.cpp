// Message content: DATA (RFC 2033 §4.2) and BDAT (RFC 3030 with RFC 2033 §4.3), then one
// Maildir delivery and one reply per accepted recipient. A 250 for a recipient means
// that recipient's copy is fsynced in its Maildir's new/ (design.md §3).
#include <asio/co_spawn.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>

#include "base/clock.hpp"
#include "base/strings.hpp"
#include "cleanup/received.hpp"
#include "delivery/mailbox_delivery.hpp"
#include "lmtpd/replies.hpp"
#include "lmtpd/session.hpp"
#include "smtp/data_framer.hpp"

namespace correio::lmtpd {
namespace {

using delivery::MailboxOutcome;

constexpr size_t kSegment = 64 * 1024;  // longest piece of a content line read at once
// Bytes per second that extend the content deadline: Postfix's smtpd_min_data_rate default.
constexpr size_t kMinDataRate = 500;

}  // namespace

asio::awaitable<Session::Next> Session::cmd_data(const Command& command) {
  if (!command.argument.empty()) co_return co_await reply(501, "5.5.4", "Syntax: DATA");
  if (!transaction_) co_return co_await reply(503, "5.5.1", "Error: need MAIL command");
  // RFC 2033 §4.2: without a successful RCPT, DATA fails with 503.
  if (transaction_->recipients.empty())
    co_return co_await reply(503, "5.5.1", "Error: need RCPT command");
  if (transaction_->chunking) co_return co_await reply(503, "5.5.1", "Error: DATA after BDAT");
  if (co_await reply(354, "", "End data with <CR><LF>.<CR><LF>") == Next::close)
    co_return Next::close;

  // LMTP clients are MTAs: a bare LF is taken as a line end, never as the end of data.
  smtp::DataFramer framer(/*reject_bare_newline=*/false);
  Transaction& t = *transaction_;
  std::string piece_out;
  // As smtpd's content deadline: the whole content within lmtpd_timeout, which each byte
  // received pushes back at kMinDataRate, so a client trickling bytes cannot hold the
  // session for ever (a per-read timeout alone would let it).
  io::RequestScope deadline(conn_, std::chrono::steady_clock::now() + settings_.timeout,
                            kMinDataRate);
  for (;;) {
    io::LineResult piece = co_await conn_.read_segment(kSegment);
    if (piece.status == io::ReadStatus::timeout) {
      log_.info("timeout after DATA ({} bytes) from {}", t.content.size(), client_label());
      co_await conn_.write("421 4.4.2 " + settings_.myhostname + " Error: timeout exceeded\r\n");
      co_return Next::close;
    }
    if (piece.status != io::ReadStatus::ok) {
      log_.info("lost connection after DATA ({} bytes) from {}", t.content.size(), client_label());
      co_return Next::close;
    }
    piece_out.clear();
    bool end = framer.feed(piece.line, piece_out) == smtp::DataFramer::Event::end;
    if (!t.too_big) t.content += piece_out;
    if (static_cast<long long>(t.content.size()) > settings_.message_size_limit) {
      t.too_big = true;
      t.content.clear();  // keep reading to the dot, but hold no more of it
    }
    if (end) break;
  }
  co_return co_await deliver();
}

asio::awaitable<Session::Next> Session::cmd_bdat(const Command& command) {
  auto args = base::split_any(command.argument, " ");
  std::optional<long long> size = args.empty() ? std::nullopt : base::parse_int(args[0]);
  bool last = args.size() == 2 && base::iequals(args[1], "LAST");
  if (!size || *size < 0 || args.size() > 2 || (args.size() == 2 && !last)) {
    // Without a valid size we cannot know where the chunk ends: the session is lost.
    co_await reply(501, "5.5.4", "Syntax: BDAT count [LAST]");
    co_return Next::close;
  }
  // RFC 3030 §2: the chunk is always read, even when the command is refused.
  bool keep = transaction_ && !transaction_->recipients.empty() && !transaction_->too_big;
  if (keep &&
      *size > settings_.message_size_limit - static_cast<long long>(transaction_->content.size())) {
    transaction_->too_big = true;
    transaction_->content.clear();
    keep = false;
  }
  std::string chunk;
  size_t remaining = static_cast<size_t>(*size);
  io::RequestScope deadline(conn_, std::chrono::steady_clock::now() + settings_.timeout,
                            kMinDataRate);  // as for DATA content
  while (remaining > 0) {
    size_t take = std::min(remaining, kSegment);
    chunk.clear();
    io::ReadStatus status = co_await conn_.read_exact(take, chunk);
    if (status == io::ReadStatus::timeout) {
      log_.info("timeout after BDAT from {}", client_label());
      co_await conn_.write("421 4.4.2 " + settings_.myhostname + " Error: timeout exceeded\r\n");
      co_return Next::close;
    }
    if (status != io::ReadStatus::ok) {
      log_.info("lost connection after BDAT from {}", client_label());
      co_return Next::close;
    }
    remaining -= take;
    if (keep) transaction_->content += chunk;
  }
  if (!transaction_) co_return co_await reply(503, "5.5.1", "Error: need MAIL command");
  if (transaction_->recipients.empty())
    co_return co_await reply(503, "5.5.1", "Error: need RCPT command");
  transaction_->chunking = true;
  if (!last) {
    if (transaction_->too_big)
      co_return co_await reply(552, "5.3.4", "Error: message file too big");
    co_return co_await reply(250, "2.0.0", "Ok: " + std::to_string(*size) + " bytes");
  }
  // The stored form has LF line endings, like DATA content (CRLF pairs may have been
  // split between chunks, so this runs over the whole message).
  std::string& content = transaction_->content;
  size_t out = 0;
  for (size_t i = 0; i < content.size(); ++i) {
    if (content[i] == '\r' && i + 1 < content.size() && content[i + 1] == '\n') continue;
    content[out++] = content[i];
  }
  content.resize(out);
  co_return co_await deliver();
}

asio::awaitable<Session::Next> Session::deliver() {
  Transaction t = std::move(*transaction_);
  transaction_.reset();
  // RFC 2033 §4.2: one reply per recipient that RCPT accepted, in the same order, sent
  // together (they are answers, not errors of the client: no error count).
  std::string replies;
  if (t.too_big) {
    log_.info("{}: reject: message file too big from {}", t.id, client_label());
    for (size_t i = 0; i < t.recipients.size(); ++i)
      replies += smtp::Reply(552, "5.3.4", "Error: message file too big").to_wire();
    co_return co_await send(replies);
  }
  log_.info("{}: from=<{}>, size={}, nrcpt={} (lmtp)", t.id, t.sender, t.content.size(),
            t.recipients.size());

  cleanup::ReceivedInfo received;
  received.helo = lhlo_name_;
  received.client_name = conn_.is_local() ? "local" : "unknown";
  received.client_address = conn_.remote_address();
  received.myhostname = settings_.myhostname;
  received.protocol = "LMTP";
  received.queue_id = t.id;
  const int64_t received_us = base::now_us();

  // One Received: line per recipient (it names the recipient), as Dovecot's lmtp writes.
  std::vector<std::string> received_lines;
  std::vector<delivery::MailboxRecipient> recipients;
  received_lines.reserve(t.recipients.size());
  for (const auto& rcpt : t.recipients) {
    cleanup::ReceivedInfo mine = received;
    mine.recipient = rcpt;
    received_lines.push_back(cleanup::received_header(mine));
  }
  for (size_t i = 0; i < t.recipients.size(); ++i)
    recipients.push_back({t.recipients[i], "", received_lines[i]});
  delivery::MailboxJob job;
  job.queue_id = t.id;
  job.sender = t.sender;
  job.content = t.content;
  job.relay = "lmtpd";
  job.times = {t.start_us, received_us, received_us, received_us, 0};
  job.log_saved_file = true;

  // The fsyncs run on the worker pool; the event loop keeps serving other sessions.
  std::vector<MailboxOutcome> outcomes = co_await asio::co_spawn(
      services_.workers,
      [&]() -> asio::awaitable<std::vector<MailboxOutcome>> {
        // No MailboxOwners: lmtpd writes as itself (see lmtpd.hpp).
        co_return delivery::deliver_and_log(job, recipients, settings_.mailbox, services_.users,
                                            /*owners=*/nullptr, log_);
      },
      asio::use_awaitable);
  for (size_t i = 0; i < t.recipients.size(); ++i)
    replies += delivery_reply(t.recipients[i], t.id, outcomes[i]).to_wire();
  co_return co_await send(replies);
}

}  // namespace correio::lmtpd
