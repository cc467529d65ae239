// Session set-up and envelope commands: EHLO/HELO (RFC 5321 §4.1.1.1), MAIL (§4.1.1.2),
// RCPT (§4.1.1.3), RSET, NOOP, VRFY, HELP, QUIT, with the ESMTP parameters of SIZE
// (RFC 1870), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531) and DSN (RFC 3461).
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <optional>
#include <string_view>

#include "base/strings.hpp"
#include "resolve/address.hpp"
#include "smtp/address.hpp"
#include "smtp/helo_name.hpp"
#include "smtpd/session.hpp"

namespace correio::smtpd {
namespace {

// RFC 6531 §3.7.4.1 (and IANA's enhanced status code registry): X.6.7 "Non-ASCII
// addresses not permitted for that sender/recipient", with 553 (RFC 5321 §4.2.2 "mailbox
// name not allowed"). The undeclared text is Postfix's smtpd reply; invalid UTF-8 is
// refused too, so that no malformed byte reaches the queue, the log or postqueue -j.
std::optional<std::string_view> utf8_refusal(std::string_view address, bool smtputf8) {
  switch (smtp::utf8_address_problem(address, smtputf8)) {
    case smtp::Utf8AddressProblem::none:
      return std::nullopt;
    case smtp::Utf8AddressProblem::malformed:
      return "Malformed UTF-8 in address";
    case smtp::Utf8AddressProblem::undeclared:
      return "Must declare SMTPUTF8 to send unicode address";
  }
  return std::nullopt;
}

// The EHLO keyword that announces MAIL FROM parameter `key` (RFC 1870, 6152, 6531, 3461,
// 4954); a parameter whose keyword is not announced is refused as unsupported.
std::string_view mail_parameter_keyword(std::string_view key) {
  if (key == "SIZE") return "SIZE";
  if (key == "BODY") return "8BITMIME";
  if (key == "SMTPUTF8") return "SMTPUTF8";
  if (key == "RET" || key == "ENVID") return "DSN";
  if (key == "AUTH") return "AUTH";
  return {};
}

}  // namespace

asio::awaitable<Session::Next> Session::cmd_helo(const Command& command, bool extended) {
  if (command.argument.empty())
    co_return co_await reply(501, "5.5.4",
                             extended ? "Syntax: EHLO hostname" : "Syntax: HELO hostname");
  if (pipelining_violation(command.verb)) {
    co_await conn_.write("554 5.5.0 Error: SMTP protocol synchronization\r\n");
    co_await conn_.drain_and_close();
    co_return Next::close;
  }
  reset_transaction();
  // Postfix keeps only a neutered copy: it goes into Received:, logs and lookups.
  std::string helo = smtp::neuter_helo_name(command.argument);
  // smtpd_delay_reject = no: smtpd_helo_restrictions now, about the name just given.
  if (!services_.restrictions.delay_reject()) {
    access::Facts facts = access_facts(command.verb);
    facts.helo = helo;
    std::optional<smtp::Reply> refused = co_await access_check(Restrictions::Event::helo, facts);
    if (refused) co_return co_await reply(*refused);
  }
  co_await milter_abort();
  std::optional<smtp::Reply> milter_refusal = co_await milter_helo(helo);
  if (milter_refusal) co_return co_await reply(*milter_refusal);
  helo_name_ = helo;
  esmtp_ = extended;
  if (!extended) co_return co_await reply(250, "", settings_.myhostname);
  smtp::Reply r;
  r.code = 250;
  r.lines = {settings_.myhostname,
             "PIPELINING",
             fmt::format("SIZE {}", settings_.message_size_limit),
             "ENHANCEDSTATUSCODES",
             "8BITMIME",
             "DSN",
             "SMTPUTF8",
             "CHUNKING"};
  if (!settings_.disable_vrfy) r.lines.insert(r.lines.begin() + 3, "VRFY");
  // Postfix announces ETRN after VRFY (RFC 1985 §4); cmd_etrn.cpp.
  if (services_.etrn) r.lines.insert(r.lines.begin() + (settings_.disable_vrfy ? 3 : 4), "ETRN");
  if (settings_.tls && !conn_.tls_active()) r.lines.insert(r.lines.end() - 5, "STARTTLS");
  if (auth_offered())
    r.lines.insert(r.lines.end() - 5,
                   "AUTH " + auth::offered_mechanism_list(sasl_offer(conn_.tls_active())));
  if (burl_offered()) r.lines.push_back("BURL imap imap://" + settings_.urlauth_host);  // RFC 4468
  // smtputf8_enable = no and smtpd_discard_ehlo_keywords leave keywords out (the first
  // line is the host name, not a keyword).
  auto hidden = [&](const std::string& line) {
    return !settings_.ehlo_keyword(line.substr(0, line.find(' ')));
  };
  r.lines.erase(std::remove_if(r.lines.begin() + 1, r.lines.end(), hidden), r.lines.end());
  co_return co_await reply(r);
}

asio::awaitable<Session::Next> Session::cmd_mail(const Command& command) {
  note_pipelining();
  if (helo_name_.empty() && settings_.helo_required)
    co_return co_await reply(503, "5.5.1", "Error: send HELO/EHLO first");
  if (envelope_) co_return co_await reply(503, "5.5.1", "Error: nested MAIL command");
  auto parsed = smtp::parse_path_command(command.argument, "FROM");
  if (!parsed) co_return co_await reply(501, "5.5.4", parsed.error().message);
  // smtpd_client_message_rate_limit, where Postfix's mail_cmd checks it: a request counts
  // whether or not the message is then accepted.
  if (auto over = rate_limited(ClientEvent::message)) co_return co_await reply(*over);
  Envelope envelope;
  long long& declared_size = envelope.declared_size;
  for (const auto& [key, value] : parsed->parameters) {
    // Postfix: "555 5.5.4 Unsupported option: SMTPUTF8" with smtputf8_enable = no.
    std::string_view keyword = mail_parameter_keyword(key);
    if (!esmtp_ || (!keyword.empty() && !settings_.ehlo_keyword(keyword)))
      co_return co_await reply(555, "5.5.4", "Unsupported option: " + key);
    if (key == "SIZE") {
      auto size = base::parse_int(value);
      if (!size) co_return co_await reply(501, "5.5.4", "Bad message size syntax");
      if (*size > settings_.message_size_limit)
        co_return co_await reply(552, "5.3.4", "Message size exceeds fixed limit");
      declared_size = *size;
    } else if (key == "BODY") {
      std::string body = base::to_lower(value);
      if (body != "7bit" && body != "8bitmime")
        co_return co_await reply(501, "5.5.4", "Bad BODY keyword: " + value);
      envelope.body = body == "7bit" ? "7BIT" : "8BITMIME";
    } else if (key == "SMTPUTF8" && value.empty()) {
      envelope.smtputf8 = true;
    } else if (key == "RET") {
      std::string ret = base::to_lower(value);
      if (ret != "full" && ret != "hdrs")
        co_return co_await reply(501, "5.5.4", "Bad RET parameter syntax");
      envelope.ret = ret == "full" ? "FULL" : "HDRS";
    } else if (key == "AUTH") {
      // RFC 4954 §5: the original submitter's identity. Accepted and not trusted; the
      // identity that counts is this session's login (a policy server sees it).
      auto submitter = smtp::decode_xtext(value);
      if (!submitter) co_return co_await reply(501, "5.5.4", "Bad AUTH parameter syntax");
      if (*submitter != "<>") envelope.auth_sender = std::move(*submitter);
    } else if (key == "ENVID") {
      auto envid = smtp::decode_xtext(value);
      if (!envid || envid->size() > 100)
        co_return co_await reply(501, "5.5.4", "Bad ENVID parameter syntax");
      envelope.envid = *envid;
    } else {
      co_return co_await reply(555, "5.5.4", "Unsupported option: " + key);
    }
  }
  // Postfix takes "user@example.com." as user@example.com (trivial-rewrite drops the
  // dot): the checks and the queue file see it without.
  std::string sender = resolve::strip_trailing_dot(parsed->address);
  if (auto refusal = utf8_refusal(sender, envelope.smtputf8))
    co_return co_await reply(553, "5.6.7", *refusal);
  if (!sender.empty() && !smtp::valid_mailbox(sender, envelope.smtputf8))
    co_return co_await reply(501, "5.1.7", "Bad sender address syntax");
  // Postfix's smtpd_check_size: the declared size plus queue_minfree must be free.
  if (!sink_.has_room(declared_size)) {
    log_.warning("not enough free space in the queue file system for a message from {}",
                 client_label());
    co_return co_await reply(452, "4.3.1", "Insufficient system storage");
  }
  // smtpd_delay_reject = no: smtpd_sender_restrictions now.
  if (!services_.restrictions.delay_reject()) {
    access::Facts facts = access_facts("MAIL");
    facts.has_sender = true;
    facts.sender = sender;
    std::optional<smtp::Reply> refused = co_await access_check(Restrictions::Event::mail, facts);
    if (refused) {
      effects_.reset_transaction();
      co_return co_await reply(*refused);
    }
  }
  envelope.sender = std::move(sender);  // without a trailing dot, as Postfix queues it
  envelope.helo_name = helo_name_;
  envelope.client_name = client_name_;
  envelope.client_address = conn_.remote_address();
  // RFC 3848: ESMTPA / ESMTPSA after AUTH.
  envelope.protocol = esmtp_ ? (conn_.tls_active() ? "ESMTPS" : "ESMTP") : "SMTP";
  if (esmtp_ && !sasl_username_.empty()) envelope.protocol += "A";
  envelope.sasl_username = sasl_username_;
  // Postfix's instance attribute: the same for the transaction's every policy request.
  instance_ = fmt::format("{:x}.{:x}.{:x}", ::getpid(), session_started_, ++transactions_);
  // cleanup (Postfix's cleanup_addr_sender): the sender as the queue file will have it,
  // and the copies it asks for. A table that fails now defers the whole transaction.
  if (auto refusal = rewrite_sender(envelope)) co_return co_await reply(*refusal);
  envelope_ = std::move(envelope);
  std::optional<smtp::Reply> milter_refusal = co_await milter_mail(command.argument);
  if (milter_refusal) {
    reset_transaction();
    co_return co_await reply(*milter_refusal);
  }
  co_return co_await reply(250, "2.1.0", "Ok");
}

asio::awaitable<Session::Next> Session::cmd_rcpt(const Command& command) {
  note_pipelining();
  if (!envelope_) co_return co_await reply(503, "5.5.1", "Error: need MAIL command");
  auto parsed = smtp::parse_path_command(command.argument, "TO");
  if (!parsed) co_return co_await reply(501, "5.5.4", parsed.error().message);
  // smtpd_client_recipient_rate_limit, where Postfix's rcpt_cmd checks it.
  if (auto over = rate_limited(ClientEvent::recipient)) co_return co_await reply(*over);
  // "user@example.com." is user@example.com to the checks and tables, as in Postfix
  // (trivial-rewrite drops the dot); the queue file keeps the address as given as the
  // original recipient (orig_to).
  std::string canonical = resolve::strip_trailing_dot(parsed->address);
  if (auto refusal = utf8_refusal(canonical, envelope_->smtputf8))
    co_return co_await reply(553, "5.6.7", *refusal);
  if (!smtp::valid_mailbox(canonical, envelope_->smtputf8))
    co_return co_await reply(501, "5.1.3", "Bad recipient address syntax");
  Recipient recipient{parsed->address, "", "", {}};
  bool dsn = esmtp_ && settings_.ehlo_keyword("DSN");
  for (const auto& [key, value] : parsed->parameters) {
    if (key == "NOTIFY" && dsn) {
      std::string notify = base::to_lower(value);
      auto items = base::split_any(notify, ",");
      bool never = false, other = false, bad = items.empty();
      for (const auto& item : items) {
        if (item == "never")
          never = true;
        else if (item == "success" || item == "failure" || item == "delay")
          other = true;
        else
          bad = true;
      }
      if (bad || (never && other))
        co_return co_await reply(501, "5.5.4", "Bad NOTIFY parameter syntax");
      recipient.notify = base::join(items, ",");
    } else if (key == "ORCPT" && dsn) {
      auto orcpt = smtp::decode_xtext(value);
      if (!orcpt || orcpt->find(';') == std::string::npos)
        co_return co_await reply(501, "5.5.4", "Bad ORCPT parameter syntax");
      recipient.orcpt = *orcpt;
    } else {
      co_return co_await reply(555, "5.5.4", "Unsupported option: " + key);
    }
  }
  if (static_cast<long long>(envelope_->recipients.size()) >= settings_.recipient_limit)
    co_return co_await reply(452, "4.5.3", "Error: too many recipients");
  access::Facts facts = access_facts("RCPT");
  facts.recipient = canonical;
  facts.recipient_as_given = recipient.address;
  std::optional<smtp::Reply> refused = co_await access_check(Restrictions::Event::rcpt, facts);
  if (refused) co_return co_await reply(*refused);  // logged by the restrictions
  // cleanup (Postfix's cleanup_addr_recipient): canonical, masquerading, virtual aliases.
  bool known = false;  // a canonical or virtual alias entry vouches for the address
  if (auto refusal = rewrite_recipient(recipient, canonical, known)) {
    log_reject("RCPT", *refusal, recipient.address);
    co_return co_await reply(*refusal);
  }
  std::optional<smtp::Reply> unlisted;
  // Postfix's check_rcpt_maps(): an address canonical_maps or virtual_alias_maps knows is
  // valid whatever its domain class.
  if (settings_.reject_unlisted_recipient && !known)
    unlisted = recipients_.check(recipient.address, envelope_->sender);
  if (auto rejected = unlisted) {
    log_reject("RCPT", *rejected, recipient.address);
    co_return co_await reply(*rejected);
  }
  std::optional<smtp::Reply> milter_refusal =
      co_await milter_rcpt(command.argument, recipient.address);
  if (milter_refusal) co_return co_await reply(*milter_refusal);
  envelope_->recipients.push_back(std::move(recipient));
  co_return co_await reply(250, "2.1.5", "Ok");
}

asio::awaitable<Session::Next> Session::cmd_rset(const Command& command) {
  if (!command.argument.empty()) co_return co_await reply(501, "5.5.4", "Syntax: RSET");
  reset_transaction();
  co_await milter_abort();
  co_return co_await reply(250, "2.0.0", "Ok");
}

asio::awaitable<Session::Next> Session::cmd_noop(const Command&) {
  co_return co_await reply(250, "2.0.0", "Ok");
}

asio::awaitable<Session::Next> Session::cmd_vrfy(const Command& command) {
  if (settings_.disable_vrfy) co_return co_await reply(502, "5.5.1", "VRFY command is disabled");
  if (command.argument.empty()) co_return co_await reply(501, "5.5.4", "Syntax: VRFY address");
  std::string address = command.argument;
  if (address.size() >= 2 && address.front() == '<' && address.back() == '>')
    address = address.substr(1, address.size() - 2);
  // RFC 5321 §3.5.3: 252 when we will accept the address but cannot verify the mailbox.
  co_return co_await reply(252, "2.0.0", address);
}

asio::awaitable<Session::Next> Session::cmd_help(const Command&) {
  smtp::Reply r;
  r.code = 214;
  r.enhanced = "2.0.0";
  r.lines = {"Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP VRFY HELP QUIT", "See RFC 5321"};
  co_return co_await reply(r);
}

asio::awaitable<Session::Next> Session::cmd_quit(const Command&) {
  co_await reply(221, "2.0.0", "Bye");
  co_return Next::close;
}

}  // namespace correio::smtpd
