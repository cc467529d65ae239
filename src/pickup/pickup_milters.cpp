// non_smtpd_milters for pickup (see pickup_milters.hpp).
#include "pickup/pickup_milters.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>

#include "base/strings.hpp"
#include "cleanup/produced_header_checks.hpp"
#include "milter/message_edits.hpp"
#include "milter/milters.hpp"

namespace correio::pickup {
namespace {

using Kind = MilterOutcome::Kind;

struct Exchange {
  const milter::Settings& settings;
  const cleanup::CheckTables* header_checks;  // milter_header_checks, or null
  base::Logger& log;
  queue::Envelope& envelope;
  std::string& content;
  const std::string& queue_id;
  std::string recipient;  // the rcpt macros while RCPT is being sent
  MilterOutcome outcome;

  std::optional<std::string> macro(std::string_view name) const {
    if (name == "i") return queue_id;
    if (name == "{client_addr}") return std::string("127.0.0.1");
    if (name == "_") return std::string("localhost [127.0.0.1]");
    if (name == "{client_name}" || name == "{client_ptr}") return std::string("localhost");
    if (name == "{daemon_name}" && !settings.daemon_name.empty()) return settings.daemon_name;
    if (name == "{mail_addr}") return envelope.sender;
    if (name == "{rcpt_addr}" && !recipient.empty()) return recipient;
    return std::nullopt;
  }

  // False when the verdict ends the message (recorded in `outcome`).
  bool proceed(const milter::Verdict& v) {
    if (v.kind == milter::Verdict::Kind::proceed) return true;
    outcome.kind = v.kind == milter::Verdict::Kind::discard  ? Kind::discard
                   : v.kind == milter::Verdict::Kind::reject ? Kind::reject
                                                             : Kind::tempfail;
    outcome.reply = v.reply;
    return false;
  }

  asio::awaitable<void> run() {
    milter::Milters milters(settings, log, [this](std::string_view n) { return macro(n); });
    co_await milters.open();
    if (co_await steps(milters)) {
      milter::Message message = milter::Message::parse(content);
      milter::EnvelopeEdits edits;
      std::vector<std::string> before;
      if (header_checks) before = message.headers;
      if (proceed(co_await milters.end_of_message(message, edits)) && check(before, message)) {
        content = message.text();
        apply(edits);
      }
    } else {
      co_await milters.abort();
    }
    co_await milters.quit();
  }

  // connect, HELO, MAIL, each RCPT, DATA; false when one ended the message.
  asio::awaitable<bool> steps(milter::Milters& milters) {
    if (!proceed(co_await milters.connect("localhost", '4', 25, "127.0.0.1"))) co_return false;
    if (!proceed(co_await milters.helo("localhost"))) co_return false;
    std::vector<std::string> mail{"<" + envelope.sender + ">"};
    if (!proceed(co_await milters.mail(mail))) co_return false;
    for (const auto& r : envelope.recipients) {
      recipient = r.address;
      std::vector<std::string> rcpt{"<" + r.address + ">"};
      bool go_on = proceed(co_await milters.rcpt(rcpt));
      recipient.clear();
      if (!go_on) co_return false;
    }
    co_return proceed(co_await milters.data());
  }

  // milter_header_checks on the fields the milters produced; false when it ended the
  // message (REJECT, DISCARD).
  bool check(const std::vector<std::string>& before, milter::Message& message) {
    if (!header_checks) return true;
    std::string first = envelope.recipients.empty() ? "" : envelope.recipients.front().address;
    outcome.checks = cleanup::check_produced_headers(
        *header_checks, {queue_id, "local", envelope.sender, first, "", ""}, log, before,
        message.headers);
    if (outcome.checks.reject) {
      bool temporary = outcome.checks.reject->starts_with('4');
      outcome.kind = temporary ? Kind::tempfail : Kind::reject;
      outcome.reply = (temporary ? "451 " : "550 ") + *outcome.checks.reject;
      return false;
    }
    if (outcome.checks.discard) {
      outcome.kind = Kind::discard;
      return false;
    }
    return true;
  }

  void apply(const milter::EnvelopeEdits& edits) {
    if (edits.sender) {
      envelope.sender = *edits.sender;
      outcome.envelope_changed = true;
    }
    auto& list = envelope.recipients;
    for (const auto& gone : edits.deleted) {
      size_t before = list.size();
      std::erase_if(list,
                    [&](const queue::Recipient& r) { return base::iequals(r.address, gone); });
      outcome.envelope_changed = outcome.envelope_changed || list.size() != before;
    }
    for (const auto& added : edits.added) {
      list.push_back({added, added, "", 0});
      outcome.envelope_changed = true;
    }
    if (list.empty()) {
      // Postfix's cleanup bounces a message the milters left without recipients.
      outcome.kind = Kind::reject;
      outcome.reply = "550 5.7.1 no recipients left after milter processing";
    }
    outcome.hold = edits.quarantine;
  }
};

}  // namespace

MilterOutcome PickupMilters::filter(queue::Envelope& envelope, std::string& content,
                                    const std::string& queue_id) {
  Exchange exchange{settings_, header_checks_.get(), log_, envelope, content, queue_id, {}, {}};
  asio::io_context io;
  std::exception_ptr failure;
  asio::co_spawn(io, exchange.run(), [&failure](std::exception_ptr e) { failure = e; });
  io.run();
  if (failure) {
    // A broken exchange is the milters' default action's business when they can be
    // told apart; here nothing is known: try again later rather than pass unfiltered.
    exchange.outcome = {};
    exchange.outcome.kind = Kind::tempfail;
    exchange.outcome.reply = "451 4.3.0 milter exchange failed";
  }
  return exchange.outcome;
}

}  // namespace correio::pickup
