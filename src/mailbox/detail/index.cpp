// The per-folder LMDB index (see index.hpp). Layout, all integers big-endian:
//   meta      "m"                          -> IndexMeta (versioned blob)
//   msg       uid(4)                       -> IndexRecord without uid
//   cache     uid(4) field                 -> bytes (the small fields: envelope, bodystructure)
//   cachebig  uid(4) field                 -> bytes (the large ones: header, body), apart so
//                                             that FETCH 1:* (ENVELOPE) walks dense pages
//   vanished  modseq(8) uid(4)             -> ""
//   bymodseq  modseq(8) uid(4)             -> ""   (each record's current modseq, so a
//                                                   session syncs in O(changes))
#include "mailbox/detail/index.hpp"

#include <lmdb.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>

#include "mailbox/detail/index_boot_guard.hpp"

namespace correio::mailbox::detail {
namespace {

constexpr uint32_t kFormat = 5;  // 2: cur_verify_at; 3: bymodseq; 4: new_verify_at; 5: cachebig
constexpr size_t kMapSize = size_t{1} << 30;

Error lmdb_error(std::string_view what, const std::filesystem::path& path, int rc) {
  return Error{std::string(what) + " " + path.string() + ": " + mdb_strerror(rc)};
}

// Big-endian packing, so LMDB's byte order is numeric order.
class Packer {
 public:
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(uint32_t v) {
    for (int i = 3; i >= 0; --i) u8(static_cast<uint8_t>(v >> (8 * i)));
  }
  void u64(uint64_t v) {
    for (int i = 7; i >= 0; --i) u8(static_cast<uint8_t>(v >> (8 * i)));
  }
  void str(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }
  void raw(std::string_view s) { out_.append(s); }
  std::string& bytes() { return out_; }

 private:
  std::string out_;
};

class Unpacker {
 public:
  explicit Unpacker(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  uint8_t u8() {
    if (in_.empty()) return fail();
    auto v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return v;
  }
  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | u8();
    return v;
  }
  uint64_t u64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | u8();
    return v;
  }
  std::string_view str_view() {
    uint32_t n = u32();
    if (!ok_ || n > in_.size()) return fail(), std::string_view();
    std::string_view s = in_.substr(0, n);
    in_.remove_prefix(n);
    return s;
  }

 private:
  uint8_t fail() {
    ok_ = false;
    in_ = {};
    return 0;
  }
  std::string_view in_;
  bool ok_ = true;
};

void pack_stamp(Packer& p, const FileStamp& s) {
  p.u64(static_cast<uint64_t>(s.mtime_sec));
  p.u64(static_cast<uint64_t>(s.mtime_nsec));
  p.u64(s.size);
  p.u64(s.ino);
}
FileStamp unpack_stamp(Unpacker& u) {
  FileStamp s;
  s.mtime_sec = static_cast<int64_t>(u.u64());
  s.mtime_nsec = static_cast<int64_t>(u.u64());
  s.size = u.u64();
  s.ino = u.u64();
  return s;
}

std::string uid_key(uint32_t uid) {
  Packer p;
  p.u32(uid);
  return std::move(p.bytes());
}

MDB_val val(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}
std::string_view view(const MDB_val& v) {
  return std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
}

}  // namespace

struct Index::Env {
  MDB_env* env = nullptr;
  MDB_dbi meta = 0, msg = 0, cache = 0, cache_big = 0, vanished = 0, bymodseq = 0;
  // Where a cache field lives: the large values apart from the small ones.
  MDB_dbi cache_for(std::string_view field) const {
    return field == "header" || field == "body" ? cache_big : cache;
  }
  std::filesystem::path path;
  ~Env() {
    if (env) mdb_env_close(env);
  }
};

