// Mailbox::sync(): brings one session up to date with the Maildir, the way Dovecot's
// maildir-sync does. Three stat() calls decide whether anything changed; only then are new/
// and cur/ read, new files given UIDs in dovecot-uidlist (under its dotlock) and moved to
// cur/ with ":2,", and the index updated in one transaction.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <unordered_map>
#include <unordered_set>

#include "base/clock.hpp"
#include "base/file.hpp"
#include "mailbox/detail/fs_util.hpp"
#include "mailbox/detail/mailbox_impl.hpp"
#include "mailbox/detail/uidvalidity.hpp"
#include "store/maildir_name.hpp"

namespace correio::mailbox {
namespace {

using detail::FileStamp;
using detail::IndexMeta;
using detail::IndexRecord;

// A directory mtime this close to now may still change within the same clock tick without
// its mtime moving, so it is not trusted as "scanned" (Dovecot's MAILDIR_SYNC_SECS).
constexpr int64_t kTrustAfterSeconds = 2;

// A directory stamp whose mtime is recent may hide a change made within the same clock
// tick. It is recorded as is, with the time from which a listing must verify it (0:
// trusted now).
int64_t verify_time(const FileStamp& st) {
  int64_t now = ::time(nullptr);
  return now - st.mtime_sec >= kTrustAfterSeconds ? 0 : st.mtime_sec + kTrustAfterSeconds;
}

// When a sync must list a directory again (0: never), for IDLE.
int64_t recheck_time(const IndexMeta& meta) {
  if (meta.cur_verify_at == 0 || meta.new_verify_at == 0)
    return std::max(meta.cur_verify_at, meta.new_verify_at);
  return std::min(meta.cur_verify_at, meta.new_verify_at);
}

// Whether the index may not describe the Maildir whose stamps are given.
bool index_is_stale(const IndexMeta& meta, const FileStamp& new_st, const FileStamp& cur_st,
                    const FileStamp& ul_st) {
  return meta.uid_validity == 0 || meta.new_dir.ino == 0 || meta.cur_dir.ino == 0 ||
         !(meta.new_dir == new_st) || !(meta.cur_dir == cur_st) || !(meta.uidlist == ul_st) ||
         (meta.cur_verify_at != 0 && ::time(nullptr) >= meta.cur_verify_at);
}

// Whether `file` (a MessageInfo::file) names `filename` in new/ or cur/.
bool same_file(std::string_view file, bool in_new, std::string_view filename) {
  return file.size() == filename.size() + 4 && file.ends_with(filename) &&
         file.starts_with(in_new ? "new/" : "cur/");
}

struct FoundFile {
  std::string filename;
  bool in_new = false;
};

Status read_dir(const std::filesystem::path& dir, bool in_new,
                std::unordered_map<std::string, FoundFile>* out) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return detail::sys_error("opendir", dir, errno);
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name.empty() || name[0] == '.') continue;
    std::string base(maildir_basename(name));
    auto it = out->find(base);
    if (it != out->end() && !it->second.in_new) continue;  // cur/ wins over new/
    (*out)[base] = FoundFile{std::string(name), in_new};
  }
  ::closedir(d);
  return {};
}

// "S=<n>" / "W=<n>" in the part of a name before ':' (Dovecot's maildir_filename_get_size).
bool size_from_name(std::string_view name, char which, uint64_t* out) {
  name = maildir_basename(name);
  std::string key = std::string(",") + which + "=";
  size_t p = name.find(key);
  if (p == std::string_view::npos) return false;
  uint64_t v = 0;
  size_t i = p + key.size();
  if (i >= name.size() || name[i] < '0' || name[i] > '9') return false;
  for (; i < name.size() && name[i] >= '0' && name[i] <= '9'; ++i) v = v * 10 + (name[i] - '0');
  *out = v;
  return true;
}

// W<vsize> among a uidlist record's extension fields.
bool vsize_from_ext(std::string_view ext, uint64_t* out) {
  while (!ext.empty()) {
    size_t sp = ext.find(' ');
    std::string_view f = ext.substr(0, sp);
    ext = sp == std::string_view::npos ? std::string_view() : ext.substr(sp + 1);
    if (f.size() > 1 && f[0] == 'W') {
      uint64_t v = 0;
      for (char c : f.substr(1)) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
      }
      *out = v;
      return true;
    }
  }
  return false;
}

