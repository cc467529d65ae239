// Message content: DATA (RFC 5321 §4.1.1.4) and BDAT (RFC 3030 CHUNKING), writing into
// the queue as the bytes arrive, and the 250 that comes only after the queue file is
// durable (design.md §3).
#include <asio/async_result.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>
#include <memory>
#include <optional>

#include "base/strings.hpp"
#include "cleanup/received.hpp"
#include "smtp/data_framer.hpp"
#include "smtpd/session.hpp"

namespace correio::smtpd {
namespace {

constexpr size_t kSegment = 64 * 1024;  // longest piece of a content line read at once
constexpr size_t kFlushAt = 64 * 1024;  // content buffered before it is written out

// Waits for MessageWriter::commit's callback, which may run on another thread.
asio::awaitable<Result<std::string>> commit_message(MessageWriter& writer) {
  auto executor = co_await asio::this_coro::executor;
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(Result<std::string>)>(
      [&writer, executor](auto handler) {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        writer.commit([shared, executor](Result<std::string> result) {
          asio::post(executor, [shared, result = std::move(result)]() mutable {
            (*shared)(std::move(result));
          });
        });
      },
      asio::use_awaitable);
}

}  // namespace

bool Session::start_message() {
  // access(5) REDIRECT: the message goes to that address only, for all recipients.
  if (!effects_.redirect.empty())
    envelope_->recipients = {Recipient{effects_.redirect, "", "", {}}};
  auto writer = sink_.begin(*envelope_);
  if (!writer) {
    log_.warning("queue file create error: {}", writer.error().message);
    write_failed_ = true;
    return false;
  }
  writer_ = std::move(writer.value());
  queue_id_ = writer_->queue_id();
  // Postfix: "client=unknown[1.2.3.4], sasl_method=PLAIN, sasl_username=alice".
  if (sasl_username_.empty())
    log_.info("{}: client={}", queue_id_, client_label());
  else
    log_.info("{}: client={}, sasl_method={}, sasl_username={}", queue_id_, client_label(),
              sasl_method_, sasl_username_);
  cleanup::ReceivedInfo info;
  info.helo = helo_name_;
  info.client_name = client_name_;
  info.client_address = conn_.remote_address();
  info.myhostname = settings_.myhostname;
  bool tls = conn_.tls_active();
  info.protocol = envelope_->smtputf8 ? (tls ? "UTF8SMTPS" : "UTF8SMTP")
                  : esmtp_            ? (tls ? "ESMTPS" : "ESMTP")
                                      : "SMTP";
  if (esmtp_ && !sasl_username_.empty()) info.protocol += "A";  // RFC 3848
  // Postfix: the protocol and cipher go into Received: only with smtpd_tls_received_header.
  if (tls && settings_.tls_received_header)
    info.tls_note = "(using " + conn_.tls_description() + ")";
  if (settings_.sasl_authenticated_header && !sasl_username_.empty())
    info.auth_note = "(Authenticated sender: " + sasl_username_ + ")";
  info.queue_id = queue_id_;
  if (envelope_->recipients.size() == 1) info.recipient = envelope_->recipients.front().address;
  cleanup::HeaderOptions options;
  options.queue_id = queue_id_;
  options.myhostname = settings_.myhostname;
  options.header_size_limit = settings_.header_size_limit;
  options.hopcount_limit = settings_.hopcount_limit;
  bool local = services_.header_clients.matches(info.client_address, !sasl_username_.empty());
  if (local || !services_.rewriter.remote_header_domain().empty()) {
    // local_header_rewrite_clients: "rewrite or add message headers" (postconf(5)); other
    // clients only with remote_header_rewrite_domain, which completes their addresses.
    auto context = local ? cleanup::HeaderContext::kLocal : cleanup::HeaderContext::kRemote;
    options.rewrite_header = [&rewriter = services_.rewriter, context](std::string_view header) {
      return rewriter.header(header, context);
    };
    std::string sender = envelope_->rewritten_sender.value_or(envelope_->sender);
    options.missing_from = sender.empty() ? "MAILER-DAEMON" : sender;
  }
  cleanup_.emplace(options);
  // With milters the content waits in memory for them (session_milter.cpp).
  if (milters_) milter_content_.emplace();
  std::string received = cleanup::received_header(info);
  if (services_.checks) {
    // Postfix's cleanup sees smtpd's Received: as the first header: it is checked too.
    inspector_.emplace(
        *services_.checks,
        cleanup::CheckContext{queue_id_, client_label(), envelope_->sender,
                              envelope_->recipients.front().address, info.protocol, helo_name_},
        log_);
    std::string checked;
    inspector_->own_header(received, checked);
    received = std::move(checked);
  }
  // access(5) PREPEND: the headers go first, in the order the actions ran (Postfix's
  // smtpd writes them before its Received: line).
  std::string prepended;
  for (const std::string& header : effects_.prepend) prepended += header + "\n";
  if (Status s = write_content(prepended + received); !s) {
    log_.warning("{}: queue file write error: {}", queue_id_, s.error().message);
    write_failed_ = true;
  }
  return true;
}

void Session::store_content(std::string_view content) {
  message_size_ += static_cast<long long>(content.size());
  if (message_size_ > settings_.message_size_limit) message_too_big_ = true;
  if (message_too_big_ || write_failed_ || !writer_) return;
  std::string cleaned;
  std::string_view stored = content;  // the body without inspection is stored as it came
  if (inspector_) {
    std::string inspected;
    inspector_->feed(content, inspected);
    if (inspector_->stopped()) return;  // rejected or discarded: nothing more is kept
    cleanup_->feed(inspected, cleaned);
    stored = cleaned;
  } else if (!cleanup_->passes_through()) {
    cleanup_->feed(content, cleaned);
    stored = cleaned;
  }
  if (Status s = write_content(stored); !s) {
    log_.warning("{}: queue file write error: {}", queue_id_, s.error().message);
    write_failed_ = true;
  }
}

asio::awaitable<Session::Next> Session::finish_message() {
  if (writer_ && !write_failed_ && !message_too_big_) {
    std::string tail;
    if (inspector_) {
      std::string rest;
      inspector_->finish(rest);
      cleanup_->feed(rest, tail);
    }
    cleanup_->finish(tail);
    if (Status s = write_content(tail); !s) write_failed_ = true;
    if (cleanup_->too_many_hops()) {
      log_.info("{}: reject: too many hops ({} Received: headers) from {}", queue_id_,
                settings_.hopcount_limit, client_label());
      reset_transaction();
      co_return co_await reply(554, "5.4.0", "Error: too many hops");
    }
    if (const auto& failed = cleanup_->rewrite_error()) {
      // Postfix's cleanup defers the message when a table fails (CLEANUP_STAT_WRITE).
      log_.warning("{}: header address rewriting: {}", queue_id_, failed->message);
      reset_transaction();
      co_return co_await reply(451, "4.3.0", "Error: queue file write error");
    }
    if (auto ends = carry_out_verdict()) {
      reset_transaction();
      co_return co_await reply(*ends);
    }
    // Postfix's cleanup(8) logs this; Correio's cleanup runs inside smtpd (same pid).
    log_.info_as("cleanup", "{}: message-id={}", queue_id_, cleanup_->message_id());
  }
  if (write_failed_) {
    reset_transaction();
    co_return co_await reply(452, "4.3.1", "Insufficient system storage");
  }
  if (message_too_big_) {
    reset_transaction();
    co_return co_await reply(552, "5.3.4", "Error: message file too big");
  }
  access::Facts facts = access_facts("END-OF-MESSAGE");
  std::optional<smtp::Reply> refused =
      co_await access_check(Restrictions::Event::end_of_data, facts);
  if (refused) {
    reset_transaction();  // the queue file goes with its writer
    co_return co_await reply(*refused);
  }
  if (effects_.discard) {
    // access(5) DISCARD: "claim successful delivery and silently discard the message".
    std::string id = queue_id_;
    log_.info("{}", access::whatsup_line(facts, "discard", "message discarded by DISCARD action"));
    reset_transaction();
    co_return co_await reply(250, "2.0.0", "Ok: queued as " + id);
  }
  std::optional<smtp::Reply> milter_ends = co_await milter_end_of_message();
  if (milter_ends) {
    reset_transaction();
    co_return co_await reply(*milter_ends);
  }
  if (Status s = record_decisions(); !s) {
    log_.warning("{}: queue file write error: {}", queue_id_, s.error().message);
    reset_transaction();
    co_return co_await reply(452, "4.3.1", "Insufficient system storage");
  }
  Result<std::string> committed = co_await commit_message(*writer_);
  if (!committed) {
    log_.warning("{}: queue file write error: {}", queue_id_, committed.error().message);
    reset_transaction();
    co_return co_await reply(452, "4.3.1", "Insufficient system storage");
  }
  std::string id = *committed;
  reset_transaction();
  if (services_.counters) services_.counters->received.add();
  co_return co_await reply(250, "2.0.0", "Ok: queued as " + id);
}

asio::awaitable<Session::Next> Session::cmd_data(const Command& command) {
  if (!command.argument.empty()) co_return co_await reply(501, "5.5.4", "Syntax: DATA");
  if (!envelope_) co_return co_await reply(503, "5.5.1", "Error: need RCPT command");
  if (envelope_->recipients.empty())
    co_return co_await reply(554, "5.5.1", "Error: no valid recipients");
  if (writer_) co_return co_await reply(503, "5.5.1", "Error: DATA after BDAT");
  // RFC 2920 §3.1: DATA ends a pipelined group; content before our 354 is a violation.
  if (pipelining_violation("DATA")) {
    co_await conn_.write("554 5.5.0 Error: SMTP protocol synchronization\r\n");
    co_await conn_.drain_and_close();
    co_return Next::close;
  }
  access::Facts facts = access_facts("DATA");
  std::optional<smtp::Reply> refused = co_await access_check(Restrictions::Event::data, facts);
  if (refused) co_return co_await reply(*refused);
  if (!start_message()) {
    write_failed_ = false;
    co_return co_await reply(452, "4.3.1", "Insufficient system storage");
  }
  std::optional<smtp::Reply> milter_refusal = co_await milter_data();
  if (milter_refusal) {
    reset_transaction();
    co_return co_await reply(*milter_refusal);
  }
  if (co_await reply(354, "", "End data with <CR><LF>.<CR><LF>") == Next::close)
    co_return Next::close;

  bool reject_bare_lf = settings_.bare_newline == BareNewline::reject &&
                        !settings_.bare_newline_exclusions.contains(conn_.remote_address());
  smtp::DataFramer framer(reject_bare_lf);
  std::string content;
  content.reserve(kFlushAt + kSegment);  // a flush is due before it grows past this
  // smtpd_per_request_deadline with smtpd_min_data_rate (Postfix 3.7): the content has
  // one deadline, smtpd_timeout from now, which each byte received pushes back.
  std::optional<io::RequestScope> deadline;
  if (settings_.per_request_deadline)
    deadline.emplace(conn_, std::chrono::steady_clock::now() + settings_.timeout,
                     settings_.min_data_rate);
  for (;;) {
    io::LineResult piece = co_await conn_.read_segment(kSegment);
    if (piece.status == io::ReadStatus::timeout) {
      log_.info("timeout after DATA ({} bytes) from {}", message_size_, client_label());
      co_await conn_.write("421 4.4.2 " + settings_.myhostname + " Error: timeout exceeded\r\n");
      co_return Next::close;
    }
    if (piece.status != io::ReadStatus::ok) {
      log_.info("lost connection after DATA ({} bytes) from {}", message_size_, client_label());
      co_return Next::close;  // the unfinished queue file goes with writer_
    }
    smtp::DataFramer::Event event = framer.feed(piece.line, content);
    if (event == smtp::DataFramer::Event::bare_newline) {
      log_.info("disconnect: bare <LF> received from {} after DATA", client_label());
      reset_transaction();  // the partial queue file goes before the client hears of it
      co_await conn_.write("521 5.5.2 " + settings_.myhostname + " Error: bare <LF> received\r\n");
      co_await conn_.drain_and_close();
      co_return Next::close;
    }
    bool end = event == smtp::DataFramer::Event::end;
    if (content.size() >= kFlushAt || end) {
      store_content(content);
      content.clear();
    }
    if (end) break;
  }
  co_return co_await finish_message();
}

asio::awaitable<Session::Next> Session::cmd_bdat(const Command& command) {
  auto args = base::split_any(command.argument, " ");
  std::optional<long long> size = args.empty() ? std::nullopt : base::parse_int(args[0]);
  bool last = args.size() == 2 && base::iequals(args[1], "LAST");
  if (!size || args.size() > 2 || (args.size() == 2 && !last)) {
    // Without a valid size we cannot know where the chunk ends: the session is lost.
    co_await reply(501, "5.5.4", "Syntax: BDAT count [LAST]");
    co_return Next::close;
  }
  // smtpd_data_restrictions apply to the first BDAT as to DATA; a refusal answers every
  // chunk of the message.
  if (!writer_ && !bdat_failed_ && envelope_ && !envelope_->recipients.empty()) {
    access::Facts facts = access_facts("BDAT");
    bdat_refusal_ = co_await access_check(Restrictions::Event::data, facts);
    // smtpd_milters' DATA event comes with the first BDAT, once the queue ID is known.
    if (!bdat_refusal_ && milters_ && start_message()) bdat_refusal_ = co_await milter_data();
    if (bdat_refusal_) bdat_failed_ = true;
  }
  // RFC 3030 §2: the chunk is always read, even when the command is refused.
  std::string chunk;
  size_t remaining = static_cast<size_t>(*size);
  bool refuse_size = *size > settings_.message_size_limit - message_size_;
  std::optional<io::RequestScope> deadline;  // as for DATA content
  if (settings_.per_request_deadline)
    deadline.emplace(conn_, std::chrono::steady_clock::now() + settings_.timeout,
                     settings_.min_data_rate);
  while (remaining > 0) {
    size_t take = std::min(remaining, kFlushAt);
    std::string piece;
    io::ReadStatus status = co_await conn_.read_exact(take, piece);
    if (status == io::ReadStatus::timeout) {
      log_.info("timeout after BDAT ({} bytes) from {}", message_size_, client_label());
      std::string bye = "421 4.4.2 " + settings_.myhostname + " Error: timeout exceeded\r\n";
      co_await conn_.write(bye);
      co_return Next::close;
    }
    if (status != io::ReadStatus::ok) {
      log_.info("lost connection after BDAT ({} bytes) from {}", message_size_, client_label());
      co_return Next::close;
    }
    remaining -= take;
    if (!refuse_size) chunk += piece;
    if (chunk.size() >= kFlushAt || remaining == 0) {
      if (envelope_ && !envelope_->recipients.empty() && !bdat_failed_) {
        if (!writer_ && !write_failed_) start_message();
        // Stored form uses LF line endings, like DATA content.
        std::string stored;
        stored.reserve(chunk.size());
        for (size_t i = 0; i < chunk.size(); ++i) {
          if (chunk[i] == '\r' && i + 1 < chunk.size() && chunk[i + 1] == '\n') continue;
          stored += chunk[i];
        }
        store_content(stored);
      }
      chunk.clear();
    }
  }
  if (!envelope_) co_return co_await reply(503, "5.5.1", "Error: need MAIL command");
  if (envelope_->recipients.empty())
    co_return co_await reply(554, "5.5.1", "Error: no valid recipients");
  if (bdat_refusal_) {
    smtp::Reply refusal = *bdat_refusal_;
    if (last) reset_transaction();
    co_return co_await reply(refusal);
  }
  if (refuse_size || bdat_failed_) {
    bdat_failed_ = true;
    if (last) reset_transaction();
    co_return co_await reply(552, "5.3.4", "Error: message file too big");
  }
  if (write_failed_) {
    reset_transaction();
    co_return co_await reply(452, "4.3.1", "Insufficient system storage");
  }
  if (!last) co_return co_await reply(250, "2.0.0", "Ok: " + std::to_string(*size) + " bytes");
  co_return co_await finish_message();
}

}  // namespace correio::smtpd
