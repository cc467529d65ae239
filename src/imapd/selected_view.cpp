#include "imapd/selected_view.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace correio::imapd {

void append_flags(std::string& out, const mailbox::Flags& flags, bool recent) {
  out += '(';
  size_t open = out.size();
  auto add = [&](std::string_view f) {
    if (out.size() > open) out += ' ';
    out += f;
  };
  for (auto bit : {mailbox::kSeen, mailbox::kAnswered, mailbox::kFlagged, mailbox::kDeleted,
                   mailbox::kDraft}) {
    if (flags.has(bit)) add(mailbox::system_flag_name(bit));
  }
  if (recent) add("\\Recent");
  for (const auto& k : flags.keywords) add(k);
  out += ')';
}

std::string format_flags(const mailbox::Flags& flags, bool recent) {
  std::string out;
  append_flags(out, flags, recent);
  return out;
}

bool to_flags(const std::vector<std::string>& names, mailbox::Flags& flags, std::string& error) {
  for (const auto& name : names) {
    if (!name.empty() && name[0] == '\\') {
      uint8_t bit = mailbox::system_flag_from_name(name);
      if (bit == 0) {
        // \Recent too: RFC 9051 §2.3.2, the server alone sets it; Dovecot's words,
        // the flag in upper case.
        std::string upper = name;
        for (char& ch : upper)
          if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
        error = "Invalid system flag " + upper;
        return false;
      }
      flags.system |= bit;
      continue;
    }
    if (!mailbox::valid_keyword(name)) {
      error = "Invalid keyword " + name;
      return false;
    }
    if (!flags.has_keyword(name)) flags.keywords.push_back(name);
  }
  return true;
}

std::string format_number_set(const std::vector<uint32_t>& values) {
  std::string out;
  size_t i = 0;
  while (i < values.size()) {
    size_t j = i;
    while (j + 1 < values.size() && values[j + 1] == values[j] + 1) ++j;
    if (!out.empty()) out += ',';
    if (j == i) {
      out += fmt::format("{}", values[i]);
    } else {
      out += fmt::format("{}:{}", values[i], values[j]);
    }
    i = j + 1;
  }
  return out;
}

SelectedView::SelectedView(std::unique_ptr<mailbox::Mailbox> box, bool read_only)
    : box_(std::move(box)), read_only_(read_only) {}

Status SelectedView::initialise() {
  auto changes = box_->sync();
  if (!changes) return changes.error();
  view_.clear();
  view_.reserve(box_->messages().size());  // exact: idle sessions hold it for hours
  for (const auto& m : box_->messages()) view_.push_back({m.uid, m.modseq, false});
  known_keywords_ = box_->keywords();
  return {};
}

uint32_t SelectedView::recent() const {
  uint32_t n = 0;
  for (const auto& m : box_->messages()) n += m.recent ? 1 : 0;
  return n;
}

uint32_t SelectedView::uid_at(uint32_t seq) const {
  if (seq == 0 || seq > view_.size()) return 0;
  return view_[seq - 1].uid;
}

uint32_t SelectedView::seq_of(uint32_t uid) const {
  auto it = std::lower_bound(view_.begin(), view_.end(), uid,
                             [](const Entry& e, uint32_t u) { return e.uid < u; });
  if (it == view_.end() || it->uid != uid) return 0;
  return static_cast<uint32_t>(it - view_.begin()) + 1;
}

const mailbox::MessageInfo* SelectedView::message_at(uint32_t seq) const {
  if (seq == 0 || seq > view_.size() || view_[seq - 1].ghost) return nullptr;
  return box_->find(view_[seq - 1].uid);
}

std::vector<uint32_t> SelectedView::resolve(const SequenceSet& set, bool uid) const {
  std::vector<uint32_t> seqs;
  if (view_.empty()) return seqs;
  if (!uid) {
    uint32_t largest = static_cast<uint32_t>(view_.size());
    for (const auto& r : set.ranges) {
      auto [a, b] = r.bounds(largest);
      for (uint32_t s = a; s <= b && s <= largest; ++s) seqs.push_back(s);
    }
  } else {
    uint32_t largest = view_.back().uid;
    for (const auto& r : set.ranges) {
      auto [a, b] = r.bounds(largest);
      auto lo = std::lower_bound(view_.begin(), view_.end(), a,
                                 [](const Entry& e, uint32_t u) { return e.uid < u; });
      for (auto it = lo; it != view_.end() && it->uid <= b; ++it) {
        seqs.push_back(static_cast<uint32_t>(it - view_.begin()) + 1);
      }
    }
  }
  std::sort(seqs.begin(), seqs.end());
  seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
  return seqs;
}

