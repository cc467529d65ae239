// The mailbox store the IMAP and POP3 servers use: one user's Dovecot-compatible Maildir++
// (design.md §4, docs/mailbox-storage.md). MailUser handles folders and subscriptions;
// Mailbox is one open folder with its messages, UIDs, flags, modseqs and a blob cache.
//
// The Maildir files, dovecot-uidlist, dovecot-keywords and subscriptions are the truth, so
// Dovecot and Correio can share a Maildir; Correio's index (correio-index.lmdb in each
// folder) is a derived cache, rebuilt when missing, stale or corrupt.
//
// Threads: a MailUser or Mailbox object is used by one thread at a time (one session).
// Any number of objects, in one or several processes (Dovecot included), may work on the
// same folders at once; each sees the others' changes at its next sync().
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "mailbox/flags.hpp"
#include "mailbox/metadata_file.hpp"
#include "mailbox/work_pool.hpp"

namespace correio::base {
class Logger;
}

namespace correio::mailbox {

// One message as of the session's last sync().
struct MessageInfo {
  uint32_t uid = 0;
  Flags flags;
  uint64_t modseq = 0;        // RFC 7162 MODSEQ of the last change
  uint64_t size = 0;          // bytes of the file (LF line ends)
  uint64_t vsize = 0;         // size with CRLF line ends: IMAP RFC822.SIZE, POP3 LIST size
  int64_t internal_date = 0;  // seconds since the epoch: the file's mtime, as Dovecot
  // "cur/NAME" or "new/NAME" inside the folder (Mailbox::message_path() gives the absolute
  // path): not the absolute path, which would cost a session ~200 bytes a message. May go
  // stale when another session changes flags (read_message() copes with that).
  std::string file;
  bool recent = false;  // \Recent: this session was the first to see it
};

// What a sync() found changed since this session's previous sync().
struct SyncChanges {
  std::vector<uint32_t> expunged;       // UIDs that were in the previous list and are gone
  std::vector<uint32_t> added;          // UIDs new in the list (ascending)
  std::vector<uint32_t> flags_changed;  // UIDs still present whose flags or modseq changed
  bool uidvalidity_changed = false;     // the folder was recreated: the whole list is new
};

enum class StoreMode { kAdd, kRemove, kReplace };

struct StoreResult {
  // Messages whose flags changed, with their new flags and modseq (for FETCH responses).
  std::vector<MessageInfo> changed;
  // UIDs not changed because their modseq was above UNCHANGEDSINCE (RFC 7162 §3.1.3).
  std::vector<uint32_t> failed;
};

// Counts for IMAP STATUS (RFC 9051 §6.3.11) without selecting the folder.
struct FolderStatus {
  uint32_t messages = 0;
  uint32_t recent = 0;
  uint32_t unseen = 0;
  uint32_t uid_next = 0;
  uint32_t uid_validity = 0;
  uint64_t highest_modseq = 0;
  uint64_t vsize = 0;  // sum of message vsizes (RFC 8438 STATUS=SIZE)
};

// One name in a folder listing (for IMAP LIST, RFC 9051 §7.3.1; RFC 6154 SPECIAL-USE).
struct FolderInfo {
  std::string name;           // "INBOX", "Sent", "Archive.2024" ('.' separates levels)
  bool exists = true;         // false: only a parent of existing folders (\NonExistent,
                              // which also means \Noselect)
  bool has_children = false;  // \HasChildren, else \HasNoChildren
  std::string special_use;    // "\Sent", "\Drafts", ... or empty
};

// The hierarchy separator of folder names, Dovecot's default for Maildir++.
inline constexpr char kHierarchySeparator = '.';

struct MailUserOptions {
  // Parameter mailbox_special_use_folders: "Name=\Flag, Name=\Flag"; these folders are
  // created when the user is opened (Dovecot's auto = create) and listed with the flag.
  std::string special_use_folders =
      "Drafts=\\Drafts, Sent=\\Sent, Trash=\\Trash, Junk=\\Junk, Archive=\\Archive";
  // Host part of new file names (store::maildir_host_part(myhostname)); empty: gethostname().
  std::string host_part;
  // The daemon's worker pool, for Mailbox::prefetch; null: prefetch uses the caller's
  // thread only. Not owned; outlives the MailUser and its mailboxes.
  WorkPool* work_pool = nullptr;
  // Where a failed cache commit is reported (a warning: the cache is derived data); null:
  // not reported. Not owned.
  base::Logger* log = nullptr;
};

// The values the store computes from a message's content and keeps in the folder's index
// for every later session (Dovecot's mail cache fields). Bits, for Mailbox::prefetch.
enum CachedField : unsigned {
  kCacheEnvelope = 1u << 0,       // IMAP ENVELOPE (RFC 9051 §7.5.2)
  kCacheBodyStructure = 1u << 1,  // IMAP BODYSTRUCTURE, with the extension data
  kCacheBody = 1u << 2,           // IMAP BODY: BODYSTRUCTURE without extension data
  kCacheHeader = 1u << 3,         // the raw header block (header searches, SORT, THREAD)
};

class Mailbox;

// One user's Maildir++ root. Cheap to create; holds no open files.
class MailUser {
 public:
  // `root` is the user's Maildir (INBOX); it is created (cur/new/tmp) if missing, and so
  // are the special-use folders.
  static Result<MailUser> open(std::filesystem::path root, MailUserOptions options = {});

