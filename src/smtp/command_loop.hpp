// The command loop of an SMTP or LMTP server session (Dovecot's lib-smtp serves both the
// same way): the 220 greeting, command lines read with a hard length limit, the timeout,
// lost-connection and too-long cases in Postfix's log wording, one dispatch table with
// per-command flags, the error limits, and the "disconnect from ..." summary line.
#pragma once

#include <array>
#include <asio/awaitable.hpp>
#include <chrono>
#include <climits>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/log.hpp"
#include "io/connection.hpp"
#include "metrics/registry.hpp"
#include "smtp/command.hpp"
#include "smtp/reply.hpp"

namespace correio::smtp {

// What a command handler decides about the connection.
enum class Next { proceed, close };

// Per-command flags of a dispatch table.
namespace command_flag {
// Allowed before STARTTLS where TLS is mandatory (RFC 3207 §4: NOOP, EHLO, STARTTLS, QUIT;
// Postfix adds HELO). Every other command then gets "530 5.7.0 Must issue a STARTTLS
// command first" without reaching its handler.
inline constexpr unsigned pre_tls = 1u << 0;
// Known only to be refused by its handler (HELO and EHLO to an LMTP server): counted and
// logged as an unknown command, as Postfix's disconnect line does.
inline constexpr unsigned counts_as_unknown = 1u << 1;
// A command that costs the server little but may be used to hold a session open (Postfix's
// smtpd_junk_command_limit: NOOP, VRFY, ETRN, RSET): past Options::junk_command_limit each
// one counts as an error, so the error limits end the session in the end.
inline constexpr unsigned junk = 1u << 2;
}  // namespace command_flag

// One row of a session's dispatch table: the verb, the member function that handles it,
// and command_flag bits. Tables are static arrays of the session class.
template <class Session>
struct CommandEntry {
  std::string_view verb;
  asio::awaitable<Next> (Session::*handler)(const Command&);
  unsigned flags = 0;
};

// correio_smtpd_replies_total by class: 2xx, 3xx, 4xx, 5xx (metrics/catalog.cpp).
using ReplyCounters = std::array<metrics::Counter, 4>;
ReplyCounters reply_counters(metrics::Registry& registry);

// Owned by one session (it borrows the connection and the logger, which must outlive it);
// not thread-safe, like the session.
class CommandLoop {
 public:
  struct Options {
    size_t line_limit = 2048;  // the longest command line, CRLF included
    std::string hostname;      // myhostname, in the 421 replies
    // Replies from this code on count as errors: Postfix's smtpd counts 4xx and 5xx.
    int error_floor = 400;
    int soft_error_limit = INT_MAX;  // from here on every error costs `error_sleep`
    std::chrono::milliseconds error_sleep{0};
    int hard_error_limit = 20;         // at this many errors: "421 4.7.0 ... too many errors"
    int junk_command_limit = INT_MAX;  // junk commands allowed before each one is an error
    bool tls_required = false;         // commands without pre_tls get 530 until TLS is active
    // Postfix's smtpd_per_request_deadline: a whole command line must arrive within this
    // time (the connection's per-read timeout still applies); zero: per read only.
    std::chrono::steady_clock::duration request_deadline{};
    Reply too_long{500, "5.5.0", "Error: line too long"};
    Reply unknown{502, "5.5.2", "Error: command not recognized"};
    // A NUL or bare CR inside a command line (has_forbidden_bytes): refused before any
    // handler sees it, with Postfix's enhanced code for bad command syntax.
    Reply forbidden_bytes{501, "5.5.2", "Error: bad syntax (NUL or bare <CR> in command)"};
    // Postfix's soft_bounce (smtpd_chat_reply): no permanent refusal, every 5xx reply the
    // loop sends (its own and the handlers') goes out as 4xx.
    bool soft_bounce = false;
    // Where replies are counted for the metrics exporter; nullptr: not counted.
    const ReplyCounters* reply_counters = nullptr;
  };

  CommandLoop(io::Connection& connection, base::Logger& log, Options options)
      : conn_(connection), log_(log), options_(std::move(options)) {}

  // "NAME[ADDRESS]", "unknown[127.0.0.1]", "local": who the log lines are about.
  void set_client_label(std::string label) { client_label_ = std::move(label); }
  const std::string& client_label() const { return client_label_; }
  // The verb of the last command ("CONNECT" before the first, "UNKNOWN" after an unknown
  // one), for "... after VERB from CLIENT" log lines.
  const std::string& last_verb() const { return last_verb_; }

  // Postfix's smtpd_delay_reject = no: once the client was rejected at connect, every
  // known command but QUIT gets `refusal` (RFC 5321 §3.1: "503 5.7.0 Error: access denied
  // for NAME[ADDR]") without reaching its handler.
  void deny_access(Reply refusal) { access_denied_ = std::move(refusal); }

  // Sends "220 BANNER"; false (logged as a lost connection) when the client is gone.
  asio::awaitable<bool> greet(std::string_view banner);

  // Reads and dispatches commands through `table` until a handler returns close, the
  // client leaves or the deadline passes; then logs the disconnect line.
  template <class Session>
  asio::awaitable<void> run(Session& session, std::span<const CommandEntry<Session>> table);

  // Sends a reply, counting it against the error limits: past the soft limit it waits
  // error_sleep first (a tarpit); at the hard limit it adds "421 4.7.0" and returns close.
  asio::awaitable<Next> reply(const Reply& original);
  // Sends replies already in wire form, without counting errors; close when the client
  // is gone (logged as a lost connection).
  asio::awaitable<Next> send(std::string_view wire);

 private:
  // The next command; nullopt when the session is over (timeout, lost connection, or a
  // too-long line that reached the error limit), logged in Postfix's words.
  asio::awaitable<std::optional<Command>> read_command();
  // Counts `command` for the disconnect line and decides whether its handler may run:
  // nullopt if so, else the refusal to send instead.
  std::optional<Reply> admit(const Command& command, bool known, unsigned flags);
  // Counts a command for the disconnect line; an empty verb is an unknown command.
  void count(const std::string& verb);
  void log_disconnect() const;
  // "421 4.7.0 HOST Error: too many errors", logged; always close.
  asio::awaitable<Next> too_many_errors();

  io::Connection& conn_;
  base::Logger& log_;
  Options options_;
  std::string client_label_ = "unknown";
  std::string last_verb_ = "CONNECT";
  std::optional<Reply> access_denied_;
  int errors_ = 0;
  int junk_commands_ = 0;
  std::vector<std::pair<std::string, int>> counts_;  // "ehlo" -> 1, in first-seen order
  int total_commands_ = 0;
};

template <class Session>
asio::awaitable<void> CommandLoop::run(Session& session,
                                       std::span<const CommandEntry<Session>> table) {
  while (std::optional<Command> command = co_await read_command()) {
    const CommandEntry<Session>* entry = nullptr;
    for (const auto& candidate : table)
      if (candidate.verb == command->verb) entry = &candidate;
    Next next = Next::proceed;
    if (auto refusal = admit(*command, entry != nullptr, entry ? entry->flags : 0))
      next = co_await reply(*refusal);
    else
      next = co_await (session.*(entry->handler))(*command);
    // A junk command past its limit counted as an error without an error reply; Postfix
    // checks the hard limit before it reads the next command.
    if (next == Next::proceed && errors_ >= options_.hard_error_limit)
      next = co_await too_many_errors();
    if (next == Next::close) break;
  }
  log_disconnect();
}

}  // namespace correio::smtp