namespace {

// LMDB: "do not have an LMDB database open twice in the same process at the same time".
struct Registry {
  std::mutex mutex;
  std::map<std::string, std::weak_ptr<Index::Env>> envs;
};
Registry& registry() {
  static Registry r;
  return r;
}

int open_env(Index::Env* e, bool nosync) {
  int rc = mdb_env_create(&e->env);
  if (rc != 0) return rc;
  mdb_env_set_maxdbs(e->env, 6);
  // One reader slot per open read transaction: a FETCH holds one while it writes to a slow
  // client, so hundreds of sessions may hold one at once (LMDB's default is 126).
  mdb_env_set_maxreaders(e->env, 4096);
  mdb_env_set_mapsize(e->env, kMapSize);
  // NOSYNC when the boot guard vouches that an index from a crashed boot is never read;
  // else NOMETASYNC: a system crash may lose the last transaction, never consistency. The
  // index is derived: lost changes are found again by the next scan.
  unsigned sync_flag = nosync ? MDB_NOSYNC : MDB_NOMETASYNC;
  rc = mdb_env_open(e->env, e->path.c_str(), MDB_NOSUBDIR | MDB_NOTLS | sync_flag, 0600);
  if (rc != 0) return rc;
  int dead = 0;
  mdb_reader_check(e->env, &dead);
  MDB_txn* txn = nullptr;
  if ((rc = mdb_txn_begin(e->env, nullptr, 0, &txn)) != 0) return rc;
  if ((rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &e->meta)) != 0 ||
      (rc = mdb_dbi_open(txn, "msg", MDB_CREATE, &e->msg)) != 0 ||
      (rc = mdb_dbi_open(txn, "cache", MDB_CREATE, &e->cache)) != 0 ||
      (rc = mdb_dbi_open(txn, "cachebig", MDB_CREATE, &e->cache_big)) != 0 ||
      (rc = mdb_dbi_open(txn, "vanished", MDB_CREATE, &e->vanished)) != 0 ||
      (rc = mdb_dbi_open(txn, "bymodseq", MDB_CREATE, &e->bymodseq)) != 0) {
    mdb_txn_abort(txn);
    return rc;
  }
  return mdb_txn_commit(txn);
}

// Read transaction as RAII.
struct ReadTxn {
  MDB_txn* txn = nullptr;
  ~ReadTxn() {
    if (txn) mdb_txn_abort(txn);
  }
};

}  // namespace

Result<Index> Index::open(const std::filesystem::path& folder) {
  std::filesystem::path path = folder / kIndexFile;
  Registry& reg = registry();
  std::lock_guard lock(reg.mutex);
  if (auto it = reg.envs.find(path.string()); it != reg.envs.end())
    if (auto env = it->second.lock()) return Index(env);
  auto nosync = claim_index_for_this_boot(path);
  if (!nosync) return nosync.error();
  for (int attempt = 0;; ++attempt) {
    auto env = std::make_shared<Env>();
    env->path = path;
    int rc = open_env(env.get(), *nosync);
    if (rc == 0) {
      reg.envs[path.string()] = env;
      return Index(env);
    }
    bool corrupt = rc == MDB_INVALID || rc == MDB_CORRUPTED || rc == MDB_VERSION_MISMATCH ||
                   rc == MDB_PANIC || rc == MDB_BAD_TXN;
    if (!corrupt || attempt > 0) return lmdb_error("open index", path, rc);
    // A derived file: throw it away and rebuild from the Maildir.
    env.reset();
    ::unlink(path.c_str());
    ::unlink((path.string() + "-lock").c_str());
  }
}

Index::Index(Index&&) noexcept = default;
Index& Index::operator=(Index&&) noexcept = default;
Index::~Index() {
  if (!env_) return;
  // Drop the registry entry with the last user, under the registry's lock.
  Registry& reg = registry();
  std::lock_guard lock(reg.mutex);
  std::string key = env_->path.string();
  env_.reset();
  if (auto it = reg.envs.find(key); it != reg.envs.end() && it->second.expired())
    reg.envs.erase(it);
}

