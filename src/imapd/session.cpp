// The session loop, the command table, and the commands valid in any state (CAPABILITY,
// NOOP, LOGOUT, ID, ENABLE, COMPRESS). The session starts logged in (logged_in.cpp):
// STARTTLS, LOGIN and AUTHENTICATE are imap-login's (src/imap_login/).
#include "imapd/session.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/use_awaitable.hpp>

#include "imapd/response.hpp"

namespace correio::imapd {

namespace {
// Bytes per second of literal data that extend a command's deadline: Postfix's
// smtpd_min_data_rate default, so that an APPEND over a slow link still completes.
constexpr size_t kMinLiteralRate = 500;
}  // namespace

const std::vector<Session::CommandEntry>& Session::command_table() {
  // name, handler, flags (what state it needs, whether UID <command> exists, whether it
  // runs on the worker threads)
  static const std::vector<CommandEntry> table = {
      {"CAPABILITY", &Session::cmd_capability, kAnyState},
      {"NOOP", &Session::cmd_noop, kOnWorkers},
      {"LOGOUT", &Session::cmd_logout, kAnyState},
      {"ID", &Session::cmd_id, kAnyState},
      {"ENABLE", &Session::cmd_enable, kAnyState},
      {"COMPRESS", &Session::cmd_compress, kAnyState},
      {"CREATE", &Session::cmd_create, kOnWorkers},
      {"DELETE", &Session::cmd_delete, kOnWorkers},
      {"RENAME", &Session::cmd_rename, kOnWorkers},
      {"SUBSCRIBE", &Session::cmd_subscribe, kOnWorkers},
      {"UNSUBSCRIBE", &Session::cmd_unsubscribe, kOnWorkers},
      {"LIST", &Session::cmd_list, kOnWorkers},
      {"LSUB", &Session::cmd_lsub, kOnWorkers},
      {"NAMESPACE", &Session::cmd_namespace, kAnyState},
      {"STATUS", &Session::cmd_status, kOnWorkers},
      {"GETQUOTAROOT", &Session::cmd_getquotaroot, kOnWorkers},
      {"GETQUOTA", &Session::cmd_getquota, kOnWorkers},
      {"GETMETADATA", &Session::cmd_getmetadata, kOnWorkers},
      {"SETMETADATA", &Session::cmd_setmetadata, kOnWorkers},
      {"SELECT", &Session::cmd_select, kOnWorkers},
      {"EXAMINE", &Session::cmd_examine, kOnWorkers},
      {"APPEND", &Session::cmd_append, kOnWorkers},
      {"IDLE", &Session::cmd_idle, kAnyState},
      {"CLOSE", &Session::cmd_close, kSelected | kOnWorkers},
      {"UNSELECT", &Session::cmd_unselect, kSelected | kOnWorkers},
      {"CHECK", &Session::cmd_check, kSelected | kOnWorkers},
      {"EXPUNGE", &Session::cmd_expunge, kSelected | kUidForm | kOnWorkers},
      {"FETCH", &Session::cmd_fetch, kSelected | kUidForm | kOnWorkers},
      {"SEARCH", &Session::cmd_search, kSelected | kUidForm | kOnWorkers},
      {"SORT", &Session::cmd_sort, kSelected | kUidForm | kOnWorkers},
      {"THREAD", &Session::cmd_thread, kSelected | kUidForm | kOnWorkers},
      {"STORE", &Session::cmd_store, kSelected | kUidForm | kOnWorkers},
      {"COPY", &Session::cmd_copy, kSelected | kUidForm | kOnWorkers},
      {"MOVE", &Session::cmd_move, kSelected | kUidForm | kOnWorkers},
      {"CANCELUPDATE", &Session::cmd_cancelupdate, kSelected},
      // URLAUTH (cmd_urlauth.cpp): URLFETCH may open another user's store through the
      // user directory, so it stays on the event loop; its store reads go to the workers.
      {"GENURLAUTH", &Session::cmd_genurlauth, kUrlauth | kOnWorkers},
      {"RESETKEY", &Session::cmd_resetkey, kUrlauth | kOnWorkers},
      {"URLFETCH", &Session::cmd_urlfetch, kUrlauth},
      {"NOTIFY", &Session::cmd_notify, kOnWorkers},  // notify_session.cpp
  };
  return table;
}

Session::Session(Shared& shared, io::Connection& connection)
    : shared_(shared), settings_(shared.settings), conn_(connection) {}

std::string Session::client_label() const {
  return fmt::format("rip={}, lip={}", conn_.remote_address(), conn_.local_address());
}

std::string Session::capabilities() const {
  std::string caps =
      "IMAP4rev1 IMAP4rev2 SASL-IR LITERAL+ ID ENABLE IDLE NAMESPACE UIDPLUS MOVE UNSELECT "
      "CHILDREN SPECIAL-USE"
      " LIST-EXTENDED LIST-STATUS ESEARCH SEARCHRES SORT SORT=DISPLAY ESORT THREAD=REFERENCES"
      " THREAD=ORDEREDSUBJECT CONDSTORE QRESYNC STATUS=SIZE BINARY MULTIAPPEND QUOTA"
      " QUOTA=RES-STORAGE COMPRESS=DEFLATE OBJECTID SAVEDATE PREVIEW PARTIAL CATENATE"
      " METADATA METADATA-SERVER CONTEXT=SEARCH CONTEXT=SORT NOTIFY";
  caps += fmt::format(" APPENDLIMIT={}", settings_.append_limit);
  if (!settings_.urlauth_host.empty()) caps += " URLAUTH";  // imapd_urlauth_host (RFC 4467)
  return caps;
}

void Session::untagged(std::string_view line) {
  out_ += "* ";
  out_ += line;
  out_ += "\r\n";
}

void Session::tagged(const Command& c, std::string_view status, std::string_view text) {
  out_ += c.tag.empty() ? "*" : c.tag;
  out_ += ' ';
  out_ += status;
  out_ += ' ';
  out_ += text;
  out_ += "\r\n";
}

asio::awaitable<bool> Session::flush() {
  if (out_.empty()) co_return true;
  std::string data;
  data.swap(out_);
  bool ok = co_await conn_.write(data);
  co_return ok;
}

asio::awaitable<bool> Session::flush_if_large() {
  if (out_.size() < (256u << 10)) co_return true;
  bool ok = co_await flush();
  co_return ok;
}

void Session::report_changes(bool allow_expunge) {
  report_notifications();  // NOTIFY: other mailboxes (notify_session.cpp)
  if (!selected_) return;
  uint32_t known_uid = selected_->max_uid();
  if (search_updates_.empty()) {
    // RFC 7162 §3.1: once CONDSTORE is on, unsolicited FETCHes carry UID and MODSEQ.
    selected_->report(out_, allow_expunge, qresync_, condstore_, condstore_ || qresync_);
  } else {
    // CONTEXT=SEARCH: updates go after EXISTS and flag changes but before EXPUNGE, so that
    // their sequence numbers are those the client still knows (RFC 5267 §4.3).
    selected_->report(out_, false, qresync_, condstore_, condstore_ || qresync_);
    report_search_updates();
    if (allow_expunge) selected_->report(out_, true, qresync_, condstore_, condstore_ || qresync_);
  }
  report_new_messages(known_uid);  // NOTIFY's MessageNew FETCH (notify_session.cpp)
}

asio::awaitable<void> Session::converse() {
  while (state_ != State::logout) {
    bool sent = co_await flush();
    if (!sent) break;
    conn_.set_timeout(settings_.timeout);
    CommandInput input;
    input.status = CommandStatus::timeout;
    // NOTIFY (RFC 5465 §3): events go out while the client is between commands.
    std::optional<io::LineResult> first;
    if (notify_ || notify_watch_) first = co_await notify_between_commands();
    if (first && first->status != io::ReadStatus::ok) {
      input.status = first->status == io::ReadStatus::timeout    ? CommandStatus::timeout
                     : first->status == io::ReadStatus::too_long ? CommandStatus::line_too_long
                                                                 : CommandStatus::closed;
    } else {
      // A whole command, literals included, has one deadline (a client trickling a byte
      // at a time cannot hold the session); literal bytes extend it at kMinLiteralRate.
      auto deadline = std::chrono::steady_clock::now() + settings_.timeout;
      conn_.begin_request(deadline, kMinLiteralRate);
      if (first) {
        input = co_await read_command(conn_, settings_.limits, std::move(*first));
      } else {
        input = co_await read_command(conn_, settings_.limits);
      }
    }
    conn_.end_request();
    switch (input.status) {
      case CommandStatus::ok:
        co_await execute(input.text);
        break;
      case CommandStatus::line_too_long:
        out_ += "* BAD Command line too long.\r\n";
        break;
      case CommandStatus::literal_refused: {
        Parser p(input.text);
        Command c;
        if (auto tag = p.tag()) c.tag = *tag;
        tagged(c, "NO", "[TOOBIG] Literal too big.");
        break;
      }
      case CommandStatus::fatal:
        out_ += "* BYE Literal too big.\r\n";
        co_await flush();
        co_return;
      case CommandStatus::timeout:
        out_ += "* BYE Disconnected for inactivity.\r\n";
        co_await flush();
        shared_.log.info("Disconnected for inactivity: user=<{}>, {}", username_, client_label());
        co_return;
      case CommandStatus::closed:
        shared_.log.info("Disconnected: Connection closed: user=<{}>, {}", username_,
                         client_label());
        co_return;
    }
  }
  co_await flush();
}

asio::awaitable<void> Session::execute(std::string_view text) {
  Parser p(text);
  Command c;
  auto tag = p.tag();
  if (!tag) {
    out_ += "* BAD Error in IMAP command received by server.\r\n";
    co_return;
  }
  c.tag = *tag;
  if (!p.space()) {
    bad(c, "Error in IMAP command: Missing command name.");
    co_return;
  }
  auto name = p.atom();
  if (!name) {
    bad(c, "Error in IMAP command: Invalid command name.");
    co_return;
  }
  c.name = upper(*name);
  if (c.name == "UID") {
    c.uid = true;
    auto sub = p.space() ? p.atom() : std::nullopt;
    if (!sub) {
      bad(c, "Error in IMAP command UID: Missing command.");
      co_return;
    }
    c.name = upper(*sub);
  }
  const CommandEntry* entry = nullptr;
  for (const auto& e : command_table()) {
    if (e.name == c.name) entry = &e;
  }
  if (entry == nullptr || (c.uid && !entry->has(kUidForm)) ||
      (entry->has(kUrlauth) && settings_.urlauth_host.empty())) {
    bad(c, "Error in IMAP command: Unknown command.");
    co_return;
  }
  if (entry->has(kSelected) && state_ != State::selected) {
    bad(c, "Error in IMAP command " + c.name + ": No mailbox selected.");
    co_return;
  }
  // Arguments follow a single space; commands without arguments must end here.
  if (!p.at_end() && !p.space()) {
    bad(c, "Error in IMAP command " + c.name + ": Invalid arguments.");
    co_return;
  }
  auto started = std::chrono::steady_clock::now();
  if (entry->has(kOnWorkers) && shared_.workers != nullptr) {
    // The whole command (its socket writes included) runs on a worker thread while this
    // coroutine waits; the session is not touched from anywhere else meanwhile.
    co_await asio::co_spawn(*shared_.workers, run_command(*entry, c, p), asio::use_awaitable);
  } else {
    co_await run_command(*entry, c, p);
  }
  if (shared_.metrics)
    shared_.metrics->command_done(c.name, std::chrono::steady_clock::now() - started);
}

asio::awaitable<void> Session::run_command(const CommandEntry& entry, const Command& c, Parser& p) {
  co_await (this->*(entry.handler))(c, p);
}

// ---- any state ----

asio::awaitable<void> Session::cmd_capability(const Command& c, Parser& p) {
  if (!p.at_end()) {
    bad(c, "CAPABILITY takes no arguments.");
    co_return;
  }
  untagged("CAPABILITY " + capabilities());
  ok(c, "Capability completed.");
}

asio::awaitable<void> Session::cmd_noop(const Command& c, Parser& p) {
  if (!p.at_end()) {
    bad(c, "NOOP takes no arguments.");
    co_return;
  }
  report_changes(true);
  ok(c, "NOOP completed.");
}

asio::awaitable<void> Session::cmd_logout(const Command& c, Parser& p) {
  if (!p.at_end()) {
    bad(c, "LOGOUT takes no arguments.");
    co_return;
  }
  untagged("BYE Logging out");
  ok(c, "Logout completed.");
  shared_.log.info("Logged out user=<{}>, {}", username_, client_label());
  state_ = State::logout;
  co_return;
}

asio::awaitable<void> Session::cmd_id(const Command& c, Parser& p) {
  // RFC 2971: the client's parameters are only logged; ours are few.
  if (!p.consume_word("NIL")) {
    auto params = p.astring_list();
    if (!params) {
      bad(c, "Invalid ID parameters.");
      co_return;
    }
    std::vector<std::string> values;
    for (auto& v : *params) values.push_back(std::move(v));
  }
  if (!p.at_end()) {
    bad(c, "Invalid ID parameters.");
    co_return;
  }
  untagged("ID (\"name\" \"Correio\")");
  ok(c, "ID completed.");
}

asio::awaitable<void> Session::cmd_enable(const Command& c, Parser& p) {
  if (state_ == State::selected) {
    // RFC 5161 §3.1: only before any mailbox is selected.
    bad(c, "ENABLE is not allowed once a mailbox is selected.");
    co_return;
  }
  std::string enabled;
  while (!p.at_end()) {
    auto cap = p.atom();
    if (!cap) {
      bad(c, "Invalid ENABLE arguments.");
      co_return;
    }
    std::string u = upper(*cap);
    bool was = false;
    bool* flag = nullptr;
    if (u == "CONDSTORE") flag = &condstore_;
    if (u == "QRESYNC") flag = &qresync_;
    if (u == "IMAP4REV2") flag = &imap4rev2_;
    if (flag != nullptr) {
      was = *flag;
      *flag = true;
      if (u == "QRESYNC") condstore_ = true;
      if (!was) enabled += " " + u;
    }
    if (!p.at_end() && !p.space()) {
      bad(c, "Invalid ENABLE arguments.");
      co_return;
    }
  }
  untagged("ENABLED" + enabled);
  ok(c, "Enabled.");
}

// RFC 4978
asio::awaitable<void> Session::cmd_compress(const Command& c, Parser& p) {
  auto mechanism = p.atom();
  if (!mechanism || !p.at_end()) {
    bad(c, "Error in IMAP command COMPRESS: Invalid arguments.");
    co_return;
  }
  if (!iequals(*mechanism, "DEFLATE")) {
    no(c, "Unknown compression mechanism.");
    co_return;
  }
  if (conn_.compression_active()) {
    no(c, "[COMPRESSIONACTIVE] Compression is already active.");
    co_return;
  }
  if (conn_.has_buffered_input()) {
    // The client pipelined after COMPRESS: those bytes were meant to be compressed.
    bad(c, "Pipelining after COMPRESS is not allowed.");
    co_return;
  }
  ok(c, "DEFLATE active");
  bool sent = co_await flush();
  if (!sent || !conn_.start_compression()) state_ = State::logout;
}

}  // namespace correio::imapd
