// APPEND (RFC 9051 §6.3.12) with RFC 3502 MULTIAPPEND, RFC 4315 APPENDUID, RFC 7889
// APPENDLIMIT, RFC 3516 literal8 (binary) messages and RFC 4469 CATENATE
// (cmd_catenate.cpp).
#include <fmt/format.h>

#include "imapd/session.hpp"
#include "store/maildir_quota.hpp"

namespace correio::imapd {

asio::awaitable<void> Session::cmd_append(const Command& c, Parser& p) {
  auto name = p.mailbox();
  if (!name || !p.space()) {
    bad(c, "Error in IMAP command APPEND: Invalid arguments.");
    co_return;
  }
  struct Message {
    mailbox::Flags flags;
    std::optional<int64_t> date;
    std::string bytes;
  };
  std::vector<Message> messages;
  for (;;) {
    Message m;
    if (p.peek('(')) {
      auto names = p.flag_list();
      if (!names || !p.space()) {
        bad(c, "Error in IMAP command APPEND: Invalid flags.");
        co_return;
      }
      std::string error;
      if (!to_flags(*names, m.flags, error)) {
        bad(c, "Error in IMAP command APPEND: " + error);
        co_return;
      }
    }
    if (p.peek('"')) {
      auto date = p.date_time();
      if (!date || !p.space()) {
        bad(c, "Error in IMAP command APPEND: Invalid date-time.");
        co_return;
      }
      m.date = *date;
    }
    if (p.consume_word("CATENATE")) {
      auto bytes = catenate(c, p);
      if (!bytes) co_return;  // catenate() answered
      m.bytes = std::move(*bytes);
    } else {
      auto bytes = p.string(true);
      if (!bytes) {
        bad(c, "Error in IMAP command APPEND: " + p.error());
        co_return;
      }
      m.bytes = std::move(*bytes);
    }
    if (m.bytes.size() > settings_.append_limit) {
      no(c, "[TOOBIG] Message is larger than APPENDLIMIT.");
      co_return;
    }
    if (m.bytes.empty()) {
      no(c, "Can't save an empty message.");
      co_return;
    }
    messages.push_back(std::move(m));
    if (p.at_end()) break;
    if (!p.space()) {
      bad(c, "Error in IMAP command APPEND: Invalid arguments.");
      co_return;
    }
  }
  if (quota_bytes_ != 0) {
    // RFC 9208 §4.2: OVERQUOTA when the new messages do not fit the user's storage
    // (counted as delivery counts it, store/maildir_quota.hpp; no grace for APPEND, as
    // in Dovecot).
    uint64_t total = 0;
    for (const auto& m : messages) total += m.bytes.size();
    auto usage = store::maildir_usage(user_->root());
    if (!usage || !store::quota_allows({quota_bytes_, 0}, *usage, total, 0)) {
      no(c, "[OVERQUOTA] Quota exceeded (mailbox for user is full)");
      co_return;
    }
  }
  auto box = user_->open_mailbox(*name);
  if (!box) {
    no(c, "[TRYCREATE] Mailbox doesn't exist: " + *name);
    co_return;
  }
  std::vector<uint32_t> uids;
  for (const auto& m : messages) {
    auto uid = (*box)->append(m.bytes, m.flags, m.date);
    if (!uid) {
      // MULTIAPPEND is all or nothing (RFC 3502 §6.3.11): undo what was saved.
      if (!uids.empty()) {
        (void)(*box)->sync();
        (void)(*box)->expunge(uids);
      }
      no(c, "[SERVERUNAVAILABLE] " + uid.error().message);
      co_return;
    }
    uids.push_back(*uid);
  }
  report_changes(true);
  ok(c, fmt::format("[APPENDUID {} {}] Append completed.", (*box)->uid_validity(),
                    format_number_set(uids)));
}

}  // namespace correio::imapd
