// Mailbox: the session's view of one folder, keywords and message reads. Syncing is in
// mailbox_sync.cpp, changes in mailbox_write.cpp, the per-message cache in mailbox_content.cpp.
#include "mailbox/mailbox.hpp"

#include <unistd.h>

#include <algorithm>

#include "mailbox/detail/fs_util.hpp"
#include "mailbox/detail/mailbox_impl.hpp"

namespace correio::mailbox {

Mailbox::Mailbox(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Mailbox::~Mailbox() {
  // The cache is derived data: values not committed are computed again when needed, so a
  // failure here loses nothing a client can see (commit_cache() logs it).
  if (impl_) impl_->commit_cache();
}

const std::string& Mailbox::name() const {
  return impl_->name;
}
const std::filesystem::path& Mailbox::path() const {
  return impl_->dir;
}
bool Mailbox::read_only() const {
  return impl_->read_only;
}
uint32_t Mailbox::uid_validity() const {
  return impl_->uid_validity;
}
uint32_t Mailbox::uid_next() const {
  return impl_->uid_next;
}
uint64_t Mailbox::highest_modseq() const {
  return impl_->highest_modseq;
}
int64_t Mailbox::recheck_at() const {
  return impl_->verify_at;
}
const std::vector<MessageInfo>& Mailbox::messages() const {
  return impl_->messages;
}

const MessageInfo* Mailbox::find(uint32_t uid) const {
  return const_cast<Impl&>(*impl_).find_mutable(uid);
}

MessageInfo* Mailbox::Impl::find_mutable(uint32_t uid) {
  // Called once per message by SEARCH, FETCH and STORE over a whole mailbox: a plain
  // binary search over these large records was half of SEARCH UNSEEN's time (cache misses
  // at every step). UIDs strictly increase, so `uid` can only be at an index <= uid -
  // first uid, and with few messages expunged it is at or just below that bound: look
  // there first, then gallop down and search the bracket found.
  if (messages.empty() || uid < messages.front().uid) return nullptr;
  size_t bound = std::min<size_t>(uid - messages.front().uid, messages.size() - 1);
  if (messages[bound].uid <= uid) return messages[bound].uid == uid ? &messages[bound] : nullptr;
  size_t hi = bound, step = 1, lo = 0;
  for (;;) {  // messages[hi].uid > uid; messages[0].uid <= uid ends the loop
    lo = hi > step ? hi - step : 0;
    if (messages[lo].uid <= uid) break;
    hi = lo;
    step *= 2;
  }
  auto end = messages.begin() + static_cast<std::ptrdiff_t>(hi);
  auto it = std::lower_bound(messages.begin() + static_cast<std::ptrdiff_t>(lo), end, uid,
                             [](const MessageInfo& m, uint32_t u) { return m.uid < u; });
  return it != end && it->uid == uid ? &*it : nullptr;
}

Status Mailbox::Impl::load_keywords() {
  auto st = detail::stamp_of(dir / "dovecot-keywords");
  if (!st) return st.error();
  if (keywords_loaded && *st == keywords_stamp) return {};
  bool missing = false;
  auto text = base::read_file(dir / "dovecot-keywords", detail::kAnySize, &missing);
  if (!text) return text.error();
  keywords = parse_keywords_file(*text);
  keywords_stamp = *st;
  keywords_loaded = true;
  return {};
}

std::vector<std::string> Mailbox::Impl::keyword_names(uint32_t bits) const {
  std::vector<std::string> out;
  for (size_t i = 0; i < keywords.size(); ++i)
    if ((bits & (1u << i)) && !keywords[i].empty()) out.push_back(keywords[i]);
  return out;
}

namespace {
bool iequal(std::string_view a, std::string_view b) {
  Flags f;
  f.keywords.emplace_back(a);
  return f.has_keyword(b);
}
int find_keyword(const std::vector<std::string>& table, std::string_view name) {
  for (size_t i = 0; i < table.size(); ++i)
    if (!table[i].empty() && iequal(table[i], name)) return static_cast<int>(i);
  return -1;
}
}  // namespace

Result<uint32_t> Mailbox::Impl::keyword_bits(const std::vector<std::string>& names, bool create) {
  if (Status s = load_keywords(); !s) return s.error();
  uint32_t bits = 0;
  std::vector<std::string> unknown;
  for (const auto& n : names) {
    int i = find_keyword(keywords, n);
    if (i >= 0)
      bits |= 1u << i;
    else if (create)
      unknown.push_back(n);
  }
  if (unknown.empty()) return bits;
  for (const auto& n : unknown)
    if (!valid_keyword(n)) return Error{"invalid keyword: " + n};
  // Add them under dovecot-keywords' dotlock, re-reading first: another process may
  // have added keywords since.
  auto lock = base::Dotlock::acquire(dir / "dovecot-keywords");
  if (!lock) return lock.error();
  bool missing = false;
  auto text = base::read_file(dir / "dovecot-keywords", detail::kAnySize, &missing);
  if (!text) return text.error();
  std::vector<std::string> table = parse_keywords_file(*text);
  for (const auto& n : unknown) {
    if (find_keyword(table, n) >= 0) continue;
    auto slot = std::find(table.begin(), table.end(), std::string());
    if (slot != table.end())
      *slot = n;
    else if (table.size() < kMaxKeywords)
      table.push_back(n);
    else
      return Error{"too many keywords in mailbox " + name + " (Maildir allows 26)"};
  }
  if (Status s = lock->replace(format_keywords_file(table)); !s) return s.error();
  keywords_loaded = false;
  if (Status s = load_keywords(); !s) return s.error();
  bits = 0;
  for (const auto& n : names)
    if (int i = find_keyword(keywords, n); i >= 0) bits |= 1u << i;
  return bits;
}

std::string Mailbox::Impl::message_file(bool in_new, std::string_view filename) {
  std::string f = in_new ? "new/" : "cur/";
  f += filename;
  return f;
}

std::string Mailbox::Impl::absolute(const std::string& file) const {
  std::string p = dir.native();
  p += '/';
  p += file;
  return p;
}

MessageInfo Mailbox::Impl::to_info(const detail::IndexRecord& r) const {
  detail::IndexRecordView v;
  v.uid = r.uid;
  v.modseq = r.modseq;
  v.size = r.size;
  v.vsize = r.vsize;
  v.date = r.date;
  v.system = r.system;
  v.keywords = r.keywords;
  v.in_new = r.in_new;
  v.filename = r.filename;
  return to_info(v);
}

MessageInfo Mailbox::Impl::to_info(const detail::IndexRecordView& r) const {
  MessageInfo m;
  m.uid = r.uid;
  m.flags.system = r.system;
  m.flags.keywords = keyword_names(r.keywords);
  m.modseq = r.modseq;
  m.size = r.size;
  m.vsize = r.vsize;
  m.internal_date = r.date;
  m.file = message_file(r.in_new, r.filename);
  m.recent = std::binary_search(recent.begin(), recent.end(), r.uid);
  return m;
}

Result<std::filesystem::path> Mailbox::message_path(uint32_t uid) {
  MessageInfo* m = impl_->find_mutable(uid);
  if (!m) return Error{"no message with UID " + std::to_string(uid)};
  std::string path = impl_->absolute(m->file);
  if (::access(path.c_str(), F_OK) == 0) return std::filesystem::path(std::move(path));
  // Renamed by another session (flags changed): look the base name up again.
  std::string_view base = maildir_basename(std::string_view(m->file).substr(4));
  bool in_new = false;
  auto name = impl_->refind(base, &in_new);
  if (!name) return name.error();
  if (name->empty()) return Error{"message UID " + std::to_string(uid) + " has been expunged"};
  m->file = Impl::message_file(in_new, *name);
  return std::filesystem::path(impl_->absolute(m->file));
}

Result<std::string> Mailbox::read_message(uint32_t uid) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto p = message_path(uid);
    if (!p) return p.error();
    bool missing = false;
    auto text = base::read_file(*p, detail::kAnySize, &missing);
    if (!text) return text.error();
    if (!missing) return text;
  }
  return Error{"message UID " + std::to_string(uid) + " keeps moving; try again"};
}

std::vector<std::string> Mailbox::keywords() const {
  std::vector<std::string> out;
  for (const auto& k : impl_->keywords)
    if (!k.empty()) out.push_back(k);
  return out;
}

bool Mailbox::can_add_keywords() const {
  size_t used = 0;
  for (const auto& k : impl_->keywords)
    if (!k.empty()) ++used;
  return used < kMaxKeywords;
}

bool Mailbox::keywords_fit(const std::vector<std::string>& names) const {
  std::vector<std::string> table = impl_->keywords;
  size_t used = 0;
  for (const auto& k : table)
    if (!k.empty()) ++used;
  for (const auto& n : names) {
    if (find_keyword(table, n) >= 0) continue;
    table.push_back(n);  // a repeated new name counts once
    if (++used > kMaxKeywords) return false;
  }
  return true;
}

Result<std::vector<uint32_t>> Mailbox::expunged_since(uint64_t modseq, bool* complete) {
  auto meta = impl_->index.meta();
  if (!meta) return meta.error();
  if (complete) *complete = modseq >= meta->vanished_floor;
  return impl_->index.vanished_since(modseq);
}

}  // namespace correio::mailbox
