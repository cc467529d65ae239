// Correio's per-folder index: correio-index.lmdb (LMDB, MDB_NOSUBDIR) beside the Maildir.
// A cache derived from the Maildir and dovecot-uidlist: per UID the file name, flags, sizes,
// internal date and modseq; per folder HIGHESTMODSEQ, the \Recent floor and the stamps of
// new/, cur/ and dovecot-uidlist at the last full scan; an expunge log for QRESYNC; and a
// blob cache per (uid, field). Internal to correio_mailbox.
//
// LMDB forbids opening one environment twice in a process, so environments are shared
// through a process-wide registry (the only global state of the library, guarded by a
// mutex). Index objects are used by one thread at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "mailbox/detail/fs_util.hpp"

namespace correio::mailbox::detail {

inline constexpr const char* kIndexFile = "correio-index.lmdb";

struct IndexRecord {
  uint32_t uid = 0;
  uint64_t modseq = 0;
  uint64_t size = 0;
  uint64_t vsize = 0;
  int64_t date = 0;
  uint8_t system = 0;     // SystemFlag bits
  uint32_t keywords = 0;  // keyword letter bits
  bool in_new = false;    // file still in new/ (read-only sessions do not move it)
  std::string filename;   // current name in cur/ or new/
};

struct IndexMeta {
  uint32_t uid_validity = 0;  // 0: empty index (never built)
  uint32_t uid_next = 1;
  uint64_t highest_modseq = 0;
  uint32_t first_recent_uid = 1;  // UIDs from here on are \Recent to the next session
  uint64_t vanished_floor = 0;    // the expunge log is complete for modseqs above this
  // The directories and dovecot-uidlist as the index last knew them (a zero stamp: rescan).
  FileStamp new_dir, cur_dir, uidlist, keywords;
  // cur/'s mtime was too recent to rule out a same-tick change the index has not seen (after
  // a scan, or after this index's own renames): verify with a scan from this Unix time on.
  // 0: cur_dir was verified.
  int64_t cur_verify_at = 0;
  // The same for new/, where deliveries land without any lock: until a listing of new/
  // made from this time on finds nothing unknown, every sync lists new/ (cheap: it is
  // nearly always empty). 0: new_dir was verified.
  int64_t new_verify_at = 0;
};

// One record as stored, valid only during Index::for_each_record's callback.
struct IndexRecordView {
  uint32_t uid = 0;
  uint64_t modseq = 0;
  uint64_t size = 0;
  uint64_t vsize = 0;
  int64_t date = 0;
  uint8_t system = 0;
  uint32_t keywords = 0;
  bool in_new = false;
  std::string_view filename;
};

// A copy that outlives the callback.
IndexRecord to_record(const IndexRecordView& view);

class Index {
 public:
  struct Env;
  // Opens (creating) the folder's index; a corrupt file is removed and recreated.
  static Result<Index> open(const std::filesystem::path& folder);
  Index(Index&&) noexcept;
  Index& operator=(Index&&) noexcept;
  ~Index();

  Result<IndexMeta> meta() const;
  Result<std::vector<IndexRecord>> records() const;  // ascending UID
  // Every record from `first_uid` on, ascending UID, without copying (for syncs of large
  // folders).
  Status for_each_record(const std::function<void(const IndexRecordView&)>& fn,
                         uint32_t first_uid = 0) const;
  // In one read transaction: the meta, every record whose modseq is above `modseq`
  // (ascending modseq), and the UIDs expunged with a modseq above it (complete only when
  // meta->vanished_floor <= modseq).
  Status changes_since(uint64_t modseq, IndexMeta* meta,
                       const std::function<void(const IndexRecordView&)>& changed,
                       const std::function<void(uint32_t uid)>& vanished) const;
  Result<std::optional<std::string>> cache_get(uint32_t uid, std::string_view field) const;
  Result<std::vector<uint32_t>> vanished_since(uint64_t modseq) const;

  // One read transaction for many cache lookups: views into the index's memory, valid
  // while the Reader lives.
  class Reader {
   public:
    Reader(Reader&&) noexcept;
    Reader& operator=(Reader&&) = delete;
    ~Reader();
    // Lookups of ascending UIDs (FETCH 1:*) walk on from the previous one instead of
    // searching the tree again: not thread-safe (neither is the transaction).
    Result<std::optional<std::string_view>> cache_get(uint32_t uid, std::string_view field) const;

   private:
    friend class Index;
    Reader(Env* env, void* txn) : env_(env), txn_(txn) {}
    Env* env_;
    void* txn_;
    mutable void* cursor_ = nullptr;  // MDB_cursor on the cache, at the last key found
    mutable bool positioned_ = false;
  };
  Result<Reader> read() const;

  // One write transaction; nothing is visible to others before commit(). Abandoned
  // (destroyed without commit) it changes nothing.
  class Writer {
   public:
    Writer(Writer&&) noexcept;
    ~Writer();
    // Reads inside this transaction (the writer lock is held, so nobody changes them).
    Result<IndexMeta> meta() const;
    Result<std::optional<IndexRecord>> record(uint32_t uid) const;
    Status put_meta(const IndexMeta& meta);
    Status put_record(const IndexRecord& record);
    Status delete_record(uint32_t uid);  // and its cache entries
    Status add_vanished(uint64_t modseq, uint32_t uid);
    Status cache_put(uint32_t uid, std::string_view field, std::string_view value);
    Status clear();  // every record, cache entry and log entry (rebuild)
    Status commit();

   private:
    friend class Index;
    Writer(Env* env, void* txn) : env_(env), txn_(txn) {}
    Status forget_modseq(uint32_t uid, uint64_t unless_modseq);
    Env* env_;
    void* txn_;
  };
  Result<Writer> write();

 private:
  explicit Index(std::shared_ptr<Env> env) : env_(std::move(env)) {}
  std::shared_ptr<Env> env_;
};

}  // namespace correio::mailbox::detail