bool SelectedView::sequence_numbers_in_range(const SequenceSet& set) const {
  for (const auto& r : set.ranges) {
    for (uint64_t n : {r.first, r.last}) {
      if (n == SequenceSet::kStar ? view_.empty() : n > view_.size()) return false;
    }
  }
  return true;
}

void SelectedView::write_expunges(std::string& out, bool qresync) {
  std::vector<uint32_t> gone;
  if (qresync) {
    for (const auto& e : view_) {
      if (e.ghost) gone.push_back(e.uid);
    }
    if (!gone.empty()) out += "* VANISHED " + format_number_set(gone) + "\r\n";
  } else {
    // Highest first, so that each number is still valid when the client reads it.
    for (size_t i = view_.size(); i-- > 0;) {
      if (view_[i].ghost) out += fmt::format("* {} EXPUNGE\r\n", i + 1);
    }
  }
  std::erase_if(view_, [](const Entry& e) { return e.ghost; });
}

void SelectedView::report(std::string& out, bool allow_expunge, bool qresync, bool with_modseq,
                          bool with_uid) {
  auto changes = box_->sync();
  if (!changes) return;  // the folder is unreadable now; the next command tries again
  if (changes->uidvalidity_changed) {
    // The folder was recreated under us: Dovecot disconnects; we mark everything gone.
    for (auto& e : view_) e.ghost = true;
  }
  for (uint32_t uid : changes->expunged) {
    uint32_t seq = seq_of(uid);
    if (seq != 0) view_[seq - 1].ghost = true;
    pending_flags_.erase(uid);
  }
  for (uint32_t uid : changes->flags_changed) pending_flags_.insert(uid);

  bool has_ghosts = std::any_of(view_.begin(), view_.end(), [](const Entry& e) { return e.ghost; });
  if (allow_expunge && has_ghosts) write_expunges(out, qresync);

  announce_keywords(out);

  // New messages: everything above the last UID the view has.
  uint32_t last = max_uid();
  size_t before = view_.size();
  // From the end: the messages are in UID order, and this runs after every command, where
  // a scan of a large folder's records from the start cost more than the command.
  const auto& all = box_->messages();
  size_t first_new = all.size();
  while (first_new > 0 && all[first_new - 1].uid > last) --first_new;
  for (size_t i = first_new; i < all.size(); ++i)
    view_.push_back({all[i].uid, all[i].modseq, false});
  if (view_.size() != before || changes->uidvalidity_changed) {
    out += fmt::format("* {} EXISTS\r\n", view_.size());
    out += fmt::format("* {} RECENT\r\n", recent());
  }

  for (auto it = pending_flags_.begin(); it != pending_flags_.end();) {
    uint32_t seq = seq_of(*it);
    const mailbox::MessageInfo* m = seq ? box_->find(*it) : nullptr;
    if (m != nullptr && m->modseq != view_[seq - 1].reported_modseq) {
      std::string line = fmt::format("* {} FETCH (", seq);
      if (with_uid) line += fmt::format("UID {} ", m->uid);
      line += "FLAGS " + format_flags(m->flags, m->recent);
      if (with_modseq) line += fmt::format(" MODSEQ ({})", m->modseq);
      line += ")\r\n";
      out += line;
      view_[seq - 1].reported_modseq = m->modseq;
    }
    it = pending_flags_.erase(it);
  }
}

void SelectedView::announce_keywords(std::string& out) {
  auto keywords = box_->keywords();
  if (keywords == known_keywords_) return;
  known_keywords_ = std::move(keywords);
  out += "* FLAGS " + flags_list() + "\r\n";
  out += "* OK [PERMANENTFLAGS " + permanent_flags_list() + "] Flags permitted.\r\n";
}

void SelectedView::announce_expunged(const std::vector<uint32_t>& uids, std::string& out,
                                     bool qresync) {
  for (uint32_t uid : uids) {
    uint32_t seq = seq_of(uid);
    if (seq != 0) view_[seq - 1].ghost = true;
    pending_flags_.erase(uid);
  }
  write_expunges(out, qresync);
}

void SelectedView::mark_reported(uint32_t uid, uint64_t modseq) {
  uint32_t seq = seq_of(uid);
  if (seq != 0) view_[seq - 1].reported_modseq = modseq;
  pending_flags_.erase(uid);
}

std::string SelectedView::flags_list() const {
  std::string out = "(\\Answered \\Flagged \\Deleted \\Seen \\Draft";
  for (const auto& k : known_keywords_) out += " " + k;
  out += ')';
  return out;
}

std::string SelectedView::permanent_flags_list() const {
  if (read_only_) return "()";
  std::string out = "(\\Answered \\Flagged \\Deleted \\Seen \\Draft";
  for (const auto& k : known_keywords_) out += " " + k;
  if (box_->can_add_keywords()) out += " \\*";
  out += ')';
  return out;
}

}  // namespace correio::imapd
