// The SMTP client dialogue (see client_session.hpp). Each step is straight-line: write,
// read the reply within the stage's deadline, judge it.
#include "smtp/client_session.hpp"

#include <fmt/format.h>

#include <asio/connect.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/use_awaitable.hpp>

#include "io/deadline.hpp"
#include "mail/eight_bit_downgrade.hpp"
#include "smtp/reply_reader.hpp"

namespace correio::smtp {
namespace {

using asio::experimental::as_tuple;

// Longer than RFC 5321 §4.5.3.1.5's 512 bytes: real servers send long reply lines.
constexpr size_t kMaxReplyLine = 4096;

std::string default_dsn(int code) {
  return fmt::format("{}.0.0", code / 100);
}

}  // namespace

// What Postfix says a step was doing, for the "timed out while ..." and "lost
// connection ... while ..." texts, and which command a reply answered.
struct ClientSession::Stage {
  std::string_view doing;
  std::string_view command;
};

namespace {
using Stage = ClientSession::Stage;

// "mx.example.com Hello client" -> "mx.example.com" (RFC 5321 §4.1.1.1: the EHLO reply
// begins with the server's domain).
std::string first_word(const std::vector<std::string>& lines) {
  if (lines.empty()) return {};
  std::string_view line = lines.front();
  return std::string(line.substr(0, line.find(' ')));
}

constexpr Stage kGreeting{"receiving the initial server greeting", ""};
constexpr Stage kEhlo{"performing the EHLO handshake", "EHLO"};
constexpr Stage kHelo{"performing the HELO handshake", "HELO"};
constexpr Stage kLhlo{"performing the LHLO handshake", "LHLO"};
constexpr Stage kStarttls{"performing the STARTTLS handshake", "STARTTLS"};
constexpr Stage kMail{"sending MAIL FROM", "MAIL FROM"};
constexpr Stage kRcpt{"sending RCPT TO", "RCPT TO"};
constexpr Stage kData{"sending DATA command", "DATA"};
constexpr Stage kBody{"sending message body", "end of DATA"};
// Postfix's xfer_states[SMTP_STATE_DOT]: the dot is out, the reply is awaited.
constexpr Stage kDot{"sending end of data", "end of DATA"};

}  // namespace

asio::awaitable<Result<asio::ip::tcp::socket>> connect_to(
    asio::any_io_executor executor, const std::string& address, unsigned short port,
    const std::string& bind_address, std::chrono::seconds timeout, const std::string& label) {
  using namespace asio::experimental::awaitable_operators;
  auto fail = [&](std::string_view why) {
    return Error{fmt::format("connect to {}:{}: {}", label, port, why)};
  };
  std::error_code ec;
  auto ip = asio::ip::make_address(address, ec);
  if (ec) co_return fail("bad address");
  asio::ip::tcp::endpoint endpoint(ip, port);
  asio::ip::tcp::socket socket(executor);
  socket.open(endpoint.protocol(), ec);
  if (ec) co_return fail(ec.message());
  // smtp_bind_address / smtp_bind_address6: only for the matching family.
  if (!bind_address.empty()) {
    auto local = asio::ip::make_address(bind_address, ec);
    if (!ec && local.is_v4() == ip.is_v4()) {
      socket.bind({local, 0}, ec);
      if (ec) co_return fail("cannot bind to " + bind_address + ": " + ec.message());
    }
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto done = co_await (socket.async_connect(endpoint, as_tuple(asio::use_awaitable)) ||
                        io::watchdog(deadline));
  if (done.index() == 1) co_return fail("Connection timed out");
  if (auto [connect_ec] = std::get<0>(done); connect_ec) co_return fail(connect_ec.message());
  co_return std::move(socket);
}

ClientSession::ClientSession(io::Connection& connection, std::string label, ClientOptions options)
    : connection_(connection), label_(std::move(label)), options_(std::move(options)) {}

asio::awaitable<ClientSession::Read> ClientSession::read_reply(std::chrono::seconds timeout) {
  connection_.set_timeout(timeout);
  ReplyReader reader;
  for (;;) {
    auto got = co_await connection_.read_line(kMaxReplyLine);
    if (got.status == io::ReadStatus::timeout) co_return Read{std::nullopt, "timed out"};
    if (got.status == io::ReadStatus::closed) co_return Read{std::nullopt, "lost connection"};
    if (got.status == io::ReadStatus::too_long) co_return Read{std::nullopt, "malformed reply"};
    std::string_view line = got.line;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    switch (reader.add_line(line)) {
      case ReplyReader::State::more:
        continue;
      case ReplyReader::State::done:
        co_return Read{reader.take(), ""};
      case ReplyReader::State::bad:
        co_return Read{std::nullopt, "malformed reply"};
    }
  }
}

asio::awaitable<bool> ClientSession::write(std::string_view bytes, std::chrono::seconds timeout) {
  // postconf(5) smtp_data_xfer_timeout and its kin: "when the connection makes no progress
  // for more than" the timeout, not a limit on the whole transfer. So a large message
  // goes in pieces, each with the whole timeout: a slow link that keeps moving is never
  // cut off, one that stalls is within a piece's time.
  constexpr size_t kPiece = 64 * 1024;
  connection_.set_timeout(timeout);
  for (;;) {
    std::string_view piece = bytes.substr(0, kPiece);
    const auto started = std::chrono::steady_clock::now();
    if (!co_await connection_.write(piece)) {
      // The log says which it was, as Postfix's ("timed out while sending message body").
      write_problem_ =
          std::chrono::steady_clock::now() - started >= timeout ? "timed out" : "lost connection";
      co_return false;
    }
    bytes.remove_prefix(piece.size());
    if (bytes.empty()) co_return true;
  }
}

Outcome ClientSession::reply_outcome(const Reply& reply, std::string_view command) const {
  Outcome o;
  o.verdict = reply.code < 400   ? Verdict::sent
              : reply.code < 500 ? Verdict::deferred
                                 : Verdict::bounced;
  o.dsn = reply.enhanced.empty() ? default_dsn(reply.code) : reply.enhanced;
  o.diagnostic = reply_text(reply);
  o.text = command.empty() ? fmt::format("host {} refused to talk to me: {}", label_, o.diagnostic)
                           : fmt::format("host {} said: {} (in reply to {} command)", label_,
                                         o.diagnostic, command);
  return o;
}

Outcome ClientSession::failure(const Read& read, const Stage& stage) const {
  if (read.reply) return reply_outcome(*read.reply, stage.command);
  Outcome o;
  o.dsn = "4.4.2";
  o.try_next_host = true;
  if (read.problem == "timed out")
    o.text = fmt::format("conversation with {} timed out while {}", label_, stage.doing);
  else if (read.problem == "lost connection")
    o.text = fmt::format("lost connection with {} while {}", label_, stage.doing);
  else
    o.text = fmt::format("host {} sent a malformed reply while {}", label_, stage.doing);
  return o;
}

asio::awaitable<std::optional<Outcome>> ClientSession::hello() {
  if (options_.lmtp) co_return co_await lhlo();
  // RFC 5321 §4.1.1.1 and §3.2: EHLO, and HELO when the server does not know EHLO.
  if (!co_await write("EHLO " + options_.helo_name + "\r\n", options_.timeouts.helo))
    co_return failure({std::nullopt, write_problem_}, kEhlo);
  Read ehlo = co_await read_reply(options_.timeouts.helo);
  if (ehlo.reply && ehlo.reply->code == 250) {
    features_ = parse_ehlo_features(ehlo.reply->lines);
    server_name_ = first_word(ehlo.reply->lines);
    co_return std::nullopt;
  }
  if (!ehlo.reply || ehlo.reply->code < 500) {
    Outcome o = failure(ehlo, kEhlo);
    o.try_next_host = true;
    co_return o;
  }
  if (!co_await write("HELO " + options_.helo_name + "\r\n", options_.timeouts.helo))
    co_return failure({std::nullopt, write_problem_}, kHelo);
  Read helo = co_await read_reply(options_.timeouts.helo);
  if (helo.reply && helo.reply->code == 250) {
    features_ = ServerFeatures{};
    server_name_ = first_word(helo.reply->lines);
    co_return std::nullopt;
  }
  Outcome o = failure(helo, kHelo);
  o.try_next_host = true;
  co_return o;
}

asio::awaitable<std::optional<Outcome>> ClientSession::lhlo() {
  // RFC 2033 §4.1: LHLO, which has no HELO to fall back to.
  if (!co_await write("LHLO " + options_.helo_name + "\r\n", options_.timeouts.helo))
    co_return failure({std::nullopt, write_problem_}, kLhlo);
  Read reply = co_await read_reply(options_.timeouts.helo);
  if (reply.reply && reply.reply->code == 250) {
    features_ = parse_ehlo_features(reply.reply->lines);
    co_return std::nullopt;
  }
  Outcome o = failure(reply, kLhlo);
  o.try_next_host = true;
  co_return o;
}

asio::awaitable<std::optional<Outcome>> ClientSession::open(bool allow_tls, bool& tls_failed) {
  tls_failed = false;
  Read greeting = co_await read_reply(options_.timeouts.helo);
  if (!greeting.reply || greeting.reply->code != 220) {
    // Postfix's smtp_skip_5xx_greeting: a refusing server is skipped like a busy one.
    Outcome o = failure(greeting, kGreeting);
    if (o.verdict == Verdict::bounced) o.verdict = Verdict::deferred;
    o.try_next_host = true;
    co_return o;
  }
  if (auto problem = co_await hello()) co_return problem;

  bool want_tls = options_.tls != TlsLevel::none && options_.tls_context && allow_tls;
  bool mandatory = options_.tls >= TlsLevel::encrypt;
  if (want_tls && !features_.starttls && mandatory) {
    co_return Outcome{Verdict::deferred, "4.7.4",
                      fmt::format("TLS is required, but was not offered by host {}", label_), "",
                      true};
  }
  if (want_tls && features_.starttls) {
    // RFC 3207 §4: STARTTLS, 220, handshake, then EHLO again (§4.2: forget what was learnt).
    if (!co_await write("STARTTLS\r\n", options_.timeouts.starttls))
      co_return failure({std::nullopt, write_problem_}, kStarttls);
    Read reply = co_await read_reply(options_.timeouts.starttls);
    if (!reply.reply) co_return failure(reply, kStarttls);
    if (reply.reply->code != 220) {
      if (mandatory) {
        Outcome o = failure(reply, kStarttls);
        o.verdict = Verdict::deferred;
        o.try_next_host = true;
        co_return o;
      }
      // "may": the server declined; go on in plaintext on this connection.
    } else {
      std::string error;
      connection_.set_timeout(options_.timeouts.starttls);
      io::Connection::TlsPrepare prepare = [this](SSL* ssl) {
        Status ok = tls::prepare_client(ssl, options_.peer);
        return ok ? std::string() : ok.error().message;
      };
      if (!co_await connection_.start_tls(*options_.tls_context, error,
                                          asio::ssl::stream_base::client, &prepare)) {
        tls_failed = options_.tls == TlsLevel::may;
        co_return Outcome{
            Verdict::deferred, "4.7.5",
            fmt::format("Cannot start TLS: handshake failure with {}: {}", label_, error), "",
            true};
      }
      peer_ = tls::check_peer(connection_.tls_handle(), options_.peer);
      // Postfix's smtp_proto.c: at the levels that must match, an unverified server is a
      // site failure (4.7.5); the next MX host may have a better certificate.
      if (options_.tls >= TlsLevel::verify && !peer_->matched)
        co_return Outcome{Verdict::deferred, "4.7.5", "Server certificate not verified", "", true};
      features_ = {};
      if (auto problem = co_await hello()) co_return problem;
    }
  }
  usable_ = true;
  co_return std::nullopt;
}

asio::awaitable<std::vector<Outcome>> ClientSession::send(const Transaction& t) {
  const size_t n = t.recipients.size();
  auto all = [&](const Outcome& o) { return std::vector<Outcome>(n, o); };

  // What the server said it cannot take is not sent at all (RFC 1870 §6, RFC 6531 §3.2).
  if (features_.size_limit > 0 && t.mail.size > features_.size_limit)
    co_return all({Verdict::bounced, "5.3.4",
                   fmt::format("message size {} exceeds size limit {} of server {}", t.mail.size,
                               features_.size_limit, label_),
                   "", false});
  if (t.mail.smtputf8 && !features_.smtputf8)
    co_return all({Verdict::bounced, "5.6.7",
                   fmt::format("SMTPUTF8 is required, but was not offered by host {}", label_), "",
                   false});
  // RFC 6152 §3: no 8-bit body to a server without 8BITMIME; as Postfix does, the 8-bit
  // bodies are converted to quoted-printable instead (8-bit header text stays as it is).
  std::string downgraded;
  std::string_view content = t.content;
  if (t.mail.eight_bit && !features_.eight_bit) {
    downgraded = mail::downgrade_8bit_bodies(t.content);
    content = downgraded;
  }

  // RFC 2920: with PIPELINING, MAIL and every RCPT go out in one write and their replies
  // are read in order; otherwise each waits for its reply.
  std::string mail = mail_command(t.sender, t.mail, features_);
  std::vector<std::string> rcpts;
  for (const auto& r : t.recipients) rcpts.push_back(rcpt_command(r.address, r.options, features_));
  if (features_.pipelining) {
    std::string batch = mail;
    for (const auto& r : rcpts) batch += r;
    if (!co_await write(batch, options_.timeouts.mail)) {
      usable_ = false;
      co_return all(failure({std::nullopt, write_problem_}, kMail));
    }
  } else if (!co_await write(mail, options_.timeouts.mail)) {
    usable_ = false;
    co_return all(failure({std::nullopt, write_problem_}, kMail));
  }
  Read mail_reply = co_await read_reply(options_.timeouts.mail);
  if (!mail_reply.reply) {
    usable_ = false;
    co_return all(failure(mail_reply, kMail));
  }
  std::optional<Outcome> mail_failed;
  if (mail_reply.reply->code != 250) {
    mail_failed = failure(mail_reply, kMail);
    mail_failed->try_next_host = mail_failed->verdict == Verdict::deferred;
  }

  std::vector<Outcome> results(n);
  std::vector<size_t> accepted;
  for (size_t i = 0; i < n; ++i) {
    if (!features_.pipelining) {
      if (mail_failed) break;
      if (!co_await write(rcpts[i], options_.timeouts.rcpt)) {
        usable_ = false;
        co_return all(failure({std::nullopt, write_problem_}, kRcpt));
      }
    }
    Read rcpt = co_await read_reply(options_.timeouts.rcpt);
    if (!rcpt.reply) {
      usable_ = false;
      co_return all(failure(rcpt, kRcpt));
    }
    results[i] = failure(rcpt, kRcpt);
    // A 4xx for one recipient: another MX host may take it (Postfix's smtp_rcpt_fail
    // keeps the recipient for the next server unless this one is the last).
    results[i].try_next_host = results[i].verdict == Verdict::deferred;
    if (rcpt.reply->code / 100 == 2) accepted.push_back(i);  // 250, 251 (§3.4), 252
  }
  if (mail_failed) results = all(*mail_failed);

  if (mail_failed || accepted.empty()) {
    // Nothing to send: end the transaction so that the session can start another.
    Read rset{std::nullopt, "lost connection"};
    if (co_await write("RSET\r\n", options_.timeouts.rset))
      rset = co_await read_reply(options_.timeouts.rset);
    usable_ = rset.reply && rset.reply->code == 250;
    co_return results;
  }
  co_return co_await data(content, std::move(results), accepted);
}

asio::awaitable<std::vector<Outcome>> ClientSession::data(std::string_view content,
                                                          std::vector<Outcome> results,
                                                          const std::vector<size_t>& accepted) {
  // Every accepted recipient shares the fate of DATA and of the end of data.
  auto accepted_all = [&](const Outcome& o) {
    for (size_t i : accepted) results[i] = o;
    return results;
  };
  if (!co_await write("DATA\r\n", options_.timeouts.data_init)) {
    usable_ = false;
    co_return accepted_all(failure({std::nullopt, write_problem_}, kData));
  }
  Read go = co_await read_reply(options_.timeouts.data_init);
  if (!go.reply || go.reply->code != 354) {
    usable_ = go.reply.has_value();
    Outcome o = failure(go, kData);
    o.try_next_host = o.try_next_host || o.verdict == Verdict::deferred;
    co_return accepted_all(o);
  }
  if (!co_await write(data_payload(content), options_.timeouts.data_xfer)) {
    usable_ = false;
    co_return accepted_all(failure({std::nullopt, write_problem_}, kBody));
  }
  if (options_.lmtp) co_return co_await lmtp_replies(std::move(results), accepted);
  Read done = co_await read_reply(options_.timeouts.data_done);
  if (!done.reply) {
    usable_ = false;
    // The server may have taken the message without our hearing it (RFC 1047). Postfix's
    // smtp(8) then defers instead of trying the next MX host, which would deliver a
    // second copy if the first server did accept it.
    Outcome o = failure(done, kDot);
    o.text += " -- message may be sent more than once";
    o.try_next_host = false;
    co_return accepted_all(o);
  }
  usable_ = true;
  Outcome o = failure(done, kBody);
  if (o.verdict == Verdict::sent) o.text = o.diagnostic;  // "250 2.0.0 Ok: queued as X"
  // A 4xx after the content: the server said it did not take the message, so another MX
  // host may (Postfix's smtp_mesg_fail on a server that is not the last).
  o.try_next_host = o.verdict == Verdict::deferred;
  co_return accepted_all(o);
}

asio::awaitable<std::vector<Outcome>> ClientSession::lmtp_replies(
    std::vector<Outcome> results, const std::vector<size_t>& accepted) {
  // RFC 2033 §4.2: one reply per recipient whose RCPT succeeded, in RCPT order; each is
  // that recipient's own outcome. A reply that never comes leaves its recipient (and the
  // ones after it) undecided: the server may have delivered already.
  for (size_t k = 0; k < accepted.size(); ++k) {
    Read done = co_await read_reply(options_.timeouts.data_done);
    if (!done.reply) {
      usable_ = false;
      Outcome o = failure(done, kDot);
      o.text += " -- message may be sent more than once";
      o.try_next_host = false;  // another server would deliver it a second time
      for (size_t rest = k; rest < accepted.size(); ++rest) results[accepted[rest]] = o;
      co_return results;
    }
    Outcome o = failure(done, kBody);
    if (o.verdict == Verdict::sent) o.text = o.diagnostic;  // "250 2.0.0 <bob@x> Saved"
    results[accepted[k]] = o;
  }
  usable_ = true;
  co_return results;
}

asio::awaitable<bool> ClientSession::reset() {
  Read reply{std::nullopt, "lost connection"};
  if (co_await write("RSET\r\n", options_.timeouts.rset))
    reply = co_await read_reply(options_.timeouts.rset);
  usable_ = reply.reply && reply.reply->code == 250;
  co_return usable_;
}

asio::awaitable<void> ClientSession::quit() {
  usable_ = false;
  if (!co_await write("QUIT\r\n", options_.timeouts.quit)) co_return;
  // Bound to a name: g++ 12 miscompiles a discarded co_await result of class type.
  Read ignored = co_await read_reply(options_.timeouts.quit);
  (void)ignored;
}

}  // namespace correio::smtp
