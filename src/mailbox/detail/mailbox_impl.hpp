// The state behind one open Mailbox, shared by mailbox.cpp (sync, reads) and
// mailbox_write.cpp (store, append, copy, expunge). Internal to correio_mailbox.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/dotlock.hpp"
#include "base/log.hpp"
#include "mailbox/detail/index.hpp"
#include "mailbox/keywords_file.hpp"
#include "mailbox/mailbox.hpp"
#include "mailbox/uidlist.hpp"

namespace correio::mailbox {

struct Mailbox::Impl {
  Impl(std::string name_, std::filesystem::path dir_, std::filesystem::path root_,
       std::string host_part_, bool read_only_, detail::Index index_)
      : name(std::move(name_)),
        dir(std::move(dir_)),
        root(std::move(root_)),
        host_part(std::move(host_part_)),
        read_only(read_only_),
        index(std::move(index_)) {}

  std::string name;
  std::filesystem::path dir;   // the folder
  std::filesystem::path root;  // the user's Maildir root (dovecot-uidvalidity lives there)
  std::string host_part;
  bool read_only = false;
  detail::Index index;

  std::vector<MessageInfo> messages;  // the session's view, ascending UID
  std::vector<uint32_t> recent;       // UIDs this session claimed as \Recent, ascending
  uint32_t uid_validity = 0;
  uint32_t uid_next = 1;
  uint64_t highest_modseq = 0;
  bool synced = false;

  std::vector<std::string> keywords;  // index -> name, from dovecot-keywords
  detail::FileStamp keywords_stamp;
  bool keywords_loaded = false;  // keywords/keywords_stamp are valid (a missing file too)

  // cache_put() values not yet committed: one index transaction (one fdatasync) per
  // flush_cache() instead of one per value.
  std::map<std::pair<uint32_t, std::string>, std::string, std::less<>> pending_cache;
  // The index snapshot cache reads go through (one read transaction for a whole FETCH or
  // SEARCH); opened at the first read, released when the cache is committed and by sync(),
  // so that an idle session holds no reader.
  std::optional<detail::Index::Reader> cache_snapshot;
  // prefetch()'s declaration: the UIDs to be asked for next, and the fields.
  struct Prefetch {
    std::vector<uint32_t> uids;
    unsigned fields = 0;
    size_t cursor = 0;  // where the last lookup found its UID (the caller goes in order)
    bool done = false;  // the batch has run (once per prefetch())
  } prefetch;
  WorkPool* work_pool = nullptr;  // MailUserOptions::work_pool
  base::Logger* log = nullptr;    // MailUserOptions::log

  // A cached value: this session's uncommitted puts first, then the snapshot.
  Result<std::optional<std::string_view>> cached(uint32_t uid, std::string_view field);
  // At a miss of `uid`: computes the missing values of the declared UIDs from `uid` on,
  // on the worker pool, and commits them. False when nothing was computed.
  bool run_prefetch(uint32_t uid, CachedField field);
  // flush_cache() for the store's own decisions: a failure is logged and the values
  // dropped (derived data; they are computed again when asked for).
  void commit_cache();
  int64_t verify_at = 0;  // the index's cur_verify_at as of the last sync()

  std::filesystem::path uidlist_path() const { return dir / "dovecot-uidlist"; }

  // Re-reads dovecot-keywords when it changed.
  Status load_keywords();
  // Keyword names -> letter bits; with `create`, unknown names are added to
  // dovecot-keywords (under its dotlock), else ignored.
  Result<uint32_t> keyword_bits(const std::vector<std::string>& names, bool create);
  std::vector<std::string> keyword_names(uint32_t bits) const;

  // The uidlist under a held lock; a missing or broken file yields a fresh one (new
  // UIDVALIDITY) with `*rewrite` set.
  Result<Uidlist> load_uidlist_locked(bool* rewrite);
  // The same without its records (header fields and the corrected next UID), for callers
  // that only append; falls back to the full load when the file needs a rewrite.
  Result<Uidlist> load_uidlist_head_locked(bool* rewrite);
  // Writes uidlist changes under `lock`: appends `added` records (the lock stays held), or
  // rewrites the file (which releases the lock: the lock file becomes the uidlist).
  Status save_uidlist(base::Dotlock& lock, const Uidlist& list, size_t added, bool rewrite);

  // sync()'s usual case: applies only the index's changes since this session's
  // highest_modseq. False: not possible (UIDVALIDITY changed, expunge log incomplete,
  // UIDs out of order); the caller merges every record instead.
  Result<bool> sync_changes_since(SyncChanges& changes);
  // The verification of cur/ that cur_verify_at asks for: lists cur/ and compares the
  // names with the index's. True: identical (recorded as verified); false: scan.
  Result<bool> verify_cur();
  // While new/'s stamp is unverified: lists new/; false when it holds a file the index
  // does not know (the caller scans). Records new/ as verified once the listing was made
  // at or after new_verify_at.
  Result<bool> verify_new(const detail::IndexMeta& meta);
  // Full scan of new/ and cur/ against dovecot-uidlist, updating the index.
  // `force`: even when the stamps match again under the lock (a listing found news).
  Status full_scan(bool force = false);

  // An own change of cur/ and dovecot-uidlist (STORE renames, APPEND, COPY, EXPUNGE) made
  // under the uidlist lock. When the index knew both before the change, it knows them
  // after it too, so the stamps taken after the change are recorded and the next sync()
  // needs no directory scan (cur/ is verified by one later, see cur_verify_at).
  struct StampsBefore {
    detail::FileStamp cur_dir, uidlist;
  };
  Result<StampsBefore> stamps_before_change() const;
  Status settle_stamps(const StampsBefore& before, detail::IndexMeta& meta) const;
  // MessageInfo::file for a file of new/ or cur/, and the absolute path of one.
  static std::string message_file(bool in_new, std::string_view filename);
  std::string absolute(const std::string& file) const;
  // After own additions appended to dovecot-uidlist (its lock still held; not rewritten):
  // puts their index records (modseq assigned here) so the next sync() needs no scan.
  Status index_own_additions(const StampsBefore& before, uint32_t list_uid_validity,
                             uint32_t list_next_uid, const std::vector<detail::IndexRecord>& added);
  // Current file name of a message whose known name went stale; empty when expunged.
  Result<std::string> refind(std::string_view basename, bool* in_new);

  MessageInfo to_info(const detail::IndexRecordView& rec) const;
  MessageInfo to_info(const detail::IndexRecord& rec) const;
  MessageInfo* find_mutable(uint32_t uid);
};

}  // namespace correio::mailbox