namespace {

Result<IndexMeta> read_meta(const Index::Env& env, MDB_txn* txn) {
  MDB_val k = val("m"), v;
  IndexMeta m;
  int rc = mdb_get(txn, env.meta, &k, &v);
  if (rc == MDB_NOTFOUND) return m;
  if (rc != 0) return lmdb_error("read index", env.path, rc);
  Unpacker u(view(v));
  if (u.u32() != kFormat) return IndexMeta{};  // another format: rebuilt by the caller
  m.uid_validity = u.u32();
  m.uid_next = u.u32();
  m.highest_modseq = u.u64();
  m.first_recent_uid = u.u32();
  m.vanished_floor = u.u64();
  m.new_dir = unpack_stamp(u);
  m.cur_dir = unpack_stamp(u);
  m.uidlist = unpack_stamp(u);
  m.keywords = unpack_stamp(u);
  m.cur_verify_at = static_cast<int64_t>(u.u64());
  m.new_verify_at = static_cast<int64_t>(u.u64());
  if (!u.ok()) return IndexMeta{};
  return m;
}

// A stored record (key: big-endian uid; value: the fields in put_record's order). The
// filename views LMDB's memory.
bool decode_record(const MDB_val& k, const MDB_val& v, IndexRecordView* rec) {
  Unpacker key(view(k)), u(view(v));
  rec->uid = key.u32();
  rec->modseq = u.u64();
  rec->size = u.u64();
  rec->vsize = u.u64();
  rec->date = static_cast<int64_t>(u.u64());
  rec->system = u.u8();
  rec->keywords = u.u32();
  rec->in_new = u.u8() != 0;
  rec->filename = u.str_view();
  return u.ok() && key.ok();
}

}  // namespace

IndexRecord to_record(const IndexRecordView& v) {
  IndexRecord r;
  r.uid = v.uid;
  r.modseq = v.modseq;
  r.size = v.size;
  r.vsize = v.vsize;
  r.date = v.date;
  r.system = v.system;
  r.keywords = v.keywords;
  r.in_new = v.in_new;
  r.filename = std::string(v.filename);
  return r;
}

Result<IndexMeta> Index::meta() const {
  ReadTxn r;
  int rc = mdb_txn_begin(env_->env, nullptr, MDB_RDONLY, &r.txn);
  if (rc != 0) return lmdb_error("read index", env_->path, rc);
  return read_meta(*env_, r.txn);
}

Status Index::for_each_record(const std::function<void(const IndexRecordView&)>& fn,
                              uint32_t first_uid) const {
  ReadTxn r;
  int rc = mdb_txn_begin(env_->env, nullptr, MDB_RDONLY, &r.txn);
  if (rc != 0) return lmdb_error("read index", env_->path, rc);
  MDB_cursor* cur = nullptr;
  if ((rc = mdb_cursor_open(r.txn, env_->msg, &cur)) != 0)
    return lmdb_error("read index", env_->path, rc);
  std::string start = uid_key(first_uid);
  MDB_val k = val(start), v;
  for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    IndexRecordView rec;
    if (!decode_record(k, v, &rec)) {
      mdb_cursor_close(cur);
      return Error{"index " + env_->path.string() + ": corrupt record"};
    }
    fn(rec);
  }
  mdb_cursor_close(cur);
  if (rc != MDB_NOTFOUND) return lmdb_error("read index", env_->path, rc);
  return {};
}

Result<std::vector<IndexRecord>> Index::records() const {
  ReadTxn r;
  int rc = mdb_txn_begin(env_->env, nullptr, MDB_RDONLY, &r.txn);
  if (rc != 0) return lmdb_error("read index", env_->path, rc);
  MDB_cursor* cur = nullptr;
  if ((rc = mdb_cursor_open(r.txn, env_->msg, &cur)) != 0)
    return lmdb_error("read index", env_->path, rc);
  std::vector<IndexRecord> out;
  MDB_stat st{};
  if (mdb_stat(r.txn, env_->msg, &st) == 0) out.reserve(st.ms_entries);
  MDB_val k, v;
  for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    IndexRecordView rec;
    if (!decode_record(k, v, &rec)) {
      mdb_cursor_close(cur);
      return Error{"index " + env_->path.string() + ": corrupt record"};
    }
    out.push_back(to_record(rec));
  }
  mdb_cursor_close(cur);
  if (rc != MDB_NOTFOUND) return lmdb_error("read index", env_->path, rc);
  return out;
}

