// The envelope half of cleanup's address rewriting as smtpd runs it: the sender at MAIL,
// each recipient at RCPT (so that a virtual alias decides RCPT's answer, as Postfix's
// smtpd_reject_unlisted_recipient does), before the queue file exists.
#include "smtpd/session.hpp"

namespace correio::smtpd {

std::optional<smtp::Reply> Session::rewrite_sender(Envelope& envelope) {
  cleanup::AddressRewriter& rewriter = services_.rewriter;
  envelope.duplicates_by_original = rewriter.enable_original_recipient();
  auto sender = rewriter.sender(envelope.sender);
  if (!sender) {
    log_.warning("sender address rewriting for <{}>: {}", envelope.sender, sender.error().message);
    return smtp::Reply(451, "4.3.0", "<" + envelope.sender + ">: Temporary lookup failure");
  }
  auto copies = rewriter.sender_copies(*sender);
  if (!copies) {
    log_.warning("sender_bcc_maps/always_bcc for <{}>: {}", *sender, copies.error().message);
    return smtp::Reply(451, "4.3.0", "<" + envelope.sender + ">: Temporary lookup failure");
  }
  if (*sender != envelope.sender) envelope.rewritten_sender = std::move(*sender);
  envelope.copies = std::move(*copies);
  return std::nullopt;
}

std::optional<smtp::Reply> Session::rewrite_recipient(Recipient& recipient,
                                                      const std::string& canonical, bool& known) {
  auto rewritten = services_.rewriter.recipient(recipient.address);
  if (!rewritten) {
    log_.warning("recipient address rewriting for <{}>: {}", recipient.address,
                 rewritten.error().message);
    return smtp::Reply(451, "4.3.0", "<" + recipient.address + ">: Temporary lookup failure");
  }
  if (!rewritten->limit_error.empty()) {
    // cleanup_map1n.c: "message not accepted, try again later", 4.6.0.
    log_.warning("{} -- message not accepted, try again later", rewritten->limit_error);
    return smtp::Reply(451, "4.6.0", "<" + recipient.address + ">: Alias expansion error");
  }
  // Dropping a trailing dot vouches for nothing: compare with the canonical form.
  known = rewritten->virtual_match || rewritten->addresses != std::vector<std::string>{canonical};
  if (rewritten->addresses != std::vector<std::string>{recipient.address})
    recipient.rewritten = std::move(rewritten->addresses);
  envelope_->copies.insert(envelope_->copies.end(), rewritten->copies.begin(),
                           rewritten->copies.end());
  return std::nullopt;
}

}  // namespace correio::smtpd