// Size with CRLF line ends: bytes plus one per bare LF.
Result<uint64_t> compute_vsize(const std::filesystem::path& path) {
  bool missing = false;
  auto text = base::read_file(path, detail::kAnySize, &missing);
  if (!text) return text.error();
  uint64_t lf = 0;
  for (size_t i = 0; i < text->size(); ++i)
    if ((*text)[i] == '\n' && (i == 0 || (*text)[i - 1] != '\r')) ++lf;
  return text->size() + lf;
}

// The first modseq of a new index: microseconds since the epoch, so modseqs keep growing
// even when the index is rebuilt (RFC 7162 §3.1.2 wants them to never go backwards).
uint64_t modseq_seed() {
  return static_cast<uint64_t>(base::now_us());
}

}  // namespace

Result<Uidlist> Mailbox::Impl::load_uidlist_locked(bool* rewrite) {
  *rewrite = false;
  bool missing = false;
  auto text = base::read_file(uidlist_path(), detail::kAnySize, &missing);
  if (!text) return text.error();
  if (!missing) {
    auto list = parse_uidlist(*text);
    if (list) {
      if (list->guid.empty()) *rewrite = true;  // version 1: upgrade
      if (list->guid.empty()) list->guid = new_mailbox_guid();
      if (list->parsed_bytes != text->size()) *rewrite = true;  // drop a torn line
      return list;
    }
  }
  // Missing or broken: a new UID space, as Dovecot does.
  Uidlist fresh;
  fresh.uid_validity = detail::next_uid_validity(root);
  fresh.guid = new_mailbox_guid();
  *rewrite = true;
  return fresh;
}

Result<Uidlist> Mailbox::Impl::load_uidlist_head_locked(bool* rewrite) {
  // Only the header line and the last record: an APPEND needs the next UID, not the
  // 10,000 records of a large folder. Anything unusual takes the full path.
  int fd = ::open(uidlist_path().c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return load_uidlist_locked(rewrite);
  struct stat st {};
  std::string head(512, '\0'), tail(512, '\0');
  ssize_t head_n = -1, tail_n = -1;
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    head_n = ::pread(fd, head.data(), head.size(), 0);
    off_t from = std::max<off_t>(0, st.st_size - static_cast<off_t>(tail.size()));
    tail_n = ::pread(fd, tail.data(), tail.size(), from);
  }
  ::close(fd);
  if (head_n <= 0 || tail_n <= 0) return load_uidlist_locked(rewrite);
  head.resize(static_cast<size_t>(head_n));
  tail.resize(static_cast<size_t>(tail_n));
  size_t eol = head.find('\n');
  if (eol == std::string::npos || tail.back() != '\n') return load_uidlist_locked(rewrite);
  auto list = parse_uidlist(std::string_view(head).substr(0, eol + 1));
  if (!list || list->guid.empty()) return load_uidlist_locked(rewrite);
  // The last line, unless it is the header itself.
  if (static_cast<size_t>(st.st_size) > eol + 1) {
    size_t start = tail.rfind('\n', tail.size() - 2);
    if (start == std::string::npos) return load_uidlist_locked(rewrite);
    std::string_view last = std::string_view(tail).substr(start + 1);
    uint32_t uid = 0;
    size_t i = 0;
    for (; i < last.size() && last[i] >= '0' && last[i] <= '9'; ++i)
      uid = uid * 10 + static_cast<uint32_t>(last[i] - '0');
    if (i == 0 || i >= last.size() || last[i] != ' ') return load_uidlist_locked(rewrite);
    if (uid >= list->next_uid) list->next_uid = uid + 1;
  }
  *rewrite = false;
  list->parsed_bytes = static_cast<size_t>(st.st_size);
  return list;
}

