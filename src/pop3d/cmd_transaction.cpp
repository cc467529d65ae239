// The TRANSACTION state (RFC 1939 §5, §7): STAT, LIST, UIDL, RETR, TOP, DELE, NOOP, RSET.
// Sizes are the CRLF sizes of the messages; UIDLs are Dovecot's (maildrop.hpp).
#include <fmt/format.h>

#include "pop3d/message_format.hpp"
#include "pop3d/session.hpp"

namespace correio::pop3d {

Maildrop::Message* Session::message_arg(const Command& command, size_t index, std::string& error) {
  if (command.args.size() <= index) {
    error = "Missing message number.";
    return nullptr;
  }
  auto number = parse_message_number(command.args[index]);
  if (!number) {
    error = "Invalid message number: " + command.args[index].substr(0, 20);
    return nullptr;
  }
  Maildrop::Message* message = maildrop_->find(*number);
  if (!message) {
    error = fmt::format("There's no message {}.", *number);
    return nullptr;
  }
  if (message->deleted) {
    error = "Message is deleted.";
    return nullptr;
  }
  return message;
}

asio::awaitable<Session::Next> Session::cmd_stat(const Command& command) {
  if (!command.args.empty()) co_return co_await err("STAT takes no arguments.");
  co_return co_await ok(fmt::format("{} {}", maildrop_->live_count(), maildrop_->live_size()));
}

asio::awaitable<Session::Next> Session::cmd_list(const Command& command) {
  if (command.args.size() > 1) co_return co_await err("Too many arguments to LIST.");
  if (command.args.size() == 1) {
    std::string error;
    Maildrop::Message* m = message_arg(command, 0, error);
    if (!m) co_return co_await err(error);
    co_return co_await ok(fmt::format("{} {}", *parse_message_number(command.args[0]), m->size));
  }
  std::string out = fmt::format("+OK {} messages:\r\n", maildrop_->live_count());
  for (uint32_t n = 1; n <= maildrop_->count(); ++n) {
    const Maildrop::Message* m = maildrop_->find(n);
    if (!m->deleted) out += fmt::format("{} {}\r\n", n, m->size);
  }
  co_return co_await send(out + ".\r\n");
}

asio::awaitable<Session::Next> Session::cmd_uidl(const Command& command) {
  if (command.args.size() > 1) co_return co_await err("Too many arguments to UIDL.");
  if (command.args.size() == 1) {
    std::string error;
    Maildrop::Message* m = message_arg(command, 0, error);
    if (!m) co_return co_await err(error);
    co_return co_await ok(
        fmt::format("{} {}", *parse_message_number(command.args[0]), maildrop_->uidl(*m)));
  }
  std::string out = "+OK\r\n";
  for (uint32_t n = 1; n <= maildrop_->count(); ++n) {
    const Maildrop::Message* m = maildrop_->find(n);
    if (!m->deleted) out += fmt::format("{} {}\r\n", n, maildrop_->uidl(*m));
  }
  co_return co_await send(out + ".\r\n");
}

asio::awaitable<Session::Next> Session::cmd_retr(const Command& command) {
  if (command.args.size() != 1) co_return co_await err("RETR takes exactly one argument.");
  std::string error;
  Maildrop::Message* m = message_arg(command, 0, error);
  if (!m) co_return co_await err(error);
  auto content = maildrop_->read(*m);
  if (!content) {
    // Another session (IMAP, or Dovecot) expunged it since login (RFC 2180-style race).
    log_.warning("pop3({}): RETR {}: {}", username_, command.args[0], content.error().message);
    co_return co_await err("[SYS/TEMP] Message can't be read; it may have been deleted.");
  }
  std::string body = format_message(*content, std::nullopt);
  m->retrieved = true;
  ++retr_count_;
  retr_bytes_ += m->size;
  co_return co_await send(fmt::format("+OK {} octets\r\n", m->size) + body + ".\r\n");
}

asio::awaitable<Session::Next> Session::cmd_top(const Command& command) {
  if (command.args.size() != 2) co_return co_await err("TOP takes exactly two arguments.");
  std::string error;
  Maildrop::Message* m = message_arg(command, 0, error);
  if (!m) co_return co_await err(error);
  auto lines = parse_line_count(command.args[1]);
  if (!lines) co_return co_await err("Invalid number of lines: " + command.args[1].substr(0, 20));
  auto content = maildrop_->read(*m);
  if (!content) {
    log_.warning("pop3({}): TOP {}: {}", username_, command.args[0], content.error().message);
    co_return co_await err("[SYS/TEMP] Message can't be read; it may have been deleted.");
  }
  std::string body = format_message(*content, *lines);
  ++top_count_;
  top_bytes_ += body.size();
  co_return co_await send("+OK\r\n" + body + ".\r\n");
}

asio::awaitable<Session::Next> Session::cmd_dele(const Command& command) {
  if (command.args.size() != 1) co_return co_await err("DELE takes exactly one argument.");
  std::string error;
  Maildrop::Message* m = message_arg(command, 0, error);
  if (!m) co_return co_await err(error);
  m->deleted = true;
  co_return co_await ok("Marked to be deleted.");
}

asio::awaitable<Session::Next> Session::cmd_noop(const Command& command) {
  if (!command.args.empty()) co_return co_await err("NOOP takes no arguments.");
  co_return co_await ok("");
}

asio::awaitable<Session::Next> Session::cmd_rset(const Command& command) {
  if (!command.args.empty()) co_return co_await err("RSET takes no arguments.");
  maildrop_->undelete_all();
  co_return co_await ok("");
}

}  // namespace correio::pop3d
