// CommandLoop: reading, admitting and answering commands for smtpd's and lmtpd's sessions
// (see command_loop.hpp), with Postfix's log lines for each way a session ends.
#include "smtp/command_loop.hpp"

#include <algorithm>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "base/strings.hpp"

namespace correio::smtp {

asio::awaitable<bool> CommandLoop::greet(std::string_view banner) {
  // Named, not a temporary inside the co_await: g++ 12 destroys such temporaries twice
  // when the co_await is a condition.
  std::string greeting = "220 " + std::string(banner) + "\r\n";
  if (options_.reply_counters) (*options_.reply_counters)[0].add();
  bool sent = co_await conn_.write(greeting);
  if (sent) co_return true;
  log_.info("lost connection after CONNECT from {}", client_label_);
  co_return false;
}

asio::awaitable<std::optional<Command>> CommandLoop::read_command() {
  for (;;) {
    // A client trickling a byte at a time must not hold the session (Postfix 3.7+
    // smtpd_per_request_deadline): the whole line has one deadline.
    if (options_.request_deadline.count() > 0)
      conn_.begin_request(std::chrono::steady_clock::now() + options_.request_deadline);
    io::LineResult input = co_await conn_.read_line(options_.line_limit);
    conn_.end_request();
    // RFC 5321 §4.5.3.2 and §3.8: a server may end an idle session, saying 421 first.
    if (input.status == io::ReadStatus::timeout) {
      log_.info("timeout after {} from {}", last_verb_, client_label_);
      co_await conn_.write("421 4.4.2 " + options_.hostname + " Error: timeout exceeded\r\n");
      co_return std::nullopt;
    }
    if (input.status == io::ReadStatus::closed) {
      log_.info("lost connection after {} from {}", last_verb_, client_label_);
      co_return std::nullopt;
    }
    // RFC 5321 §4.5.3.1.4 allows longer lines than 512 octets; past line_limit, a 500.
    if (input.status == io::ReadStatus::too_long) {
      if (co_await reply(options_.too_long) == Next::close) co_return std::nullopt;
      continue;
    }
    if (has_forbidden_bytes(input.line)) {
      count({});  // in the disconnect line as an unknown command
      if (co_await reply(options_.forbidden_bytes) == Next::close) co_return std::nullopt;
      continue;
    }
    co_return parse_command(input.line);
  }
}

std::optional<Reply> CommandLoop::admit(const Command& command, bool known, unsigned flags) {
  bool unknown = !known || (flags & command_flag::counts_as_unknown) != 0;
  count(unknown ? std::string() : command.verb);

  // smtpd.c: "state->junk_cmds++ > var_smtpd_junk_cmd_limit" counts an error.
  if ((flags & command_flag::junk) != 0 && junk_commands_++ > options_.junk_command_limit)
    ++errors_;
  if (!known) return options_.unknown;
  if (access_denied_ && command.verb != "QUIT") return access_denied_;
  // RFC 3207 §4: with mandatory TLS, only the pre_tls commands before STARTTLS. AUTH is
  // not one of them: on such a port no password may cross the wire in clear text.
  if (options_.tls_required && !conn_.tls_active() && (flags & command_flag::pre_tls) == 0)
    return Reply(530, "5.7.0", "Must issue a STARTTLS command first");
  return std::nullopt;
}

void CommandLoop::count(const std::string& verb) {
  ++total_commands_;
  std::string counted = verb.empty() ? "unknown" : base::to_lower(verb);
  last_verb_ = verb.empty() ? "UNKNOWN" : verb;
  auto seen = std::find_if(counts_.begin(), counts_.end(),
                           [&](const auto& entry) { return entry.first == counted; });
  if (seen != counts_.end())
    ++seen->second;
  else
    counts_.emplace_back(std::move(counted), 1);
}

ReplyCounters reply_counters(metrics::Registry& registry) {
  ReplyCounters counters;
  for (int i = 0; i < 4; ++i)
    counters[static_cast<size_t>(i)] = registry.counter(
        "correio_smtpd_replies_total", metrics::label("class", std::to_string(i + 2) + "xx"));
  return counters;
}

asio::awaitable<Next> CommandLoop::reply(const Reply& original) {
  Reply r = original;
  if (options_.soft_bounce && r.code >= 500) {
    r.code -= 100;
    if (r.enhanced.starts_with("5")) r.enhanced[0] = '4';
  }
  if (options_.reply_counters && r.code >= 200 && r.code < 600)
    (*options_.reply_counters)[static_cast<size_t>(r.code / 100 - 2)].add();
  if (r.code >= options_.error_floor) {
    ++errors_;
    if (errors_ >= options_.hard_error_limit) {
      log_.info("too many errors after {} from {}", last_verb_, client_label_);
      co_await conn_.write(r.to_wire());
      co_await conn_.write("421 4.7.0 " + options_.hostname + " Error: too many errors\r\n");
      co_return Next::close;
    }
    // Tarpit: past the soft limit every error costs the client error_sleep.
    if (errors_ >= options_.soft_error_limit && options_.error_sleep.count() > 0) {
      asio::steady_timer timer(conn_.socket().get_executor());
      timer.expires_after(options_.error_sleep);
      co_await timer.async_wait(asio::use_awaitable);
    }
  }
  std::string wire = r.to_wire();
  Next next = co_await send(wire);
  // 421 says the server closes the channel (RFC 5321 §3.8), 521 that it takes no mail at
  // all (RFC 7504): Postfix disconnects after either, from an access table, a policy
  // service or a milter alike.
  if (r.code == 421 || r.code == 521) {
    log_.info("disconnect after a {} reply to {} from {}", r.code, last_verb_, client_label_);
    co_return Next::close;
  }
  co_return next;
}

asio::awaitable<Next> CommandLoop::too_many_errors() {
  log_.info("too many errors after {} from {}", last_verb_, client_label_);
  std::string wire = "421 4.7.0 " + options_.hostname + " Error: too many errors\r\n";
  co_await conn_.write(wire);
  co_return Next::close;
}

asio::awaitable<Next> CommandLoop::send(std::string_view wire) {
  bool sent = co_await conn_.write(wire);
  if (sent) co_return Next::proceed;
  log_.info("lost connection after {} from {}", last_verb_, client_label_);
  co_return Next::close;
}

void CommandLoop::log_disconnect() const {
  std::string summary;
  for (const auto& [verb, n] : counts_) summary += " " + verb + "=" + std::to_string(n);
  log_.info("disconnect from {}{} commands={}", client_label_, summary, total_commands_);
}

}  // namespace correio::smtp