Status Index::changes_since(uint64_t modseq, IndexMeta* meta,
                            const std::function<void(const IndexRecordView&)>& changed,
                            const std::function<void(uint32_t uid)>& vanished) const {
  ReadTxn r;
  int rc = mdb_txn_begin(env_->env, nullptr, MDB_RDONLY, &r.txn);
  if (rc != 0) return lmdb_error("read index", env_->path, rc);
  auto m = read_meta(*env_, r.txn);
  if (!m) return m.error();
  *meta = *m;
  Packer start;
  start.u64(modseq + 1);
  std::string start_key = std::move(start.bytes());
  for (MDB_dbi dbi : {env_->bymodseq, env_->vanished}) {
    MDB_cursor* cur = nullptr;
    if ((rc = mdb_cursor_open(r.txn, dbi, &cur)) != 0)
      return lmdb_error("read index", env_->path, rc);
    MDB_val k = val(start_key), v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
      Unpacker u(view(k));
      u.u64();
      uint32_t uid = u.u32();
      if (dbi == env_->vanished) {
        vanished(uid);
        continue;
      }
      std::string key = uid_key(uid);
      MDB_val rk = val(key), rv;
      IndexRecordView rec;
      if (mdb_get(r.txn, env_->msg, &rk, &rv) != 0 || !decode_record(rk, rv, &rec)) {
        mdb_cursor_close(cur);
        return Error{"index " + env_->path.string() + ": modseq entry without its record"};
      }
      changed(rec);
    }
    mdb_cursor_close(cur);
    if (rc != MDB_NOTFOUND) return lmdb_error("read index", env_->path, rc);
  }
  return {};
}

Result<std::optional<std::string>> Index::cache_get(uint32_t uid, std::string_view field) const {
  ReadTxn r;
  int rc = mdb_txn_begin(env_->env, nullptr, MDB_RDONLY, &r.txn);
  if (rc != 0) return lmdb_error("read index", env_->path, rc);
  std::string key = uid_key(uid) + std::string(field);
  MDB_val k = val(key), v;
  rc = mdb_get(r.txn, env_->cache_for(field), &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::string>();
  if (rc != 0) return lmdb_error("read index cache", env_->path, rc);
  return std::optional<std::string>(std::string(view(v)));
}

Result<std::vector<uint32_t>> Index::vanished_since(uint64_t modseq) const {
  ReadTxn r;
  int rc = mdb_txn_begin(env_->env, nullptr, MDB_RDONLY, &r.txn);
  if (rc != 0) return lmdb_error("read index", env_->path, rc);
  MDB_cursor* cur = nullptr;
  if ((rc = mdb_cursor_open(r.txn, env_->vanished, &cur)) != 0)
    return lmdb_error("read index", env_->path, rc);
  Packer start;
  start.u64(modseq + 1);
  std::string start_key = std::move(start.bytes());
  MDB_val k = val(start_key), v;
  std::vector<uint32_t> out;
  for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    Unpacker u(view(k));
    u.u64();
    out.push_back(u.u32());
  }
  mdb_cursor_close(cur);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<Index::Reader> Index::read() const {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_->env, nullptr, MDB_RDONLY, &txn);
  if (rc != 0) return lmdb_error("read index", env_->path, rc);
  return Reader(env_.get(), txn);
}

Index::Reader::Reader(Reader&& o) noexcept
    : env_(o.env_), txn_(o.txn_), cursor_(o.cursor_), positioned_(o.positioned_) {
  o.txn_ = nullptr;
  o.cursor_ = nullptr;
}
Index::Reader::~Reader() {
  if (cursor_) mdb_cursor_close(static_cast<MDB_cursor*>(cursor_));
  if (txn_) mdb_txn_abort(static_cast<MDB_txn*>(txn_));
}

