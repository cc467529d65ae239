// Mailbox changes: STORE (rename to the new ":2,<flags>"), APPEND (store::MaildirFile, the
// delivery writer: unnamed file -> fsync -> link into cur/, then a dovecot-uidlist record),
// COPY (hard links, as Dovecot), EXPUNGE (unlink, rewrite dovecot-uidlist). The Maildir changes
// first and the index second, each under the uidlist dotlock: a crash between the two leaves a
// Maildir the next scan reconciles.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "base/file.hpp"
#include "mailbox/detail/fs_util.hpp"
#include "mailbox/detail/mailbox_impl.hpp"
#include "store/maildir_file.hpp"
#include "store/maildir_name.hpp"

namespace correio::mailbox {
namespace {

using detail::IndexRecord;

std::string local_host_part(const std::string& configured) {
  if (!configured.empty()) return configured;
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return store::maildir_host_part(name);
}

std::vector<uint32_t> sorted_unique(std::span<const uint32_t> uids) {
  std::vector<uint32_t> v(uids.begin(), uids.end());
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace

Result<StoreResult> Mailbox::store_flags(std::span<const uint32_t> uids, StoreMode mode,
                                         const Flags& flags,
                                         std::optional<uint64_t> unchanged_since) {
  Impl& d = *impl_;
  if (d.read_only) return Error{"mailbox " + d.name + " is read-only"};
  auto bits = d.keyword_bits(flags.keywords, mode != StoreMode::kRemove);
  if (!bits) return bits.error();
  auto lock = base::Dotlock::acquire(d.uidlist_path());
  if (!lock) return lock.error();
  auto before = d.stamps_before_change();
  if (!before) return before.error();
  auto w = d.index.write();
  if (!w) return w.error();
  auto meta = w->meta();
  if (!meta) return meta.error();

  StoreResult result;
  uint64_t modseq = meta->highest_modseq + 1;
  bool renamed = false;
  for (uint32_t uid : sorted_unique(uids)) {
    auto found = w->record(uid);
    if (!found) return found.error();
    if (!*found) continue;
    IndexRecord& rec = **found;
    // RFC 7162 §3.1.3: fail messages changed after UNCHANGEDSINCE.
    if (unchanged_since && rec.modseq > *unchanged_since) {
      result.failed.push_back(uid);
      continue;
    }
    // The file name is the truth: start from it, re-finding it if another process
    // renamed it since the index saw it.
    for (int attempt = 0; attempt < 3; ++attempt) {
      std::filesystem::path from = d.dir / (rec.in_new ? "new" : "cur") / rec.filename;
      FilenameFlags ff = parse_filename_flags(rec.filename);
      FilenameFlags want = ff;
      if (mode == StoreMode::kAdd) {
        want.system |= flags.system;
        want.keywords |= *bits;
      } else if (mode == StoreMode::kRemove) {
        want.system &= static_cast<uint8_t>(~flags.system);
        want.keywords &= ~*bits;
      } else {
        want.system = flags.system;
        want.keywords = *bits;
      }
      std::string to_name = filename_with_flags(maildir_basename(rec.filename), want);
      if (to_name == rec.filename && !rec.in_new) break;  // nothing to change
      if (::rename(from.c_str(), (d.dir / "cur" / to_name).c_str()) == 0) {
        renamed = true;
        bool flags_changed = want.system != rec.system || want.keywords != rec.keywords;
        rec.filename = to_name;
        rec.in_new = false;
        rec.system = want.system;
        rec.keywords = want.keywords;
        if (flags_changed) {
          rec.modseq = modseq;
          result.changed.push_back(d.to_info(rec));
        }
        if (Status s = w->put_record(rec); !s) return s.error();
        break;
      }
      if (errno != ENOENT) return detail::sys_error("rename", from, errno);
      bool in_new = false;
      auto now = d.refind(maildir_basename(rec.filename), &in_new);
      if (!now) return now.error();
      if (now->empty()) break;  // expunged meanwhile: the next sync reports it
      rec.filename = *now;
      rec.in_new = in_new;
    }
  }
  if (renamed) {
    detail::IndexMeta m = *meta;
    if (!result.changed.empty()) m.highest_modseq = modseq;
    if (Status s = d.settle_stamps(*before, m); !s) return s.error();
    if (Status s = w->put_meta(m); !s) return s.error();
  }
  if (Status s = w->commit(); !s) return s.error();
  lock->release();
  for (const MessageInfo& c : result.changed) {
    if (MessageInfo* m = d.find_mutable(c.uid)) {
      bool recent = m->recent;
      *m = c;
      m->recent = recent;
    }
  }
  return result;
}

Result<uint32_t> Mailbox::append(std::string_view bytes, const Flags& flags,
                                 std::optional<int64_t> internal_date) {
  Impl& d = *impl_;
  if (d.read_only) return Error{"mailbox " + d.name + " is read-only"};
  // Maildir files hold LF line ends (Dovecot's mail_save_crlf = no).
  std::string body;
  body.reserve(bytes.size());
  uint64_t lines = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') continue;
    if (bytes[i] == '\n') ++lines;
    body += bytes[i];
  }
  auto bits = d.keyword_bits(flags.keywords, true);
  if (!bits) return bits.error();
  std::string base = store::maildir_sized_name(
      store::maildir_unique_name(local_host_part(d.host_part)), body.size(), body.size() + lines);
  // Written and synced before the lock is taken, linked into cur/ under it.
  int64_t mtime = internal_date.value_or(::time(nullptr));
  auto file = store::MaildirFile::write(d.dir, "cur", base, "", body, static_cast<time_t>(mtime));
  if (!file) return file.error();
  FilenameFlags ff;
  ff.system = flags.system;
  ff.keywords = *bits;
  std::filesystem::path target = d.dir / "cur" / filename_with_flags(base, ff);

  auto lock = base::Dotlock::acquire(d.uidlist_path());
  if (!lock) return lock.error();
  auto before = d.stamps_before_change();
  if (!before) return before.error();
  bool rewrite = false;
  auto list = d.load_uidlist_head_locked(&rewrite);
  if (!list) return list.error();
  if (int e = file->link_to(target); e != 0) return detail::sys_error("link", target, e);
  if (int e = base::fsync_directory(d.dir / "cur"); e != 0)
    return detail::sys_error("fsync", d.dir / "cur", e);
  UidlistRecord rec;
  rec.uid = list->next_uid++;
  rec.basename = base;
  // A mailbox opened just to append to has not synced: it learns its UIDVALIDITY here, for
  // APPENDUID (RFC 4315), without a sync() that would claim \Recent from the next SELECT.
  if (d.uid_validity == 0) d.uid_validity = list->uid_validity;
  list->records.push_back(rec);
  if (Status s = d.save_uidlist(*lock, *list, 1, rewrite); !s) return s.error();
  if (!rewrite) {
    IndexRecord added;
    added.uid = rec.uid;
    added.size = body.size();
    added.vsize = body.size() + lines;
    added.date = mtime;
    added.system = ff.system;
    added.keywords = ff.keywords;
    added.filename = target.filename().native();
    if (Status s = d.index_own_additions(*before, list->uid_validity, list->next_uid, {added}); !s)
      return s.error();
  }
  return rec.uid;
}

Result<std::vector<std::pair<uint32_t, uint32_t>>> Mailbox::copy_to(std::span<const uint32_t> uids,
                                                                    Mailbox& dest) {
  Impl& s = *impl_;
  Impl& t = *dest.impl_;
  if (t.read_only) return Error{"mailbox " + t.name + " is read-only"};
  struct Item {
    uint32_t uid;
    std::filesystem::path from;
    FilenameFlags flags;
    std::string base;
    uint64_t size, vsize;
    int64_t date;
  };
  std::vector<Item> items;
  std::string host = local_host_part(t.host_part);
  for (uint32_t uid : sorted_unique(uids)) {
    const MessageInfo* m = s.find_mutable(uid);
    if (!m) continue;
    auto p = message_path(uid);
    if (!p) continue;  // expunged meanwhile
    auto bits = t.keyword_bits(
        s.keyword_names(parse_filename_flags(p->filename().native()).keywords), true);
    if (!bits) return bits.error();
    FilenameFlags ff = parse_filename_flags(p->filename().native());
    ff.keywords = *bits;
    items.push_back({uid, *p, ff,
                     store::maildir_sized_name(store::maildir_unique_name(host), m->size, m->vsize),
                     m->size, m->vsize, m->internal_date});
  }
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  if (items.empty()) return pairs;

  auto lock = base::Dotlock::acquire(t.uidlist_path());
  if (!lock) return lock.error();
  auto before = t.stamps_before_change();
  if (!before) return before.error();
  bool rewrite = false;
  auto list = t.load_uidlist_head_locked(&rewrite);
  if (!list) return list.error();
  size_t added = 0;
  std::vector<IndexRecord> records;
  for (const Item& it : items) {
    std::filesystem::path target = t.dir / "cur" / filename_with_flags(it.base, it.flags);
    // A hard link shares the bytes (Dovecot's maildir_copy_hardlink); across file systems
    // or where links are refused, the bytes are copied into a new file (store::MaildirFile).
    if (::link(it.from.c_str(), target.c_str()) != 0) {
      bool missing = false;
      auto bytes = base::read_file(it.from, detail::kAnySize, &missing);
      if (!bytes) return bytes.error();
      if (missing) continue;
      struct stat st {};
      std::optional<time_t> mtime;
      if (::stat(it.from.c_str(), &st) == 0) mtime = st.st_mtime;
      auto file = store::MaildirFile::write(t.dir, "cur", it.base, "", *bytes, mtime);
      if (!file) return file.error();
      if (int e = file->link_to(target); e != 0) return detail::sys_error("link", target, e);
    }
    UidlistRecord rec;
    rec.uid = list->next_uid++;
    rec.basename = it.base;
    list->records.push_back(rec);
    pairs.emplace_back(it.uid, rec.uid);
    ++added;
    IndexRecord ir;
    ir.uid = rec.uid;
    ir.size = it.size;
    ir.vsize = it.vsize;
    ir.date = it.date;
    ir.system = it.flags.system;
    ir.keywords = it.flags.keywords;
    ir.filename = target.filename().native();
    records.push_back(std::move(ir));
  }
  if (int e = base::fsync_directory(t.dir / "cur"); e != 0)
    return detail::sys_error("fsync", t.dir / "cur", e);
  if (Status st = t.save_uidlist(*lock, *list, added, rewrite); !st) return st.error();
  if (!rewrite) {
    if (Status st = t.index_own_additions(*before, list->uid_validity, list->next_uid, records);
        !st)
      return st.error();
  }
  return pairs;
}

Result<std::vector<std::pair<uint32_t, uint32_t>>> Mailbox::move_to(std::span<const uint32_t> uids,
                                                                    Mailbox& dest) {
  if (impl_->read_only) return Error{"mailbox " + impl_->name + " is read-only"};
  auto pairs = copy_to(uids, dest);
  if (!pairs) return pairs;
  std::vector<uint32_t> moved;
  for (const auto& p : *pairs) moved.push_back(p.first);
  auto gone = expunge(moved);
  if (!gone) return gone.error();
  return pairs;
}

Result<std::vector<uint32_t>> Mailbox::expunge(std::span<const uint32_t> uids) {
  Impl& d = *impl_;
  if (d.read_only) return Error{"mailbox " + d.name + " is read-only"};
  auto lock = base::Dotlock::acquire(d.uidlist_path());
  if (!lock) return lock.error();
  std::vector<uint32_t> removed;
  for (uint32_t uid : sorted_unique(uids)) {
    const MessageInfo* m = d.find_mutable(uid);
    if (!m) continue;
    auto p = message_path(uid);
    if (p && ::unlink(p->c_str()) != 0 && errno != ENOENT)
      return detail::sys_error("unlink", *p, errno);
    removed.push_back(uid);
  }
  if (removed.empty()) return removed;
  bool rewrite = false;
  auto list = d.load_uidlist_locked(&rewrite);
  if (!list) return list.error();
  std::erase_if(list->records, [&](const UidlistRecord& r) {
    return std::binary_search(removed.begin(), removed.end(), r.uid);
  });
  if (Status s = d.save_uidlist(*lock, *list, 0, true); !s) return s.error();

  auto w = d.index.write();
  if (!w) return w.error();
  auto meta = w->meta();  // inside the write transaction: the newest MODSEQ, not a snapshot's
  if (!meta) return meta.error();
  detail::IndexMeta m = *meta;
  m.highest_modseq += 1;
  for (uint32_t uid : removed) {
    if (Status s = w->delete_record(uid); !s) return s.error();
    if (Status s = w->add_vanished(m.highest_modseq, uid); !s) return s.error();
  }
  if (Status s = w->put_meta(m); !s) return s.error();
  if (Status s = w->commit(); !s) return s.error();
  std::erase_if(d.messages, [&](const MessageInfo& msg) {
    return std::binary_search(removed.begin(), removed.end(), msg.uid);
  });
  return removed;
}

}  // namespace correio::mailbox
