// The selected folder as one session sees it (RFC 9051 §7.5): the message sequence
// numbers the client knows, which may lag behind the folder because expunges may only be
// announced at certain moments. Owns the mailbox::Mailbox; turns each sync() into the
// untagged EXISTS / RECENT / EXPUNGE (or QRESYNC VANISHED) / FETCH FLAGS responses.
// Private to imapd; one session, one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "imapd/parser.hpp"
#include "mailbox/mailbox.hpp"

namespace correio::imapd {

class SelectedView {
 public:
  SelectedView(std::unique_ptr<mailbox::Mailbox> box, bool read_only);

  mailbox::Mailbox& box() { return *box_; }
  bool read_only() const { return read_only_; }

  // The first sync after SELECT: fills the view with every message.
  Status initialise();

  // Number of messages the client knows (EXISTS), ghosts included.
  uint32_t exists() const { return static_cast<uint32_t>(view_.size()); }
  uint32_t recent() const;
  // UID of sequence number `seq` (1-based), 0 when out of range.
  uint32_t uid_at(uint32_t seq) const;
  // Sequence number of `uid`, 0 when the view does not have it.
  uint32_t seq_of(uint32_t uid) const;
  // The message for `seq` as the folder has it now; nullptr for a ghost (expunged by
  // someone else, not yet announced).
  const mailbox::MessageInfo* message_at(uint32_t seq) const;
  // The highest UID in the view (for "*" in UID sets), 0 when empty.
  uint32_t max_uid() const { return view_.empty() ? 0 : view_.back().uid; }

  // Sequence numbers selected by a set (sequence numbers or UIDs), ascending, ghosts included.
  std::vector<uint32_t> resolve(const SequenceSet& set, bool uid) const;
  // Whether every message sequence number of `set` is one the client was told of: RFC
  // 3501 §9 has a number above EXISTS (or "*" in an empty mailbox) answered with BAD in
  // FETCH, STORE, COPY and MOVE, as Dovecot does. UID sets may name any number.
  bool sequence_numbers_in_range(const SequenceSet& set) const;

  // Syncs with the folder and appends the untagged responses to `out`. Expunges are
  // announced only when `allow_expunge`; `qresync` selects VANISHED over EXPUNGE;
  // `with_modseq` adds MODSEQ to flag updates; `with_uid` adds UID to them.
  void report(std::string& out, bool allow_expunge, bool qresync, bool with_modseq, bool with_uid);

  // Announces our own expunge of `uids` (EXPUNGE/UID EXPUNGE/MOVE): removes them from the
  // view and writes the responses.
  // Writes FLAGS and PERMANENTFLAGS when the mailbox's keywords grew since the client was
  // last told, so that no FETCH shows a keyword before FLAGS lists it (RFC 9051 §7.3.5).
  void announce_keywords(std::string& out);
  void announce_expunged(const std::vector<uint32_t>& uids, std::string& out, bool qresync);
  // Records that the client has been told the flags of `uid` at `modseq` (after STORE).
  void mark_reported(uint32_t uid, uint64_t modseq);

  // The FLAGS and PERMANENTFLAGS lines' contents.
  std::string flags_list() const;
  std::string permanent_flags_list() const;

 private:
  struct Entry {
    uint32_t uid = 0;
    uint64_t reported_modseq = 0;
    bool ghost = false;  // expunged in the folder, not yet announced
  };
  void write_expunges(std::string& out, bool qresync);

  std::unique_ptr<mailbox::Mailbox> box_;
  bool read_only_;
  std::vector<Entry> view_;           // ascending UID
  std::set<uint32_t> pending_flags_;  // UIDs whose flag changes are not yet reported
  std::vector<std::string> known_keywords_;
};

// "(\Seen \Answered $Forwarded)" for a message's flags (with \Recent when `recent`).
std::string format_flags(const mailbox::Flags& flags, bool recent);
// The same, appended to `out` (FETCH 1:* (FLAGS) writes one per message).
void append_flags(std::string& out, const mailbox::Flags& flags, bool recent);
// Converts a parsed flag list (STORE, APPEND); false with `error` for an unknown system
// flag (\Recent included: only the server sets it, RFC 9051 §2.3.2) or an invalid keyword.
bool to_flags(const std::vector<std::string>& names, mailbox::Flags& flags, std::string& error);
// "1:3,5,7:9": the values in their given order, runs of consecutive ascending values as
// ranges ("5,1:3" for 5 1 2 3, as ESORT's ALL keeps sort order).
std::string format_number_set(const std::vector<uint32_t>& values);

}  // namespace correio::imapd
