// The milters of one SMTP session (or one pickup message), consulted in order at each
// stage as Postfix's milter8.c does: macros, then the stage's command, then the reply.
// A milter that accepts is left alone for the rest of the message (the session, at
// connect and HELO); one that cannot be reached, times out or breaks the protocol is
// closed and from then on gives its default_action (milter_default_action), as in Postfix.
// One instance per session, used from the session's coroutine only; not thread-safe.
#pragma once

#include <asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.hpp"
#include "milter/connection.hpp"
#include "milter/message_edits.hpp"
#include "milter/settings.hpp"

namespace correio::milter {

// What the milters decided at one stage.
struct Verdict {
  enum class Kind { proceed, reject, tempfail, discard };
  Kind kind = Kind::proceed;
  std::string reply;   // reject and tempfail: "550 5.7.1 Command rejected" or the milter's
  std::string milter;  // the address of the milter that decided (for the log)
  bool refused() const { return kind == Kind::reject || kind == Kind::tempfail; }
};

// The session's macro values by name ("i", "{client_addr}"); nullopt when it has none.
// j, {daemon_name} and v come from Settings and are answered by Milters itself.
using MacroLookup = std::function<std::optional<std::string>(std::string_view)>;

class Milters {
 public:
  // `settings` must outlive this object.
  Milters(const Settings& settings, base::Logger& log, MacroLookup macros);
  Milters(const Milters&) = delete;
  Milters& operator=(const Milters&) = delete;
  ~Milters();

  // Connects to every milter; a failure is logged and gives that milter's default action
  // from now on.
  asio::awaitable<void> open();
  // SMFIC_CONNECT; family '4', '6', 'L' (local) or 'U' (unknown).
  asio::awaitable<Verdict> connect(std::string_view host, char family, uint16_t port,
                                   std::string_view address);
  asio::awaitable<Verdict> helo(std::string_view name);
  // args: "<address>" then the ESMTP parameters, as SMTP gave them.
  asio::awaitable<Verdict> mail(const std::vector<std::string>& args);
  asio::awaitable<Verdict> rcpt(const std::vector<std::string>& args);
  asio::awaitable<Verdict> data();
  // The header fields, end of header, the body in chunks, end of message; each milter's
  // edits are applied to `message` and collected in `envelope` before the next milter
  // sees the message (Postfix's cleanup does the same).
  asio::awaitable<Verdict> end_of_message(Message& message, EnvelopeEdits& envelope);
  // The transaction ended without end of message (RSET, a rejection, a new MAIL).
  asio::awaitable<void> abort();
  // The session ends: SMFIC_QUIT and close.
  asio::awaitable<void> quit();

 private:
  struct Milter {
    MilterSpec spec;
    std::unique_ptr<Connection> connection;
    bool failed = false;            // gives spec.default_action from now on
    bool session_accepted = false;  // SMFIR_ACCEPT at connect or HELO
    bool message_accepted = false;  // SMFIR_ACCEPT during a message
    bool in_message = false;        // MAIL was sent and neither EOM nor ABORT followed
  };
  enum class Scope { session, message };

  asio::awaitable<Verdict> event(Stage stage, char command, std::string data, uint32_t skip_flag,
                                 uint32_t no_reply_flag, Scope scope);
  // Sends `command` to `m` with the stage's macros first; reads the reply unless the
  // milter negotiated none. nullopt: continue with the next milter.
  asio::awaitable<std::optional<Verdict>> ask(Milter& m, Stage stage, char command,
                                              std::string data, bool reply_expected,
                                              std::chrono::milliseconds timeout, Scope scope);
  asio::awaitable<std::optional<Verdict>> message_to(Milter& m, Message& message,
                                                     EnvelopeEdits& envelope);
  asio::awaitable<std::optional<Verdict>> end_of_message_replies(Milter& m, Message& message,
                                                                 EnvelopeEdits& envelope);
  asio::awaitable<Status> send_macros(Milter& m, Stage stage, char command);
  // A final reply (accept, continue, reject, tempfail, replycode, discard) as a verdict;
  // an error for anything else.
  Result<std::optional<Verdict>> interpret(Milter& m, const Packet& reply, Scope scope);
  // Logs the failure, closes the connection, and returns the default action's verdict.
  std::optional<Verdict> fail(Milter& m, std::string_view why);
  std::optional<Verdict> default_verdict(const Milter& m);
  bool live(const Milter& m, Scope scope) const;
  std::vector<std::pair<std::string, std::string>> macro_values(const Milter& m, Stage stage) const;

  const Settings& settings_;
  base::Logger& log_;
  MacroLookup macros_;
  std::vector<Milter> milters_;
  std::optional<std::string> quarantine_;  // a failed milter's default_action=quarantine
};

}  // namespace correio::milter