Result<std::optional<std::string_view>> Index::Reader::cache_get(uint32_t uid,
                                                                 std::string_view field) const {
  char key[64];
  if (field.size() > sizeof key - 4) return Error{"cache field name too long"};
  for (int i = 0; i < 4; ++i) key[i] = static_cast<char>(uid >> (8 * (3 - i)));
  std::memcpy(key + 4, field.data(), field.size());
  MDB_val k{4 + field.size(), key}, v;
  auto* txn = static_cast<MDB_txn*>(txn_);
  if (env_->cache_for(field) != env_->cache) {
    int rc = mdb_get(txn, env_->cache_for(field), &k, &v);
    if (rc == MDB_NOTFOUND) return std::optional<std::string_view>();
    if (rc != 0) return lmdb_error("read index cache", env_->path, rc);
    return std::optional<std::string_view>(view(v));
  }
  if (cursor_ == nullptr) {
    MDB_cursor* cur = nullptr;
    if (int rc = mdb_cursor_open(txn, env_->cache, &cur); rc != 0)
      return lmdb_error("read index cache", env_->path, rc);
    cursor_ = cur;
  }
  auto* cur = static_cast<MDB_cursor*>(cursor_);
  // A few steps on from the last key: FETCH 1:* asks for one field of each message in
  // turn, and the small-field cache holds two per message in key order.
  if (positioned_) {
    MDB_val at, data;
    int rc = mdb_cursor_get(cur, &at, &data, MDB_GET_CURRENT);
    for (int step = 0; rc == 0 && step < 8; ++step) {
      int order = mdb_cmp(txn, env_->cache, &at, &k);
      if (order == 0) return std::optional<std::string_view>(view(data));
      if (order > 0) {
        if (step == 0) break;                      // behind us: search from the root
        return std::optional<std::string_view>();  // walked past it: not cached
      }
      rc = mdb_cursor_get(cur, &at, &data, MDB_NEXT);
    }
  }
  int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY);
  positioned_ = rc == 0;
  if (rc == MDB_NOTFOUND) return std::optional<std::string_view>();
  if (rc != 0) return lmdb_error("read index cache", env_->path, rc);
  return std::optional<std::string_view>(view(v));
}

Result<Index::Writer> Index::write() {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_->env, nullptr, 0, &txn);
  if (rc != 0) return lmdb_error("write index", env_->path, rc);
  return Writer(env_.get(), txn);
}

Index::Writer::Writer(Writer&& o) noexcept : env_(o.env_), txn_(o.txn_) {
  o.txn_ = nullptr;
}
Index::Writer::~Writer() {
  if (txn_) mdb_txn_abort(static_cast<MDB_txn*>(txn_));
}

namespace {
Status put(Index::Env* env, void* txn, MDB_dbi dbi, std::string_view key, std::string_view value) {
  MDB_val k = val(key), v = val(value);
  int rc = mdb_put(static_cast<MDB_txn*>(txn), dbi, &k, &v, 0);
  if (rc != 0) return lmdb_error("write index", env->path, rc);
  return {};
}
}  // namespace

Status Index::Writer::put_meta(const IndexMeta& m) {
  Packer p;
  p.u32(kFormat);
  p.u32(m.uid_validity);
  p.u32(m.uid_next);
  p.u64(m.highest_modseq);
  p.u32(m.first_recent_uid);
  p.u64(m.vanished_floor);
  pack_stamp(p, m.new_dir);
  pack_stamp(p, m.cur_dir);
  pack_stamp(p, m.uidlist);
  pack_stamp(p, m.keywords);
  p.u64(static_cast<uint64_t>(m.cur_verify_at));
  p.u64(static_cast<uint64_t>(m.new_verify_at));
  return put(env_, txn_, env_->meta, "m", p.bytes());
}

Result<IndexMeta> Index::Writer::meta() const {
  return read_meta(*env_, static_cast<MDB_txn*>(txn_));
}

