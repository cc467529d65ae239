// The session loop, the command table, and the commands valid in any state or before login.
#include "imapd/session.hpp"

#include <fmt/format.h>

#include <asio/co_spawn.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "auth/login_log.hpp"
#include "base/base64.hpp"
#include "imapd/response.hpp"
#include "store/mailbox_path.hpp"

namespace correio::imapd {

const std::vector<Session::CommandEntry>& Session::command_table() {
  // name, handler, needs authentication, needs a selected folder, valid after UID, runs on
  // the worker threads
  static const std::vector<CommandEntry> table = {
      {"CAPABILITY", &Session::cmd_capability, false, false},
      {"NOOP", &Session::cmd_noop, false, false, false, true},
      {"LOGOUT", &Session::cmd_logout, false, false},
      {"ID", &Session::cmd_id, false, false},
      {"ENABLE", &Session::cmd_enable, true, false},
      {"STARTTLS", &Session::cmd_starttls, false, false},
      {"COMPRESS", &Session::cmd_compress, true, false},
      {"LOGIN", &Session::cmd_login, false, false},
      {"AUTHENTICATE", &Session::cmd_authenticate, false, false},
      {"CREATE", &Session::cmd_create, true, false, false, true},
      {"DELETE", &Session::cmd_delete, true, false, false, true},
      {"RENAME", &Session::cmd_rename, true, false, false, true},
      {"SUBSCRIBE", &Session::cmd_subscribe, true, false, false, true},
      {"UNSUBSCRIBE", &Session::cmd_unsubscribe, true, false, false, true},
      {"LIST", &Session::cmd_list, true, false, false, true},
      {"LSUB", &Session::cmd_lsub, true, false, false, true},
      {"NAMESPACE", &Session::cmd_namespace, true, false},
      {"STATUS", &Session::cmd_status, true, false, false, true},
      {"GETQUOTAROOT", &Session::cmd_getquotaroot, true, false, false, true},
      {"GETQUOTA", &Session::cmd_getquota, true, false, false, true},
      {"SELECT", &Session::cmd_select, true, false, false, true},
      {"EXAMINE", &Session::cmd_examine, true, false, false, true},
      {"APPEND", &Session::cmd_append, true, false, false, true},
      {"IDLE", &Session::cmd_idle, true, false},
      {"CLOSE", &Session::cmd_close, true, true, false, true},
      {"UNSELECT", &Session::cmd_unselect, true, true, false, true},
      {"CHECK", &Session::cmd_check, true, true, false, true},
      {"EXPUNGE", &Session::cmd_expunge, true, true, true, true},
      {"FETCH", &Session::cmd_fetch, true, true, true, true},
      {"SEARCH", &Session::cmd_search, true, true, true, true},
      {"SORT", &Session::cmd_sort, true, true, true, true},
      {"THREAD", &Session::cmd_thread, true, true, true, true},
      {"STORE", &Session::cmd_store, true, true, true, true},
      {"COPY", &Session::cmd_copy, true, true, true, true},
      {"MOVE", &Session::cmd_move, true, true, true, true},
  };
  return table;
}

Session::Session(Shared& shared, io::Connection& connection)
    : shared_(shared), settings_(shared.settings), conn_(connection) {}

std::string Session::client_label() const {
  return fmt::format("rip={}, lip={}", conn_.remote_address(), conn_.local_address());
}

bool Session::cleartext_allowed() const {
  return conn_.tls_active() || settings_.allow_cleartext;
}

auth::SaslOffer Session::sasl_offer() const {
  auth::SaslOffer offer;
  offer.tls_active = conn_.tls_active();
  offer.allow_plaintext = cleartext_allowed();
  offer.allow_scram = true;
  if (conn_.tls_active()) {
    offer.bindings.tls_exporter = conn_.tls_exporter_binding();
    offer.bindings.tls_server_end_point = conn_.tls_server_end_point_binding();
  }
  return offer;
}

std::string Session::capabilities() const {
  std::string caps = "IMAP4rev1 IMAP4rev2";
  if (state_ == State::not_authenticated) {
    caps += " SASL-IR LITERAL+ ID ENABLE";
    if (settings_.tls && !conn_.tls_active()) caps += " STARTTLS";
    std::string mechs = auth::offered_mechanism_list(sasl_offer());
    size_t start = 0;
    while (start < mechs.size()) {
      size_t end = mechs.find(' ', start);
      if (end == std::string::npos) end = mechs.size();
      caps += " AUTH=" + mechs.substr(start, end - start);
      start = end + 1;
    }
    if (!cleartext_allowed()) caps += " LOGINDISABLED";
    return caps;
  }
  caps +=
      " SASL-IR LITERAL+ ID ENABLE IDLE NAMESPACE UIDPLUS MOVE UNSELECT CHILDREN SPECIAL-USE"
      " LIST-EXTENDED LIST-STATUS ESEARCH SEARCHRES SORT SORT=DISPLAY THREAD=REFERENCES"
      " THREAD=ORDEREDSUBJECT CONDSTORE QRESYNC STATUS=SIZE BINARY MULTIAPPEND QUOTA"
      " QUOTA=RES-STORAGE COMPRESS=DEFLATE";
  caps += fmt::format(" APPENDLIMIT={}", settings_.append_limit);
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
  if (!selected_) return;
  selected_->report(out_, allow_expunge, qresync_, condstore_, qresync_);
}

asio::awaitable<void> Session::run() {
  co_await converse();
  if (username_.empty()) {
    // Dovecot's imap-login line, which fail2ban's dovecot filter counts.
    auth::UnauthenticatedEnd end{failed_logins_, std::chrono::steady_clock::now() - started_,
                                 tried_user_, tried_method_};
    std::string client = client_label() + (conn_.tls_active() ? ", TLS" : "");
    shared_.log.info("{}", auth::login_disconnect_line("imap", end, client));
  }
}

asio::awaitable<void> Session::converse() {
  if (settings_.tls_wrappermode) {
    std::string error;
    auto context = settings_.tls->context();
    bool up = co_await conn_.start_tls(*context, error);
    if (!up) {
      shared_.log.info("TLS handshake failed: {}, {}", error, client_label());
      co_return;
    }
  }
  out_ = fmt::format("* OK [CAPABILITY {}] Correio ready.\r\n", capabilities());
  while (state_ != State::logout) {
    bool sent = co_await flush();
    if (!sent) break;
    conn_.set_timeout(state_ == State::not_authenticated ? settings_.login_timeout
                                                         : settings_.timeout);
    CommandInput input = co_await read_command(conn_, settings_.limits);
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
        if (state_ != State::not_authenticated) {
          shared_.log.info("Disconnected: Connection closed: user=<{}>, {}", username_,
                           client_label());
        }
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
  if (entry == nullptr || (c.uid && !entry->allowed_after_uid)) {
    bad(c, "Error in IMAP command: Unknown command.");
    co_return;
  }
  if (entry->needs_auth && state_ == State::not_authenticated) {
    bad(c, "Error in IMAP command " + c.name + ": Not logged in.");
    co_return;
  }
  if (entry->needs_selected && state_ != State::selected) {
    bad(c, "Error in IMAP command " + c.name + ": No mailbox selected.");
    co_return;
  }
  // Arguments follow a single space; commands without arguments must end here.
  if (!p.at_end() && !p.space()) {
    bad(c, "Error in IMAP command " + c.name + ": Invalid arguments.");
    co_return;
  }
  if (entry->on_workers && shared_.workers != nullptr) {
    // The whole command (its socket writes included) runs on a worker thread while this
    // coroutine waits; the session is not touched from anywhere else meanwhile.
    co_await asio::co_spawn(*shared_.workers, run_command(*entry, c, p), asio::use_awaitable);
  } else {
    co_await run_command(*entry, c, p);
  }
}

asio::awaitable<void> Session::run_command(const CommandEntry& entry, const Command& c, Parser& p) {
  co_await (this->*(entry.handler))(c, p);
  // What the command cached (ENVELOPE, BODYSTRUCTURE, headers) is committed once, here.
  if (selected_) {
    if (Status s = selected_->box().flush_cache(); !s)
      shared_.log.warning("cannot update the cache of {}: {}", selected_->box().name(),
                          s.error().message);
  }
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
  if (state_ != State::not_authenticated) {
    shared_.log.info("Logged out user=<{}>, {}", username_, client_label());
  }
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

// ---- not authenticated ----

asio::awaitable<void> Session::cmd_starttls(const Command& c, Parser& p) {
  if (!p.at_end()) {
    bad(c, "STARTTLS takes no arguments.");
    co_return;
  }
  if (state_ != State::not_authenticated) {
    bad(c, "STARTTLS only before login.");
    co_return;
  }
  if (conn_.tls_active()) {
    bad(c, "TLS is already active.");
    co_return;
  }
  if (!settings_.tls) {
    no(c, "TLS is not available.");
    co_return;
  }
  ok(c, "Begin TLS negotiation now.");
  bool sent = co_await flush();
  if (!sent) {
    state_ = State::logout;
    co_return;
  }
  std::string error;
  auto context = settings_.tls->context();
  bool up = co_await conn_.start_tls(*context, error);
  if (!up) {
    shared_.log.info("TLS handshake failed: {}, {}", error, client_label());
    state_ = State::logout;
  }
}

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

bool Session::open_user(const std::string& username) {
  std::optional<auth::UserRecord> record;
  auto found = shared_.logins.users().lookup(username);
  if (found && *found) record = **found;
  if (!record) return false;
  auto path = store::virtual_maildir_path(settings_.mailbox_base, record->user, record->home,
                                          settings_.mail_location);
  if (!path) {
    shared_.log.warning("user {}: {}", record->user, path.error().message);
    return false;
  }
  mailbox::MailUserOptions options;
  options.special_use_folders = settings_.special_use_folders;
  auto user = mailbox::MailUser::open(*path, options);
  if (!user) {
    shared_.log.warning("user {}: cannot open the mail store: {}", record->user,
                        user.error().message);
    return false;
  }
  user_.emplace(std::move(*user));
  if (auto rule = record->extra("userdb_quota_rule")) quota_bytes_ = parse_quota_rule(*rule);
  username_ = record->user;
  state_ = State::authenticated;
  return true;
}

asio::awaitable<void> Session::login_failed(const Command& c, const std::string& user,
                                            std::string_view mechanism, std::string_view reason) {
  auto delay = shared_.logins.throttle().record_failure(conn_.remote_address(),
                                                        std::chrono::steady_clock::now());
  shared_.log.info("Login failed: user=<{}>, method={}, {}: {}", user, mechanism, client_label(),
                   reason);
  ++failed_logins_;
  tried_user_ = user;
  tried_method_ = std::string(mechanism);
  if (settings_.auth_verbose)
    shared_.log.info("{}", auth::passdb_failure_line(settings_.passdb_driver, user,
                                                     conn_.remote_address(), reason));
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(delay);
  std::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  no(c, "[AUTHENTICATIONFAILED] Authentication failed.");
}

asio::awaitable<void> Session::cmd_login(const Command& c, Parser& p) {
  if (state_ != State::not_authenticated) {
    bad(c, "Already logged in.");
    co_return;
  }
  auto user = p.astring();
  bool have_space = user.has_value() && p.space();
  auto password = have_space ? p.astring() : std::nullopt;
  if (!password || !p.at_end()) {
    bad(c,
        "Error in IMAP command LOGIN: " + (p.error().empty() ? "Invalid arguments." : p.error()));
    co_return;
  }
  if (!cleartext_allowed()) {
    no(c,
       "[PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) "
       "connections.");
    co_return;
  }
  if (shared_.logins.throttle().blocked(conn_.remote_address(), std::chrono::steady_clock::now())) {
    no(c, "[UNAVAILABLE] Too many failed logins; try again later.");
    co_return;
  }
  auto verdict = shared_.logins.sasl().check_password(*user, *password);
  if (verdict.failure == auth::SaslStep::Failure::temporary) {
    no(c, "[UNAVAILABLE] Temporary authentication failure.");
    co_return;
  }
  bool opened = verdict.ok() && open_user(verdict.username);
  if (!opened) {
    // Not inside the co_await expression: GCC 12 miscompiles ?: there.
    std::string reason = verdict.ok() ? std::string("mail store") : verdict.reason;
    co_await login_failed(c, *user, "PLAIN", reason);
    co_return;
  }
  shared_.logins.throttle().record_success(conn_.remote_address());
  shared_.log.info("Login: user=<{}>, method=PLAIN, {}, {}", username_, client_label(),
                   conn_.tls_active() ? "TLS" : "secured");
  ok(c, "[CAPABILITY " + capabilities() + "] Logged in");
}

asio::awaitable<void> Session::cmd_authenticate(const Command& c, Parser& p) {
  if (state_ != State::not_authenticated) {
    bad(c, "Already logged in.");
    co_return;
  }
  auto mech_name = p.atom();
  if (!mech_name) {
    bad(c, "Missing SASL mechanism.");
    co_return;
  }
  std::optional<std::string> initial;
  if (!p.at_end()) {
    if (!p.space()) {
      bad(c, "Invalid arguments.");
      co_return;
    }
    auto ir = p.atom();
    if (!ir || !p.at_end()) {
      bad(c, "Invalid initial response.");
      co_return;
    }
    if (*ir == "=") {
      initial = std::string();
    } else {
      initial = base::base64_decode(*ir);
      if (!initial) {
        bad(c, "Invalid base64 data in initial response.");
        co_return;
      }
    }
  }
  auto mechanism = auth::parse_sasl_mechanism(*mech_name);
  std::unique_ptr<auth::SaslExchange> exchange;
  if (mechanism) exchange = shared_.logins.sasl().start(*mechanism, sasl_offer());
  if (!exchange) {
    if (mechanism && auth::sasl_mechanism_is_plaintext(*mechanism) && !cleartext_allowed()) {
      no(c,
         "[PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) "
         "connections.");
    } else {
      no(c, "Unsupported authentication mechanism.");
    }
    co_return;
  }
  if (shared_.logins.throttle().blocked(conn_.remote_address(), std::chrono::steady_clock::now())) {
    no(c, "[UNAVAILABLE] Too many failed logins; try again later.");
    co_return;
  }
  std::optional<std::string_view> response;
  if (initial) response = *initial;
  auth::SaslStep step = exchange->step(response);
  while (step.kind == auth::SaslStep::Kind::challenge) {
    out_ += "+ " + base::base64_encode(step.data) + "\r\n";
    bool sent = co_await flush();
    if (!sent) {
      state_ = State::logout;
      co_return;
    }
    io::LineResult line = co_await conn_.read_line(settings_.limits.max_line_length);
    if (line.status != io::ReadStatus::ok) {
      state_ = State::logout;
      co_return;
    }
    std::string_view text = line.line;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    if (text == "*") {
      bad(c, "Authentication aborted by client.");
      co_return;
    }
    auto decoded = base::base64_decode(text);
    if (!decoded) {
      bad(c, "Invalid base64 data in continued response.");
      co_return;
    }
    step = exchange->step(*decoded);
  }
  std::string mech(auth::sasl_mechanism_name(exchange->mechanism()));
  if (step.kind == auth::SaslStep::Kind::failure) {
    if (step.failure == auth::SaslStep::Failure::temporary) {
      no(c, "[UNAVAILABLE] Temporary authentication failure.");
    } else if (step.failure == auth::SaslStep::Failure::malformed) {
      bad(c, "Invalid SASL response.");
    } else {
      co_await login_failed(c, exchange->attempted_username(), mech, step.reason);
    }
    co_return;
  }
  if (!open_user(exchange->username())) {
    co_await login_failed(c, exchange->username(), mech, "mail store");
    co_return;
  }
  shared_.logins.throttle().record_success(conn_.remote_address());
  shared_.log.info("Login: user=<{}>, method={}, {}, {}", username_, mech, client_label(),
                   conn_.tls_active() ? "TLS" : "secured");
  ok(c, "[CAPABILITY " + capabilities() + "] Logged in");
}

uint64_t parse_quota_rule(std::string_view rule) {
  size_t at = rule.find("storage=");
  if (at == std::string_view::npos) return 0;
  std::string_view value = rule.substr(at + 8);
  uint64_t number = 0;
  size_t i = 0;
  while (i < value.size() && value[i] >= '0' && value[i] <= '9') {
    number = number * 10 + static_cast<uint64_t>(value[i] - '0');
    ++i;
  }
  if (i == 0) return 0;
  char unit = i < value.size() ? static_cast<char>(std::toupper(value[i])) : 'B';
  switch (unit) {
    case 'K':
      return number << 10;
    case 'M':
      return number << 20;
    case 'G':
      return number << 30;
    case 'T':
      return number << 40;
    default:
      return number;
  }
}

asio::awaitable<void> serve(Shared& shared, asio::ip::tcp::socket socket) {
  io::Connection connection(std::move(socket));
  Session session(shared, connection);
  co_await session.run();
}

}  // namespace correio::imapd