  const std::filesystem::path& root() const { return root_; }

  // Every folder and every parent name of a folder, INBOX first, then sorted by name.
  Result<std::vector<FolderInfo>> list_folders() const;

  // IMAP CREATE: creates the folder (cur/ new/ tmp/, maildirfolder, dovecot-uidlist).
  // Parents are not created: in Maildir++ ".A.b" needs no ".A" (listed \NonExistent, as
  // Dovecot does). Fails if it exists already or the name is invalid.
  Status create_folder(std::string_view name);
  // IMAP DELETE: removes the folder and its messages; children stay. INBOX cannot be deleted.
  Status delete_folder(std::string_view name);
  // IMAP RENAME: renames the folder and all its children. Renaming INBOX moves its messages
  // into a new folder `to` and leaves INBOX empty (RFC 9051 §6.3.6).
  Status rename_folder(std::string_view from, std::string_view to);

  // Subscriptions, kept in the root's `subscriptions` file in Dovecot's format.
  Status subscribe(std::string_view name);
  Status unsubscribe(std::string_view name);
  Result<std::vector<std::string>> subscriptions() const;

  // STATUS counts, from the folder's index after a sync (no readdir when nothing changed).
  Result<FolderStatus> status(std::string_view name);

  // Opens a folder for one session. read_only: EXAMINE (no \Recent claimed, no new/ -> cur/
  // moves are needed by the caller; writes fail).
  Result<std::unique_ptr<Mailbox>> open_mailbox(std::string_view name, bool read_only = false);

  // The folder's directory for a valid name ("INBOX" -> root, "A.b" -> root/.A.b).
  Result<std::filesystem::path> folder_path(std::string_view name) const;

  // IMAP METADATA (RFC 5464) of a folder, or of the account for "": entry name -> value.
  // A folder that does not exist is an error ("Mailbox doesn't exist: NAME").
  Result<MetadataEntries> metadata(std::string_view folder) const;
  // Changes the entries under the file's lock: `edit` gets the current entries and
  // returns false to leave the file unchanged.
  Status update_metadata(std::string_view folder,
                         const std::function<bool(MetadataEntries&)>& edit);

 private:
  Result<std::filesystem::path> metadata_file(std::string_view folder) const;
  MailUser(std::filesystem::path root, MailUserOptions options)
      : root_(std::move(root)), options_(std::move(options)) {}
  std::string special_use_of(std::string_view name) const;

  std::filesystem::path root_;
  MailUserOptions options_;
};

// Checks an IMAP folder name as the store accepts it: non-empty, at most 255 bytes, no '/',
// no NUL or control characters, no empty level ("a..b", ".a", "a."), no level starting
// with '.'-only names ("." or ".."). Modified UTF-7 is the IMAP server's business.
Status validate_folder_name(std::string_view name);

// True for "INBOX" in any case.
bool is_inbox(std::string_view name);

// One open folder. Created by MailUser::open_mailbox(); owned by one session.
class Mailbox {
 public:
  ~Mailbox();
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  const std::string& name() const;
  const std::filesystem::path& path() const;
  bool read_only() const;

  uint32_t uid_validity() const;
  uint32_t uid_next() const;
  uint64_t highest_modseq() const;

  // Brings the session up to date: if new/, cur/ or dovecot-uidlist changed (checked with
  // three stat() calls), rescans, assigns UIDs to new files (moving new/ -> cur/ as ":2,"),
  // updates the index. The first sync() after open fills messages().
  Result<SyncChanges> sync();

  // The messages as of the last sync(), ascending UID. Valid until the next call of a
  // non-const member.
  const std::vector<MessageInfo>& messages() const;
  // The message with `uid` in messages(), or nullptr.
  const MessageInfo* find(uint32_t uid) const;

  // The message's bytes as stored (LF line ends). Follows a flag rename by another session.
  Result<std::string> read_message(uint32_t uid);
  // The message's current file path (re-found if another session renamed it), for mmap.
  Result<std::filesystem::path> message_path(uint32_t uid);