Result<std::optional<IndexRecord>> Index::Writer::record(uint32_t uid) const {
  std::string key = uid_key(uid);
  MDB_val k = val(key), v;
  int rc = mdb_get(static_cast<MDB_txn*>(txn_), env_->msg, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<IndexRecord>();
  if (rc != 0) return lmdb_error("read index", env_->path, rc);
  IndexRecordView rec;
  if (!decode_record(k, v, &rec)) return Error{"index " + env_->path.string() + ": corrupt record"};
  return std::optional<IndexRecord>(to_record(rec));
}

namespace {
std::string modseq_key(uint64_t modseq, uint32_t uid) {
  Packer p;
  p.u64(modseq);
  p.u32(uid);
  return std::move(p.bytes());
}
}  // namespace

// Removes the bymodseq entry of the stored record `uid`, if any.
Status Index::Writer::forget_modseq(uint32_t uid, uint64_t unless_modseq) {
  auto old = record(uid);
  if (!old) return old.error();
  if (!*old || (*old)->modseq == unless_modseq) return {};
  std::string key = modseq_key((*old)->modseq, uid);
  MDB_val k = val(key);
  int rc = mdb_del(static_cast<MDB_txn*>(txn_), env_->bymodseq, &k, nullptr);
  if (rc != 0 && rc != MDB_NOTFOUND) return lmdb_error("write index", env_->path, rc);
  return {};
}

Status Index::Writer::put_record(const IndexRecord& r) {
  if (Status s = forget_modseq(r.uid, r.modseq); !s) return s;
  if (Status s = put(env_, txn_, env_->bymodseq, modseq_key(r.modseq, r.uid), ""); !s) return s;
  Packer p;
  p.u64(r.modseq);
  p.u64(r.size);
  p.u64(r.vsize);
  p.u64(static_cast<uint64_t>(r.date));
  p.u8(r.system);
  p.u32(r.keywords);
  p.u8(r.in_new ? 1 : 0);
  p.str(r.filename);
  return put(env_, txn_, env_->msg, uid_key(r.uid), p.bytes());
}

Status Index::Writer::delete_record(uint32_t uid) {
  if (Status s = forget_modseq(uid, 0); !s) return s;
  auto* txn = static_cast<MDB_txn*>(txn_);
  std::string key = uid_key(uid);
  MDB_val k = val(key);
  int rc = mdb_del(txn, env_->msg, &k, nullptr);
  if (rc != 0 && rc != MDB_NOTFOUND) return lmdb_error("write index", env_->path, rc);
  // Cache entries of the uid: the keys that start with it, in both cache databases.
  for (MDB_dbi dbi : {env_->cache, env_->cache_big}) {
    MDB_cursor* cur = nullptr;
    if ((rc = mdb_cursor_open(txn, dbi, &cur)) != 0)
      return lmdb_error("write index", env_->path, rc);
    MDB_val ck = val(key), cv;
    for (rc = mdb_cursor_get(cur, &ck, &cv, MDB_SET_RANGE); rc == 0 && view(ck).substr(0, 4) == key;
         rc = mdb_cursor_get(cur, &ck, &cv, MDB_NEXT))
      if ((rc = mdb_cursor_del(cur, 0)) != 0) break;
    mdb_cursor_close(cur);
    if (rc != 0 && rc != MDB_NOTFOUND) return lmdb_error("write index", env_->path, rc);
  }
  return {};
}

Status Index::Writer::add_vanished(uint64_t modseq, uint32_t uid) {
  Packer p;
  p.u64(modseq);
  p.u32(uid);
  return put(env_, txn_, env_->vanished, p.bytes(), "");
}

Status Index::Writer::cache_put(uint32_t uid, std::string_view field, std::string_view value) {
  return put(env_, txn_, env_->cache_for(field), uid_key(uid) + std::string(field), value);
}

Status Index::Writer::clear() {
  auto* txn = static_cast<MDB_txn*>(txn_);
  for (MDB_dbi dbi :
       {env_->meta, env_->msg, env_->cache, env_->cache_big, env_->vanished, env_->bymodseq})
    if (int rc = mdb_drop(txn, dbi, 0); rc != 0) return lmdb_error("clear index", env_->path, rc);
  return {};
}

Status Index::Writer::commit() {
  int rc = mdb_txn_commit(static_cast<MDB_txn*>(txn_));
  txn_ = nullptr;
  if (rc != 0) return lmdb_error("commit index", env_->path, rc);
  return {};
}

}  // namespace correio::mailbox::detail