Status Mailbox::Impl::save_uidlist(base::Dotlock& lock, const Uidlist& list, size_t added,
                                   bool rewrite) {
  // The lock stays held either way: the caller updates the index under it, so that index
  // writers are serialized and MODSEQs only grow (a session synced to the highest MODSEQ
  // would otherwise miss a change committed later with a lower one).
  if (rewrite) return lock.replace(format_uidlist(list));
  if (added == 0) return {};
  // Only new records: append them, as Dovecot does; readers take N from the last record
  // when the header's N lags behind.
  std::string lines;
  for (size_t i = list.records.size() - added; i < list.records.size(); ++i)
    lines += format_uidlist_record(list.records[i]);
  int fd = ::open(uidlist_path().c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return detail::sys_error("open", uidlist_path(), errno);
  int e = base::write_all(fd, lines);
  if (e == 0 && ::fdatasync(fd) != 0) e = errno;
  ::close(fd);
  if (e != 0) return detail::sys_error("append to", uidlist_path(), e);
  return {};  // the caller still holds the lock, to update the index under it
}

Status Mailbox::Impl::index_own_additions(const StampsBefore& before, uint32_t list_uid_validity,
                                          uint32_t list_next_uid,
                                          const std::vector<IndexRecord>& added) {
  if (added.empty()) return {};
  auto w = index.write();
  if (!w) return w.error();
  auto meta = w->meta();
  if (!meta) return meta.error();
  // Only when the index held every UID before ours; otherwise the next sync() scans.
  if (meta->uid_validity != list_uid_validity || meta->uid_next != added.front().uid) return {};
  IndexMeta m = *meta;
  uint64_t modseq = m.highest_modseq + 1;
  for (IndexRecord rec : added) {
    rec.modseq = modseq;
    if (Status s = w->put_record(rec); !s) return s;
  }
  m.highest_modseq = modseq;
  m.uid_next = list_next_uid;
  if (Status s = settle_stamps(before, m); !s) return s;
  if (Status s = w->put_meta(m); !s) return s;
  return w->commit();
}

Result<std::string> Mailbox::Impl::refind(std::string_view basename, bool* in_new) {
  std::unordered_map<std::string, FoundFile> files;
  if (Status s = read_dir(dir / "cur", false, &files); !s) return s.error();
  if (Status s = read_dir(dir / "new", true, &files); !s) return s.error();
  auto it = files.find(std::string(basename));
  if (it == files.end()) return std::string();
  *in_new = it->second.in_new;
  return it->second.filename;
}

Status Mailbox::Impl::full_scan(bool force) {
  auto lock = base::Dotlock::acquire(uidlist_path());
  if (!lock) return lock.error();
  auto new_st = detail::stamp_of(dir / "new");
  auto cur_st = detail::stamp_of(dir / "cur");
  if (!new_st) return new_st.error();
  if (!cur_st) return cur_st.error();
  if (new_st->ino == 0 || cur_st->ino == 0)
    return Error{"mailbox " + name + " does not exist (any more)"};
  // The stamps that made the caller scan may have been those of another writer's change
  // in progress (a STORE's renames): under the lock, that writer has recorded them.
  {
    auto ul_st = detail::stamp_of(uidlist_path());
    if (!ul_st) return ul_st.error();
    auto meta = index.meta();
    if (!meta) return meta.error();
    if (!force && !index_is_stale(*meta, *new_st, *cur_st, *ul_st)) return {};
  }

  bool rewrite = false;
  auto list = load_uidlist_locked(&rewrite);
  if (!list) return list.error();

  std::unordered_map<std::string, FoundFile> files;
  if (Status s = read_dir(dir / "cur", false, &files); !s) return s;
  if (Status s = read_dir(dir / "new", true, &files); !s) return s;

  // new/ -> cur/ with ":2," (Dovecot's maildir_sync_new), only for writers.
  FileStamp cur_known = *cur_st;  // cur/ as the scan saw it, own renames included
  FileStamp new_known = *new_st;  // the same for new/
  if (!read_only) {
    bool raced = false;
    bool moved = false;
    for (auto& [base, f] : files) {
      if (!f.in_new) continue;
      std::string to = f.filename.find(':') == std::string::npos ? f.filename + ":2," : f.filename;
      if (::rename((dir / "new" / f.filename).c_str(), (dir / "cur" / to).c_str()) == 0) {
        f = FoundFile{to, false};
        moved = true;
      } else if (errno == ENOENT) {
        raced = true;  // another session moved it first
      } else {
        return detail::sys_error("rename", dir / "new" / f.filename, errno);
      }
    }
    if (raced) {
      cur_st = detail::stamp_of(dir / "cur");
      if (!cur_st) return cur_st.error();
      new_st = detail::stamp_of(dir / "new");
      if (!new_st) return new_st.error();
      new_known = *new_st;
      files.clear();
      if (Status s = read_dir(dir / "cur", false, &files); !s) return s;
      if (Status s = read_dir(dir / "new", true, &files); !s) return s;
      cur_known = *cur_st;
    } else if (moved) {
      auto after = detail::stamp_of(dir / "cur");
      if (!after) return after.error();
      cur_known = *after;
      auto new_after = detail::stamp_of(dir / "new");
      if (!new_after) return new_after.error();
      new_known = *new_after;
    }
  }

  // Records whose file is gone are dropped; files without a record get new UIDs.
  std::vector<UidlistRecord> kept;
  kept.reserve(list->records.size());
  std::unordered_map<std::string_view, uint32_t> known;
  for (auto& r : list->records) {
    if (!files.count(r.basename)) {
      rewrite = true;
      continue;
    }
    kept.push_back(std::move(r));
  }
  for (auto& r : kept) known.emplace(r.basename, r.uid);
  std::vector<std::string> fresh;
  for (const auto& [base, f] : files)
    if (!known.count(base)) fresh.push_back(base);
  std::sort(fresh.begin(), fresh.end(), store::maildir_name_before);  // delivery order
  for (const auto& base : fresh) {
    UidlistRecord r;
    r.uid = list->next_uid++;
    r.basename = base;
    uint64_t w = 0;
    const FoundFile& f = files[base];
    if (!size_from_name(f.filename, 'W', &w)) {
      auto v = compute_vsize(dir / (f.in_new ? "new" : "cur") / f.filename);
      if (v) r.ext = "W" + std::to_string(*v);
    }
    kept.push_back(std::move(r));
  }
  list->records = std::move(kept);
  if (Status s = save_uidlist(*lock, *list, fresh.size(), rewrite); !s) return s;
  auto ul_st = detail::stamp_of(uidlist_path());
  if (!ul_st) return ul_st.error();

  // The index follows in one transaction, still under the uidlist lock.
  auto old = index.records();
  if (!old) return old.error();
  auto w = index.write();
  if (!w) return w.error();
  auto meta = w->meta();
  if (!meta) return meta.error();
  IndexMeta m = *meta;
  std::vector<IndexRecord> old_records = std::move(*old);
  if (m.uid_validity != list->uid_validity) {
    // New index, or the UID space changed under it: rebuild from scratch.
    if (Status s = w->clear(); !s) return s;
    old_records.clear();
    uint64_t seed = std::max(modseq_seed(), m.highest_modseq + 1);
    m = IndexMeta{};
    m.uid_validity = list->uid_validity;
    m.highest_modseq = seed;
    m.vanished_floor = seed;
    m.first_recent_uid = 1;
  }
  std::unordered_map<uint32_t, const IndexRecord*> by_uid;
  for (const auto& r : old_records) by_uid.emplace(r.uid, &r);
  uint64_t modseq = m.highest_modseq + 1;
  bool changed = false;
  for (const auto& r : list->records) {
    const FoundFile& f = files[r.basename];
    FilenameFlags ff = parse_filename_flags(f.filename);
    auto it = by_uid.find(r.uid);
    if (it != by_uid.end()) {
      const IndexRecord& old_rec = *it->second;
      by_uid.erase(it);
      if (old_rec.filename == f.filename && old_rec.in_new == f.in_new) continue;
      IndexRecord rec = old_rec;
      rec.filename = f.filename;
      rec.in_new = f.in_new;
      if (rec.system != ff.system || rec.keywords != ff.keywords) rec.modseq = modseq;
      rec.system = ff.system;
      rec.keywords = ff.keywords;
      if (rec.modseq == modseq) changed = true;
      if (Status s = w->put_record(rec); !s) return s;
      continue;
    }
    IndexRecord rec;
    rec.uid = r.uid;
    rec.modseq = modseq;
    rec.filename = f.filename;
    rec.in_new = f.in_new;
    rec.system = ff.system;
    rec.keywords = ff.keywords;
    struct stat st {};
    std::filesystem::path p = dir / (f.in_new ? "new" : "cur") / f.filename;
    if (::stat(p.c_str(), &st) == 0) {
      rec.date = st.st_mtime;
      rec.size = static_cast<uint64_t>(st.st_size);
    }
    size_from_name(f.filename, 'S', &rec.size);
    if (!size_from_name(f.filename, 'W', &rec.vsize) && !vsize_from_ext(r.ext, &rec.vsize)) {
      auto v = compute_vsize(p);
      rec.vsize = v ? *v : rec.size;
    }
    changed = true;
    if (Status s = w->put_record(rec); !s) return s;
  }
  for (const auto& [uid, rec] : by_uid) {  // in the index, gone from the Maildir
    if (Status s = w->delete_record(uid); !s) return s;
    if (Status s = w->add_vanished(modseq, uid); !s) return s;
    changed = true;
  }
  if (changed) m.highest_modseq = modseq;
  m.uid_next = list->next_uid;
  m.new_dir = new_known;
  m.new_verify_at = verify_time(new_known);
  m.cur_dir = cur_known;
  m.cur_verify_at = verify_time(cur_known);
  m.uidlist = *ul_st;
  if (Status s = w->put_meta(m); !s) return s;
  return w->commit();
}

Result<bool> Mailbox::Impl::verify_new(const IndexMeta& meta) {
  std::vector<std::string> names;
  DIR* d = ::opendir((dir / "new").c_str());
  if (!d) return detail::sys_error("opendir", dir / "new", errno);
  while (dirent* e = ::readdir(d))
    if (e->d_name[0] != '.') names.emplace_back(e->d_name);
  ::closedir(d);
  if (!names.empty()) {
    // Files a read-only session left in new/ are known as such; anything else is news.
    std::unordered_set<std::string_view> listed(names.begin(), names.end());
    size_t known = 0;
    Status walked = index.for_each_record([&](const detail::IndexRecordView& r) {
      if (r.in_new && listed.count(r.filename)) ++known;
    });
    if (!walked) return walked.error();
    if (known != names.size()) return false;
  }
  if (::time(nullptr) < meta.new_verify_at) return true;  // still inside the window
  // This listing was made late enough: record new/ as verified, under the lock.
  auto lock = base::Dotlock::acquire(uidlist_path());
  if (!lock) return lock.error();
  auto w = index.write();
  if (!w) return w.error();
  auto now = w->meta();
  if (!now) return now.error();
  if (!(now->new_dir == meta.new_dir)) return true;  // changed meanwhile: next sync decides
  IndexMeta m = *now;
  m.new_verify_at = 0;
  if (Status st = w->put_meta(m); !st) return st.error();
  if (Status st = w->commit(); !st) return st.error();
  return true;
}

Result<bool> Mailbox::Impl::verify_cur() {
  auto lock = base::Dotlock::acquire(uidlist_path());
  if (!lock) return lock.error();
  auto cur_st = detail::stamp_of(dir / "cur");
  if (!cur_st) return cur_st.error();
  auto meta = index.meta();
  if (!meta) return meta.error();
  if (!(meta->cur_dir == *cur_st)) return false;  // changed meanwhile: scan
  std::vector<std::string> names;
  DIR* d = ::opendir((dir / "cur").c_str());
  if (!d) return detail::sys_error("opendir", dir / "cur", errno);
  while (dirent* e = ::readdir(d))
    if (e->d_name[0] != '.') names.emplace_back(e->d_name);
  ::closedir(d);
  std::unordered_set<std::string_view> listed(names.begin(), names.end());
  size_t known = 0;
  bool same = listed.size() == names.size();  // no duplicates, as expected
  Status walked = index.for_each_record([&](const detail::IndexRecordView& r) {
    if (r.in_new) return;
    ++known;
    if (same && !listed.count(r.filename)) same = false;
  });
  if (!walked) return walked.error();
  if (!same || known != names.size()) return false;
  auto w = index.write();
  if (!w) return w.error();
  IndexMeta m = *meta;
  m.cur_verify_at = verify_time(*cur_st);
  if (Status st = w->put_meta(m); !st) return st.error();
  if (Status st = w->commit(); !st) return st.error();
  return true;
}

Result<Mailbox::Impl::StampsBefore> Mailbox::Impl::stamps_before_change() const {
  auto cur = detail::stamp_of(dir / "cur");
  if (!cur) return cur.error();
  auto ul = detail::stamp_of(uidlist_path());
  if (!ul) return ul.error();
  return StampsBefore{*cur, *ul};
}

Status Mailbox::Impl::settle_stamps(const StampsBefore& before, IndexMeta& meta) const {
  if (before.cur_dir == meta.cur_dir && meta.cur_dir.ino != 0) {
    auto cur = detail::stamp_of(dir / "cur");
    if (!cur) return cur.error();
    meta.cur_dir = *cur;
    // A verification already due stays due: continuous own changes must not put it off.
    if (meta.cur_verify_at == 0) meta.cur_verify_at = verify_time(*cur);
  }
  if (before.uidlist == meta.uidlist && meta.uidlist.ino != 0) {
    auto ul = detail::stamp_of(uidlist_path());
    if (!ul) return ul.error();
    meta.uidlist = *ul;
  }
  return {};
}

Result<bool> Mailbox::Impl::sync_changes_since(SyncChanges& changes) {
  IndexMeta seen;
  std::vector<detail::IndexRecord> updated, added;
  std::vector<uint32_t> gone;
  Status read = index.changes_since(
      highest_modseq, &seen,
      [&](const detail::IndexRecordView& r) {
        (find_mutable(r.uid) ? updated : added).push_back(detail::to_record(r));
      },
      [&](uint32_t uid) { gone.push_back(uid); });
  if (!read) return read.error();
  if (seen.uid_validity != uid_validity || seen.vanished_floor > highest_modseq) return false;
  auto by_uid = [](const detail::IndexRecord& a, const detail::IndexRecord& b) {
    return a.uid < b.uid;
  };
  std::sort(added.begin(), added.end(), by_uid);
  // New UIDs are above every UID the session has; anything else means a rebuild raced
  // this read: the caller merges every record instead. Nothing is applied before this.
  if (!added.empty() && !messages.empty() && added.front().uid <= messages.back().uid) return false;

  SyncChanges found;
  std::sort(updated.begin(), updated.end(), by_uid);
  for (const auto& r : updated) {
    MessageInfo* m = find_mutable(r.uid);
    if (m->modseq != r.modseq) {
      found.flags_changed.push_back(r.uid);
      m->modseq = r.modseq;
      m->flags.system = r.system;
      m->flags.keywords = keyword_names(r.keywords);
    }
    if (!same_file(m->file, r.in_new, r.filename)) m->file = message_file(r.in_new, r.filename);
  }
  std::sort(gone.begin(), gone.end());
  std::erase_if(messages, [&](const MessageInfo& m) {
    if (!std::binary_search(gone.begin(), gone.end(), m.uid)) return false;
    found.expunged.push_back(m.uid);
    return true;
  });
  for (const auto& rec : added) {
    found.added.push_back(rec.uid);
    messages.push_back(to_info(rec));
  }
  changes = std::move(found);
  uid_next = seen.uid_next;
  highest_modseq = seen.highest_modseq;
  verify_at = recheck_time(seen);
  return true;
}

Result<SyncChanges> Mailbox::sync() {
  Impl& d = *impl_;
  // A new command begins: what the last one cached is committed, its snapshot released
  // and its prefetch declaration forgotten.
  d.commit_cache();
  d.prefetch = {};
  auto new_st = detail::stamp_of(d.dir / "new");
  auto cur_st = detail::stamp_of(d.dir / "cur");
  auto ul_st = detail::stamp_of(d.uidlist_path());
  if (!new_st) return new_st.error();
  if (!cur_st) return cur_st.error();
  if (!ul_st) return ul_st.error();
  auto meta = d.index.meta();
  if (!meta) return meta.error();
  if (index_is_stale(*meta, *new_st, *cur_st, *ul_st)) {
    // Only cur/'s verification is due: a listing compared with the index settles it
    // unless something really changed.
    bool verified = false;
    bool verify_due = meta->cur_verify_at != 0 && meta->uid_validity != 0 &&
                      meta->new_dir.ino != 0 && meta->new_dir == *new_st &&
                      meta->cur_dir == *cur_st && meta->uidlist == *ul_st;
    if (verify_due) {
      auto v = d.verify_cur();
      if (!v) return v.error();
      verified = *v;
    }
    if (!verified) {
      // Forced when only the verification was due: the stamps match, the listing did not.
      if (Status s = d.full_scan(verify_due); !s) return s.error();
    }
    meta = d.index.meta();
    if (!meta) return meta.error();
  }
  if (meta->new_verify_at != 0) {
    auto v = d.verify_new(*meta);
    if (!v) return v.error();
    if (!*v) {
      if (Status s = d.full_scan(true); !s) return s.error();
    }
    meta = d.index.meta();
    if (!meta) return meta.error();
  }
  if (Status s = d.load_keywords(); !s) return s.error();
  SyncChanges changes;
  d.verify_at = recheck_time(*meta);
  bool claim = !d.read_only && meta->first_recent_uid < meta->uid_next;
  if (d.synced && !claim && meta->highest_modseq == d.highest_modseq &&
      meta->uid_next == d.uid_next && meta->uid_validity == d.uid_validity)
    return changes;  // nothing changed: no readdir, no record read

  if (claim) {
    // \Recent goes to exactly one session: the first to move the floor past them
    // (Dovecot's first_recent_uid), decided under the uidlist lock.
    auto lock = base::Dotlock::acquire(d.uidlist_path());
    if (!lock) return lock.error();
    auto m = d.index.meta();
    if (!m) return m.error();
    if (m->first_recent_uid < m->uid_next) {
      auto w = d.index.write();
      if (!w) return w.error();
      Status listed = d.index.for_each_record(
          [&](const detail::IndexRecordView& r) { d.recent.push_back(r.uid); },
          m->first_recent_uid);
      if (!listed) return listed.error();
      std::sort(d.recent.begin(), d.recent.end());
      IndexMeta updated = *m;
      updated.first_recent_uid = m->uid_next;
      if (Status s = w->put_meta(updated); !s) return s.error();
      if (Status s = w->commit(); !s) return s.error();
    }
    meta = d.index.meta();
    if (!meta) return meta.error();
  }

  if (d.read_only && meta->first_recent_uid < meta->uid_next) {
    // EXAMINE shows as \Recent what no session has claimed yet, and claims nothing
    // (Dovecot: the next SELECT still reports them).
    size_t before = d.recent.size();
    Status listed = d.index.for_each_record(
        [&](const detail::IndexRecordView& r) { d.recent.push_back(r.uid); },
        meta->first_recent_uid);
    if (!listed) return listed.error();
    if (d.recent.size() != before) {
      std::sort(d.recent.begin(), d.recent.end());
      d.recent.erase(std::unique(d.recent.begin(), d.recent.end()), d.recent.end());
    }
  }

  bool fresh = !d.synced;
  if (d.synced && meta->uid_validity != d.uid_validity) {
    changes.uidvalidity_changed = true;
    d.recent.clear();
    fresh = true;
  }
  if (!fresh && meta->vanished_floor <= d.highest_modseq) {
    auto incremental = d.sync_changes_since(changes);
    if (!incremental) return incremental.error();
    if (*incremental) return changes;
  }
  // Merge the index's records into the session's list (both ascending UID): unchanged
  // messages are moved over, so a sync after one change costs no allocation per message.
  std::vector<MessageInfo>& old = d.messages;
  std::vector<MessageInfo> now;
  now.reserve(old.size() + 16);
  size_t i = 0;
  Status walked = d.index.for_each_record([&](const detail::IndexRecordView& r) {
    if (!fresh) {
      while (i < old.size() && old[i].uid < r.uid) changes.expunged.push_back(old[i++].uid);
      if (i < old.size() && old[i].uid == r.uid) {
        MessageInfo& m = old[i++];
        if (m.modseq != r.modseq) {
          changes.flags_changed.push_back(r.uid);
          m.modseq = r.modseq;
          m.flags.system = r.system;
          m.flags.keywords = d.keyword_names(r.keywords);
        }
        if (!same_file(m.file, r.in_new, r.filename)) m.file = d.message_file(r.in_new, r.filename);
        now.push_back(std::move(m));
        return;
      }
    }
    changes.added.push_back(r.uid);
    now.push_back(d.to_info(r));
  });
  if (!walked) return walked.error();
  if (!fresh)
    while (i < old.size()) changes.expunged.push_back(old[i++].uid);
  // An idle session keeps this list for hours: no room for 16 more per session.
  if (now.capacity() > now.size() + now.size() / 8 + 8) now.shrink_to_fit();
  d.messages = std::move(now);
  d.uid_validity = meta->uid_validity;
  d.uid_next = meta->uid_next;
  d.highest_modseq = meta->highest_modseq;
  d.synced = true;
  d.verify_at = recheck_time(*meta);
  return changes;
}

}  // namespace correio::mailbox