  // IMAP STORE. Unknown UIDs are ignored; keywords that are new to the folder are added to
  // dovecot-keywords (at most 26, Maildir's a..z). `unchanged_since`: RFC 7162 UNCHANGEDSINCE.
  Result<StoreResult> store_flags(std::span<const uint32_t> uids, StoreMode mode,
                                  const Flags& flags,
                                  std::optional<uint64_t> unchanged_since = std::nullopt);

  // IMAP APPEND: `bytes` with CRLF or LF line ends (stored with LF, as Dovecot does);
  // `internal_date` in seconds, default now. Returns the new UID (APPENDUID). The message
  // shows up in messages() at the next sync().
  Result<uint32_t> append(std::string_view bytes, const Flags& flags,
                          std::optional<int64_t> internal_date = std::nullopt);

  // IMAP COPY: copies the messages (hard links when possible) into `dest`, keeping flags
  // and internal dates. Returns (source UID, destination UID) pairs for COPYUID, ascending
  // source UID. Unknown UIDs are skipped.
  Result<std::vector<std::pair<uint32_t, uint32_t>>> copy_to(std::span<const uint32_t> uids,
                                                             Mailbox& dest);
  // IMAP MOVE: copy_to() then expunge() of the copied source messages.
  Result<std::vector<std::pair<uint32_t, uint32_t>>> move_to(std::span<const uint32_t> uids,
                                                             Mailbox& dest);

  // Removes the messages; returns the UIDs actually removed (ascending), which also leave
  // messages() at once. Another session's removals show up as SyncChanges::expunged.
  Result<std::vector<uint32_t>> expunge(std::span<const uint32_t> uids);

  // The folder's keywords in dovecot-keywords order (for FLAGS / PERMANENTFLAGS).
  std::vector<std::string> keywords() const;
  // Whether a new keyword can still be added (Maildir has 26 keyword letters).
  bool can_add_keywords() const;
  // Whether `names`, added to the folder's keywords, still fit Maildir's 26 letters (names
  // the folder already has, in any case, take no room). IMAP answers NO [LIMIT] otherwise.
  bool keywords_fit(const std::vector<std::string>& names) const;

  // A message's cached values (see CachedField): from the folder's cache, else computed
  // from the file (or from `raw`, the message's bytes, when the caller has them) and
  // cached. Asking for ENVELOPE or BODYSTRUCTURE computes and caches both and the header:
  // a client that asks for one asks for the others next. An error when the message cannot
  // be read (expunged meanwhile). The view is valid until the next call of a non-const
  // member of this Mailbox.
  Result<std::string_view> envelope(uint32_t uid, const std::string* raw = nullptr);
  Result<std::string_view> body_structure(uint32_t uid, const std::string* raw = nullptr);
  Result<std::string_view> body(uint32_t uid, const std::string* raw = nullptr);
  Result<std::string_view> header(uint32_t uid, const std::string* raw = nullptr);

  // Says which values of which messages the caller is about to ask for (one FETCH, SORT or
  // THREAD), in the order it will ask. At the first of them not in the cache, the store
  // computes the missing ones among the rest on the worker pool (when enough are missing
  // to be worth it) and commits them; a warm cache costs nothing more. Replaced by the
  // next prefetch(); dropped by sync().
  void prefetch(std::vector<uint32_t> uids, unsigned fields);

  // The cache underneath, by field name ("envelope", "bodystructure", "body", "header").
  // Values put are seen by this Mailbox at once and committed in one index transaction
  // when the store decides: every kCacheBatch values, after a prefetch batch, at the next
  // sync() and in the destructor; flush_cache() commits them now.
  static constexpr size_t kCacheBatch = 2000;
  Result<std::optional<std::string>> cache_get(uint32_t uid, std::string_view field);
  Status cache_put(uint32_t uid, std::string_view field, std::string_view value);
  Status flush_cache();

  // When this session's view of cur/ must be verified by a directory scan (Unix time; 0:
  // never): a change another process made within the same clock tick as this process's
  // last one is found then. IDLE re-syncs at that time.
  int64_t recheck_at() const;

  // UIDs expunged with a modseq above `modseq`, ascending (RFC 7162 QRESYNC VANISHED).
  // Only expunges this index saw; after an index rebuild, older ones are unknown and
  // `complete` (if given) is set false.
  Result<std::vector<uint32_t>> expunged_since(uint64_t modseq, bool* complete = nullptr);

  struct Impl;

 private:
  friend class MailUser;
  explicit Mailbox(std::unique_ptr<Impl> impl);
  // envelope(), body_structure(), body(), header().
  Result<std::string_view> content(uint32_t uid, CachedField field, const std::string* raw);
  std::unique_ptr<Impl> impl_;
};

}  // namespace correio::mailbox
