// The per-stage dialogue with the milters of one session (see milters.hpp).
#include "milter/milters.hpp"

#include "base/strings.hpp"

namespace correio::milter {
namespace {

// Postfix's milter8.c replies for SMFIR_REJECT and SMFIR_TEMPFAIL, and for the default
// actions.
constexpr std::string_view kRejectReply = "550 5.7.1 Command rejected";
constexpr std::string_view kTempfailReply = "451 4.7.1 Service unavailable - try again later";

const std::vector<std::string>& configured(const MacroLists& lists, Stage stage) {
  switch (stage) {
    case Stage::connect:
      return lists.connect;
    case Stage::helo:
      return lists.helo;
    case Stage::mail:
      return lists.mail;
    case Stage::rcpt:
      return lists.rcpt;
    case Stage::data:
      return lists.data;
    case Stage::eoh:
      return lists.end_of_header;
    case Stage::eom:
      return lists.end_of_data;
  }
  return lists.connect;
}

Verdict refusal(Verdict::Kind kind, std::string_view reply, const std::string& milter) {
  return Verdict{kind, std::string(reply), milter};
}

}  // namespace

Milters::Milters(const Settings& settings, base::Logger& log, MacroLookup macros)
    : settings_(settings), log_(log), macros_(std::move(macros)) {
  for (const auto& spec : settings.milters) milters_.push_back(Milter{spec, nullptr});
}

Milters::~Milters() {
  for (auto& m : milters_)
    if (m.connection) m.connection->close();
}

asio::awaitable<void> Milters::open() {
  for (auto& m : milters_) {
    auto opened = co_await Connection::open(m.spec);
    if (!opened) {
      fail(m, opened.error().message);
      continue;
    }
    m.connection = std::move(*opened);
  }
}

bool Milters::live(const Milter& m, Scope scope) const {
  return !m.failed && m.connection && !m.session_accepted &&
         !(scope == Scope::message && m.message_accepted);
}

std::optional<Verdict> Milters::default_verdict(const Milter& m) {
  switch (m.spec.default_action) {
    case DefaultAction::accept:
      return std::nullopt;
    case DefaultAction::reject:
      return refusal(Verdict::Kind::reject, kRejectReply, m.spec.address);
    case DefaultAction::tempfail:
      return refusal(Verdict::Kind::tempfail, kTempfailReply, m.spec.address);
    case DefaultAction::quarantine:
      // Postfix: "accept the message, but place it in the hold queue".
      quarantine_ = "milter " + m.spec.address + " is unavailable (milter_default_action)";
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<Verdict> Milters::fail(Milter& m, std::string_view why) {
  log_.warning("milter {}: {}", m.spec.address, why);
  if (m.connection) m.connection->close();
  m.connection.reset();
  m.failed = true;
  return default_verdict(m);
}

std::vector<std::pair<std::string, std::string>> Milters::macro_values(const Milter& m,
                                                                       Stage stage) const {
  // SMFIR_SETSYMLIST in the negotiation: the milter's own list for this stage wins.
  std::vector<std::string> names;
  const std::string& own = m.connection->negotiated().macros[static_cast<size_t>(stage)];
  names = own.empty() ? configured(settings_.macros, stage) : base::split_any(own, " ,\t");
  std::vector<std::pair<std::string, std::string>> values;
  for (const auto& name : names) {
    std::optional<std::string> value;
    if (name == "j")
      value = settings_.myhostname;
    else if (name == "{daemon_name}")
      value = settings_.daemon_name;
    else if (name == "v")
      value = settings_.v;
    else if (macros_)
      value = macros_(name);
    if (value) values.emplace_back(name, std::move(*value));
  }
  return values;
}

asio::awaitable<Status> Milters::send_macros(Milter& m, Stage stage, char command) {
  auto values = macro_values(m, stage);
  if (values.empty()) co_return Status{};
  std::string data = encode_macros(command, values);
  co_return co_await m.connection->send(cmd::kMacro, std::move(data), m.spec.command_timeout);
}

Result<std::optional<Verdict>> Milters::interpret(Milter& m, const Packet& reply, Scope scope) {
  const std::string& who = m.spec.address;
  switch (reply.command) {
    case rep::kContinue:
      return std::optional<Verdict>{};
    case rep::kAccept:
      (scope == Scope::session ? m.session_accepted : m.message_accepted) = true;
      return std::optional<Verdict>{};
    case rep::kReject:
      return std::optional<Verdict>{refusal(Verdict::Kind::reject, kRejectReply, who)};
    case rep::kTempfail:
      return std::optional<Verdict>{refusal(Verdict::Kind::tempfail, kTempfailReply, who)};
    case rep::kReplyCode: {
      auto text = decode_reply_code(reply.data);
      if (!text) return text.error();
      auto kind = (*text)[0] == '4' ? Verdict::Kind::tempfail : Verdict::Kind::reject;
      return std::optional<Verdict>{refusal(kind, *text, who)};
    }
    case rep::kDiscard:
      // Sendmail: a discard at connect or HELO makes no sense; Postfix treats it as an error.
      if (scope == Scope::session) return Error{"SMFIR_DISCARD outside a message"};
      return std::optional<Verdict>{Verdict{Verdict::Kind::discard, "", who}};
    case rep::kShutdown:
    case rep::kConnFail:
      return Error{"milter asked to end the connection"};
    default:
      return Error{std::string("unexpected reply '") + reply.command + "'"};
  }
}

asio::awaitable<std::optional<Verdict>> Milters::ask(Milter& m, Stage stage, char command,
                                                     std::string data, bool reply_expected,
                                                     std::chrono::milliseconds timeout,
                                                     Scope scope) {
  Status macros_sent = co_await send_macros(m, stage, command);
  if (!macros_sent) co_return fail(m, macros_sent.error().message);
  Status sent = co_await m.connection->send(command, std::move(data), timeout);
  if (!sent) co_return fail(m, sent.error().message);
  if (!reply_expected) co_return std::nullopt;
  auto reply = co_await m.connection->read(timeout);
  if (!reply) co_return fail(m, reply.error().message);
  auto verdict = interpret(m, *reply, scope);
  if (!verdict) co_return fail(m, verdict.error().message);
  co_return *verdict;
}

asio::awaitable<Verdict> Milters::event(Stage stage, char command, std::string data,
                                        uint32_t skip_flag, uint32_t no_reply_flag, Scope scope) {
  for (auto& m : milters_) {
    if (m.failed) {
      // Postfix keeps answering with the default reply once a milter failed.
      if (auto v = default_verdict(m)) co_return *v;
      continue;
    }
    if (!live(m, scope)) continue;
    if (stage == Stage::mail) m.in_message = true;
    const uint32_t steps = m.connection->negotiated().steps;
    if (steps & skip_flag) continue;
    bool reply_expected = (steps & no_reply_flag) == 0;
    auto verdict =
        co_await ask(m, stage, command, data, reply_expected, m.spec.command_timeout, scope);
    if (verdict) co_return *verdict;
  }
  co_return Verdict{};
}

asio::awaitable<Verdict> Milters::connect(std::string_view host, char family, uint16_t port,
                                          std::string_view address) {
  std::string data = encode_connect(host, family, port, address);
  co_return co_await event(Stage::connect, cmd::kConnect, std::move(data), step::kNoConnect,
                           step::kNoReplyConnect, Scope::session);
}

asio::awaitable<Verdict> Milters::helo(std::string_view name) {
  std::vector<std::string_view> parts{name};
  std::string data = nul_joined(parts);
  co_return co_await event(Stage::helo, cmd::kHelo, std::move(data), step::kNoHelo,
                           step::kNoReplyHelo, Scope::session);
}

asio::awaitable<Verdict> Milters::mail(const std::vector<std::string>& args) {
  std::vector<std::string_view> parts(args.begin(), args.end());
  std::string data = nul_joined(parts);
  co_return co_await event(Stage::mail, cmd::kMail, std::move(data), step::kNoMail,
                           step::kNoReplyMail, Scope::message);
}

asio::awaitable<Verdict> Milters::rcpt(const std::vector<std::string>& args) {
  std::vector<std::string_view> parts(args.begin(), args.end());
  std::string data = nul_joined(parts);
  co_return co_await event(Stage::rcpt, cmd::kRcpt, std::move(data), step::kNoRcpt,
                           step::kNoReplyRcpt, Scope::message);
}

asio::awaitable<Verdict> Milters::data() {
  std::string data;
  co_return co_await event(Stage::data, cmd::kData, std::move(data), step::kNoData,
                           step::kNoReplyData, Scope::message);
}

asio::awaitable<void> Milters::abort() {
  for (auto& m : milters_) {
    bool was_in_message = m.in_message;
    m.in_message = false;
    m.message_accepted = false;
    if (!was_in_message || m.failed || !m.connection) continue;
    // SMFIC_ABORT has no reply.
    std::string none;
    Status s = co_await m.connection->send(cmd::kAbort, std::move(none), m.spec.command_timeout);
    if (!s) fail(m, s.error().message);
  }
}

asio::awaitable<void> Milters::quit() {
  for (auto& m : milters_) {
    if (m.failed || !m.connection) continue;
    std::string none;
    Status s = co_await m.connection->send(cmd::kQuit, std::move(none), m.spec.command_timeout);
    if (!s) log_.warning("milter {}: {}", m.spec.address, s.error().message);
    m.connection->close();
    m.connection.reset();
  }
}

}  // namespace correio::milter
