// Session set-up and envelope commands: LHLO (RFC 2033 §4.1), MAIL and RCPT (RFC 5321
// §4.1.1.2-3 with SIZE, RFC 1870, and BODY, RFC 6152), RSET, NOOP, VRFY, QUIT.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>

#include "base/clock.hpp"
#include "base/strings.hpp"
#include "delivery/mailbox_delivery.hpp"
#include "lmtpd/replies.hpp"
#include "lmtpd/session.hpp"
#include "queue/queue_id.hpp"
#include "smtp/address.hpp"
#include "smtp/helo_name.hpp"

namespace correio::lmtpd {
namespace {}  // namespace

asio::awaitable<Session::Next> Session::cmd_lhlo(const Command& command) {
  if (command.argument.empty()) co_return co_await reply(501, "5.5.4", "Syntax: LHLO hostname");
  transaction_.reset();
  // As smtpd does with HELO (smtp/helo_name.hpp): it goes into Received: and logs.
  lhlo_name_ = smtp::neuter_helo_name(command.argument);
  smtp::Reply r;
  r.code = 250;
  r.lines = {
      settings_.myhostname,  "PIPELINING", fmt::format("SIZE {}", settings_.message_size_limit),
      "ENHANCEDSTATUSCODES", "8BITMIME",   "CHUNKING"};
  co_return co_await reply(r);
}

asio::awaitable<Session::Next> Session::cmd_mail(const Command& command) {
  if (lhlo_name_.empty()) co_return co_await reply(503, "5.5.1", "Error: send LHLO first");
  if (transaction_) co_return co_await reply(503, "5.5.1", "Error: nested MAIL command");
  auto parsed = smtp::parse_path_command(command.argument, "FROM");
  if (!parsed) co_return co_await reply(501, "5.5.4", parsed.error().message);
  for (const auto& [key, value] : parsed->parameters) {
    if (key == "SIZE") {
      auto size = base::parse_int(value);
      if (!size) co_return co_await reply(501, "5.5.4", "Bad message size syntax");
      if (*size > settings_.message_size_limit)
        co_return co_await reply(552, "5.3.4", "Message size exceeds fixed limit");
    } else if (key == "BODY") {
      std::string body = base::to_lower(value);
      if (body != "7bit" && body != "8bitmime")
        co_return co_await reply(501, "5.5.4", "Bad BODY keyword: " + value);
    } else {
      co_return co_await reply(555, "5.5.4", "Unsupported option: " + key);
    }
  }
  // LMTP clients are MTAs that relay what they accepted; UTF-8 addresses pass through.
  if (!parsed->address.empty() && !smtp::valid_mailbox(parsed->address, true))
    co_return co_await reply(501, "5.1.7", "Bad sender address syntax");
  Transaction t;
  t.start_us = base::now_us();
  // A Postfix-shaped ID (microseconds + a number unique in this process) names the
  // transaction in every log line, as a queue ID does for smtpd.
  uint64_t serial =
      (static_cast<uint64_t>(::getpid()) << 24) | (++services_.transactions & 0xffffff);
  t.id = queue::make_queue_id(static_cast<uint32_t>(t.start_us % 1000000), serial);
  t.sender = parsed->address;
  transaction_ = std::move(t);
  log_.info("{}: client={}", transaction_->id, client_label());
  co_return co_await reply(250, "2.1.0", "Ok");
}

asio::awaitable<Session::Next> Session::cmd_rcpt(const Command& command) {
  if (!transaction_) co_return co_await reply(503, "5.5.1", "Error: need MAIL command");
  auto parsed = smtp::parse_path_command(command.argument, "TO");
  if (!parsed) co_return co_await reply(501, "5.5.4", parsed.error().message);
  if (!smtp::valid_mailbox(parsed->address, true))
    co_return co_await reply(501, "5.1.3", "Bad recipient address syntax");
  // No DSN extension is offered, so RCPT takes no parameters (RFC 5321 §4.1.1.11).
  if (!parsed->parameters.empty())
    co_return co_await reply(555, "5.5.4", "Unsupported option: " + parsed->parameters[0].first);
  if (static_cast<long long>(transaction_->recipients.size()) >= settings_.recipient_limit)
    co_return co_await reply(452, "4.5.3", "Error: too many recipients");
  auto lookup = delivery::find_user(parsed->address, settings_.mailbox, services_.users);
  for (const auto& warning : services_.users.take_warnings()) log_.warning("{}", warning);
  smtp::Reply r = rcpt_reply(parsed->address, lookup);
  if (!lookup) log_.warning("user directory lookup failed: {}", lookup.error().message);
  if (r.code >= 400) {
    log_.info("{}: reject: RCPT from {}: {} {} {}; from=<{}> to=<{}> proto=LMTP helo=<{}>",
              transaction_->id, client_label(), r.code, r.enhanced, r.lines.front(),
              transaction_->sender, parsed->address, lhlo_name_);
  } else {
    transaction_->recipients.push_back(parsed->address);
  }
  co_return co_await reply(r);
}

asio::awaitable<Session::Next> Session::cmd_rset(const Command& command) {
  if (!command.argument.empty()) co_return co_await reply(501, "5.5.4", "Syntax: RSET");
  transaction_.reset();
  co_return co_await reply(250, "2.0.0", "Ok");
}

asio::awaitable<Session::Next> Session::cmd_noop(const Command&) {
  co_return co_await reply(250, "2.0.0", "Ok");
}

// VRFY would let anyone who reaches the socket enumerate the users; it stays off, as
// Dovecot's LMTP has it (and Postfix with disable_vrfy_command = yes).
asio::awaitable<Session::Next> Session::cmd_vrfy(const Command&) {
  co_return co_await reply(502, "5.5.1", "VRFY command is disabled");
}

asio::awaitable<Session::Next> Session::cmd_quit(const Command&) {
  co_await reply(221, "2.0.0", "Bye");
  co_return Next::close;
}

}  // namespace correio::lmtpd
