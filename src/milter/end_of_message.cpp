// The content half of the milter dialogue: header fields, end of header, body chunks and
// end of message with the modifications a milter may send before its final reply
// (libmilter's smfi_addheader, smfi_chgheader, smfi_insheader, smfi_replacebody,
// smfi_addrcpt(_par), smfi_delrcpt, smfi_chgfrom, smfi_quarantine).
#include "milter/milters.hpp"

namespace correio::milter {
namespace {

// Which negotiated action (SMFIF_*) a modification needs; 0: not a modification.
uint32_t needed_action(char reply) {
  switch (reply) {
    case rep::kAddHeader:
    case rep::kInsHeader:
      return action::kAddHeaders;
    case rep::kChangeHeader:
      return action::kChangeHeaders;
    case rep::kReplaceBody:
      return action::kChangeBody;
    case rep::kAddRcpt:
      return action::kAddRcpt;
    case rep::kAddRcptPar:
      return action::kAddRcptPar;
    case rep::kDelRcpt:
      return action::kDelRcpt;
    case rep::kChangeFrom:
      return action::kChangeFrom;
    case rep::kQuarantine:
      return action::kQuarantine;
    default:
      return 0;
  }
}

// The first NUL-terminated string of a reply ("<a@b>\0ARGS\0" -> "<a@b>").
Result<std::string> first_string(std::string_view data) {
  auto parts = split_nul(data);
  if (!parts) return parts.error();
  if (parts->empty() || (*parts)[0].empty()) return Error{"empty address"};
  return (*parts)[0];
}

}  // namespace

asio::awaitable<Verdict> Milters::end_of_message(Message& message, EnvelopeEdits& envelope) {
  Verdict result;
  for (auto& m : milters_) {
    if (m.failed) {
      if (auto v = default_verdict(m)) {
        result = *v;
        break;
      }
      continue;
    }
    if (!live(m, Scope::message)) continue;
    auto verdict = co_await message_to(m, message, envelope);
    if (verdict) {
      result = *verdict;
      break;
    }
  }
  for (auto& m : milters_) {
    m.in_message = false;
    m.message_accepted = false;
  }
  if (quarantine_ && !envelope.quarantine) envelope.quarantine = quarantine_;
  quarantine_.reset();
  co_return result;
}

asio::awaitable<std::optional<Verdict>> Milters::message_to(Milter& m, Message& message,
                                                            EnvelopeEdits& envelope) {
  const Negotiation& agreed = m.connection->negotiated();
  const auto timeout = m.spec.content_timeout;
  const bool leading_space = (agreed.steps & step::kHeaderLeadingSpace) != 0;
  if ((agreed.steps & step::kNoHeaders) == 0) {
    const bool reply_expected = (agreed.steps & step::kNoReplyHeader) == 0;
    for (const auto& field : message.headers) {
      std::string name(header_name(field));
      std::string value = header_value_for_milter(field, leading_space);
      std::vector<std::string_view> parts{name, value};
      std::string data = nul_joined(parts);
      Status sent = co_await m.connection->send(cmd::kHeader, std::move(data), timeout);
      if (!sent) co_return fail(m, sent.error().message);
      if (!reply_expected) continue;
      auto reply = co_await m.connection->read(timeout);
      if (!reply) co_return fail(m, reply.error().message);
      auto verdict = interpret(m, *reply, Scope::message);
      if (!verdict) co_return fail(m, verdict.error().message);
      if (*verdict) co_return *verdict;
      if (m.message_accepted) co_return std::nullopt;
    }
  }
  if ((agreed.steps & step::kNoEndOfHeader) == 0) {
    bool reply_expected = (agreed.steps & step::kNoReplyEndOfHeader) == 0;
    std::string none;
    auto verdict = co_await ask(m, Stage::eoh, cmd::kEndOfHeader, std::move(none), reply_expected,
                                timeout, Scope::message);
    if (verdict) co_return verdict;
    if (m.failed || m.message_accepted) co_return std::nullopt;
  }
  if ((agreed.steps & step::kNoBody) == 0) {
    const bool reply_expected = (agreed.steps & step::kNoReplyBody) == 0;
    const std::string body = body_for_milter(message.body);
    for (size_t at = 0; at < body.size(); at += kMaxBodyChunk) {
      std::string chunk = body.substr(at, kMaxBodyChunk);
      Status sent = co_await m.connection->send(cmd::kBody, std::move(chunk), timeout);
      if (!sent) co_return fail(m, sent.error().message);
      if (!reply_expected) continue;
      auto reply = co_await m.connection->read(timeout);
      if (!reply) co_return fail(m, reply.error().message);
      // SMFIR_SKIP (negotiated with SMFIP_SKIP): the milter has seen enough of the body.
      if (reply->command == rep::kSkip && (agreed.steps & step::kSkip)) break;
      auto verdict = interpret(m, *reply, Scope::message);
      if (!verdict) co_return fail(m, verdict.error().message);
      if (*verdict) co_return *verdict;
      if (m.message_accepted) co_return std::nullopt;
    }
  }
  Status macros_sent = co_await send_macros(m, Stage::eom, cmd::kEndOfBody);
  if (!macros_sent) co_return fail(m, macros_sent.error().message);
  std::string none;
  Status sent = co_await m.connection->send(cmd::kEndOfBody, std::move(none), timeout);
  if (!sent) co_return fail(m, sent.error().message);
  co_return co_await end_of_message_replies(m, message, envelope);
}

asio::awaitable<std::optional<Verdict>> Milters::end_of_message_replies(Milter& m, Message& message,
                                                                        EnvelopeEdits& envelope) {
  const Negotiation& agreed = m.connection->negotiated();
  const bool leading_space = (agreed.steps & step::kHeaderLeadingSpace) != 0;
  std::optional<std::string> new_body;
  // Edits are kept aside until the final reply: a milter that fails half-way leaves the
  // message as it was (Postfix's cleanup rolls back in the same way).
  Message edited = message;
  EnvelopeEdits edits = envelope;
  for (;;) {
    auto reply = co_await m.connection->read(m.spec.content_timeout);
    if (!reply) co_return fail(m, reply.error().message);
    const char c = reply->command;
    const uint32_t needed = needed_action(c);
    if (needed == 0) {
      auto verdict = interpret(m, *reply, Scope::message);
      if (!verdict) co_return fail(m, verdict.error().message);
      if (*verdict) co_return *verdict;
      break;  // SMFIR_CONTINUE or SMFIR_ACCEPT: the edits stand
    }
    if ((agreed.actions & needed) == 0)
      co_return fail(m, std::string("modification '") + c + "' without the negotiated action");
    if (c == rep::kAddHeader || c == rep::kInsHeader || c == rep::kChangeHeader) {
      auto edit = decode_header_edit(c, reply->data);
      if (!edit) co_return fail(m, edit.error().message);
      if (c == rep::kAddHeader) add_header(edited, edit->name, edit->value, leading_space);
      if (c == rep::kInsHeader)
        insert_header(edited, edit->index, edit->name, edit->value, leading_space);
      if (c == rep::kChangeHeader)
        change_header(edited, edit->index, edit->name, edit->value, leading_space);
    } else if (c == rep::kReplaceBody) {
      // Several SMFIR_REPLBODY packets make up the new body, in order.
      if (!new_body) new_body.emplace();
      *new_body += reply->data;
    } else if (c == rep::kQuarantine) {
      std::string reason = reply->data;
      while (!reason.empty() && reason.back() == '\0') reason.pop_back();
      edits.quarantine = reason.empty() ? "quarantined by milter " + m.spec.address : reason;
    } else {
      auto address = first_string(reply->data);
      if (!address) co_return fail(m, address.error().message);
      std::string plain = strip_angle_brackets(*address);
      if (c == rep::kChangeFrom) edits.sender = plain;
      if (c == rep::kAddRcpt || c == rep::kAddRcptPar) edits.added.push_back(plain);
      if (c == rep::kDelRcpt) edits.deleted.push_back(plain);
    }
  }
  if (new_body) {
    edited.body = body_from_milter(*new_body);
    edits.body_replaced = true;
  }
  message = std::move(edited);
  envelope = std::move(edits);
  co_return std::nullopt;
}

}  // namespace correio::milter
