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

#include "mailbox/detail/fs_util.hpp"
#include "mailbox/detail/mailbox_impl.hpp"
#include "mailbox/detail/uidvalidity.hpp"
#include "store/detail/write_all.hpp"
#include "store/maildir_name.hpp"

namespace correio::mailbox {
namespace {

using detail::FileStamp;
using detail::IndexMeta;
using detail::IndexRecord;

// A directory mtime this close to now may still change within the same clock tick without
// its mtime moving, so it is not trusted as "scanned" (Dovecot's MAILDIR_SYNC_SECS).
constexpr int64_t kTrustAfterSeconds = 2;

FileStamp trusted(const FileStamp& st) {
  int64_t now = ::time(nullptr);
  return now - st.mtime_sec >= kTrustAfterSeconds ? st : FileStamp{};
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
  auto text = detail::read_file(path, &missing);
  if (!text) return text.error();
  uint64_t lf = 0;
  for (size_t i = 0; i < text->size(); ++i)
    if ((*text)[i] == '\n' && (i == 0 || (*text)[i - 1] != '\r')) ++lf;
  return text->size() + lf;
}

// The first modseq of a new index: microseconds since the epoch, so modseqs keep growing
// even when the index is rebuilt (RFC 7162 §3.1.2 wants them to never go backwards).
uint64_t modseq_seed() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

Result<Uidlist> Mailbox::Impl::load_uidlist_locked(bool* rewrite) {
  *rewrite = false;
  bool missing = false;
  auto text = detail::read_file(uidlist_path(), &missing);
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

Status Mailbox::Impl::save_uidlist(detail::Dotlock& lock, const Uidlist& list, size_t added,
                                   bool rewrite) {
  if (rewrite) return lock.replace(format_uidlist(list));
  if (added == 0) {
    lock.release();
    return {};
  }
  // Only new records: append them, as Dovecot does; readers take N from the last record
  // when the header's N lags behind.
  std::string lines;
  for (size_t i = list.records.size() - added; i < list.records.size(); ++i)
    lines += format_uidlist_record(list.records[i]);
  int fd = ::open(uidlist_path().c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return detail::sys_error("open", uidlist_path(), errno);
  int e = store::detail::write_all(fd, lines);
  if (e == 0 && ::fdatasync(fd) != 0) e = errno;
  ::close(fd);
  lock.release();
  if (e != 0) return detail::sys_error("append to", uidlist_path(), e);
  return {};
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

Status Mailbox::Impl::full_scan() {
  auto lock = detail::Dotlock::acquire(uidlist_path());
  if (!lock) return lock.error();
  auto new_st = detail::stamp_of(dir / "new");
  auto cur_st = detail::stamp_of(dir / "cur");
  if (!new_st) return new_st.error();
  if (!cur_st) return cur_st.error();
  if (new_st->ino == 0 || cur_st->ino == 0)
    return Error{"mailbox " + name + " does not exist (any more)"};

  bool rewrite = false;
  auto list = load_uidlist_locked(&rewrite);
  if (!list) return list.error();

  std::unordered_map<std::string, FoundFile> files;
  if (Status s = read_dir(dir / "cur", false, &files); !s) return s;
  if (Status s = read_dir(dir / "new", true, &files); !s) return s;

  // new/ -> cur/ with ":2," (Dovecot's maildir_sync_new), only for writers.
  if (!read_only) {
    bool raced = false;
    for (auto& [base, f] : files) {
      if (!f.in_new) continue;
      std::string to = f.filename.find(':') == std::string::npos ? f.filename + ":2," : f.filename;
      if (::rename((dir / "new" / f.filename).c_str(), (dir / "cur" / to).c_str()) == 0) {
        f = FoundFile{to, false};
      } else if (errno == ENOENT) {
        raced = true;  // another session moved it first
      } else {
        return detail::sys_error("rename", dir / "new" / f.filename, errno);
      }
    }
    if (raced) {
      files.clear();
      if (Status s = read_dir(dir / "cur", false, &files); !s) return s;
      if (Status s = read_dir(dir / "new", true, &files); !s) return s;
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

  // The index follows in one transaction.
  auto meta = index.meta();
  if (!meta) return meta.error();
  auto old = index.records();
  if (!old) return old.error();
  auto w = index.write();
  if (!w) return w.error();
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
  m.new_dir = trusted(*new_st);
  m.cur_dir = trusted(*cur_st);
  m.uidlist = *ul_st;
  if (Status s = w->put_meta(m); !s) return s;
  return w->commit();
}

Result<SyncChanges> Mailbox::sync() {
  Impl& d = *impl_;
  auto new_st = detail::stamp_of(d.dir / "new");
  auto cur_st = detail::stamp_of(d.dir / "cur");
  auto ul_st = detail::stamp_of(d.uidlist_path());
  if (!new_st) return new_st.error();
  if (!cur_st) return cur_st.error();
  if (!ul_st) return ul_st.error();
  auto meta = d.index.meta();
  if (!meta) return meta.error();
  bool stale = meta->uid_validity == 0 || meta->new_dir.ino == 0 || meta->cur_dir.ino == 0 ||
               !(meta->new_dir == *new_st) || !(meta->cur_dir == *cur_st) ||
               !(meta->uidlist == *ul_st);
  if (stale) {
    if (Status s = d.full_scan(); !s) return s.error();
    meta = d.index.meta();
    if (!meta) return meta.error();
  }
  if (Status s = d.load_keywords(); !s) return s.error();
  SyncChanges changes;
  bool claim = !d.read_only && meta->first_recent_uid < meta->uid_next;
  if (d.synced && !claim && meta->highest_modseq == d.highest_modseq &&
      meta->uid_next == d.uid_next && meta->uid_validity == d.uid_validity)
    return changes;  // nothing changed: no readdir, no record read

  if (claim) {
    // \Recent goes to exactly one session: the first to move the floor past them
    // (Dovecot's first_recent_uid), decided under the uidlist lock.
    auto lock = detail::Dotlock::acquire(d.uidlist_path());
    if (!lock) return lock.error();
    auto m = d.index.meta();
    if (!m) return m.error();
    if (m->first_recent_uid < m->uid_next) {
      auto w = d.index.write();
      if (!w) return w.error();
      auto recs = d.index.records();
      if (!recs) return recs.error();
      for (const auto& r : *recs)
        if (r.uid >= m->first_recent_uid) d.recent.push_back(r.uid);
      std::sort(d.recent.begin(), d.recent.end());
      IndexMeta updated = *m;
      updated.first_recent_uid = m->uid_next;
      if (Status s = w->put_meta(updated); !s) return s.error();
      if (Status s = w->commit(); !s) return s.error();
    }
    meta = d.index.meta();
    if (!meta) return meta.error();
  }

  auto records = d.index.records();
  if (!records) return records.error();
  std::vector<MessageInfo> now;
  now.reserve(records->size());
  for (const auto& r : *records) now.push_back(d.to_info(r));

  if (d.synced && meta->uid_validity != d.uid_validity) {
    changes.uidvalidity_changed = true;
    d.recent.clear();
  }
  if (d.synced && !changes.uidvalidity_changed) {
    // Merge of two ascending lists.
    size_t i = 0, j = 0;
    while (i < d.messages.size() || j < now.size()) {
      if (j == now.size() || (i < d.messages.size() && d.messages[i].uid < now[j].uid)) {
        changes.expunged.push_back(d.messages[i++].uid);
      } else if (i == d.messages.size() || now[j].uid < d.messages[i].uid) {
        changes.added.push_back(now[j++].uid);
      } else {
        if (now[j].modseq != d.messages[i].modseq) changes.flags_changed.push_back(now[j].uid);
        ++i, ++j;
      }
    }
  } else {
    for (const auto& m : now) changes.added.push_back(m.uid);
  }
  d.messages = std::move(now);
  d.uid_validity = meta->uid_validity;
  d.uid_next = meta->uid_next;
  d.highest_modseq = meta->highest_modseq;
  d.synced = true;
  return changes;
}

}  // namespace correio::mailbox
