// hash: and lmdb: tables: LMDB files opened without a lock file (MDB_NOLOCK) because a
// table is never written in place — postmap renames a new file over the old one — and
// readers reopen when the file at the path is no longer the one they have open.
#include "maps/lmdb_map.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <lmdb.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "maps/detail/map_types.hpp"
#include "maps/key_fold.hpp"

namespace correio::maps {
namespace {

constexpr unsigned kOpenFlags = MDB_NOSUBDIR | MDB_NOLOCK;

std::string mdb_text(int rc) {
  return mdb_strerror(rc);
}

// One open environment; closes it on destruction. A reader also keeps one read-only
// transaction and a cursor on it (open_reader()), closed before the environment.
struct Env {
  MDB_env* env = nullptr;
  MDB_dbi dbi = 0;
  MDB_txn* txn = nullptr;
  MDB_cursor* cursor = nullptr;
  Env() = default;
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;
  ~Env() {
    if (cursor) mdb_cursor_close(cursor);
    if (txn) mdb_txn_abort(txn);
    if (env) mdb_env_close(env);
  }
};

Result<std::unique_ptr<Env>> open_env(const std::string& path, unsigned flags, size_t map_size) {
  auto e = std::make_unique<Env>();
  int rc = mdb_env_create(&e->env);
  if (rc == 0 && map_size) rc = mdb_env_set_mapsize(e->env, map_size);
  if (rc == 0) rc = mdb_env_open(e->env, path.c_str(), kOpenFlags | flags, 0644);
  if (rc != 0) return Error{fmt::format("open database {}: {}", path, mdb_text(rc))};
  return e;
}

std::string_view without_nul(MDB_val v) {
  std::string_view s(static_cast<const char*>(v.mv_data), v.mv_size);
  if (!s.empty() && s.back() == '\0') s.remove_suffix(1);
  return s;
}

class LmdbMap final : public Map {
 public:
  LmdbMap(std::string type, std::string name, std::string path, bool fold, bool utf8)
      : type_(std::move(type)),
        name_(std::move(name)),
        path_(std::move(path)),
        fold_(fold),
        utf8_(utf8) {}

  Status open() {
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0)
      return Error{fmt::format("open database {}: {}", path_, std::strerror(errno))};
    auto env = open_env(path_, MDB_RDONLY, 0);
    if (!env) return env.error();
    // The read transaction lives as long as the environment and is renewed when the
    // file is looked at (lookup()): a begin/abort per lookup cost more than the search.
    Env& e = **env;
    int rc = mdb_txn_begin(e.env, nullptr, MDB_RDONLY, &e.txn);
    if (rc == 0) rc = mdb_dbi_open(e.txn, nullptr, 0, &e.dbi);
    if (rc == 0) rc = mdb_cursor_open(e.txn, e.dbi, &e.cursor);
    if (rc != 0) return Error{fmt::format("open database {}: {}", path_, mdb_text(rc))};
    env_ = std::move(*env);
    dev_ = st.st_dev;
    ino_ = st.st_ino;
    return {};
  }

  Result<std::optional<std::string>> lookup(std::string_view key) override {
    // postmap replaced the file: use the new one (the old stays valid until we close it).
    // Looked at once a second, not per lookup: smtpd's intake must not pay a system call
    // per address (steady_clock is read through the vDSO). The same once a second, the
    // read transaction is renewed, so a file written in place is seen as before.
    auto now = std::chrono::steady_clock::now();
    if (now - checked_ >= std::chrono::seconds(1)) {
      checked_ = now;
      if (auto s = refresh(); !s) return s.error();
    }
    // As postmap folded the keys: Unicode case folding with smtputf8_enable = yes.
    std::string k = fold_key_if(key);
    std::optional<std::string> found;
    int rc = k.empty() ? get_both(k, found) : get_either(k, found);
    if (rc != 0) return Error{fmt::format("{}: lookup failed: {}", spec(), mdb_text(rc))};
    return found;
  }

  Result<std::vector<std::pair<std::string, std::string>>> entries() override {
    return read_lmdb(path_);
  }

  std::string spec() const override { return type_ + ":" + name_; }

 private:
  std::string fold_key_if(std::string_view key) const {
    return fold_ ? fold_key(key, utf8_) : std::string(key);
  }

  // Reopens a replaced file, else renews the read transaction (and its cursor).
  Status refresh() {
    struct stat st {};
    if (::stat(path_.c_str(), &st) == 0 && (st.st_dev != dev_ || st.st_ino != ino_)) return open();
    mdb_txn_reset(env_->txn);
    int rc = mdb_txn_renew(env_->txn);
    if (rc == 0) rc = mdb_cursor_renew(env_->txn, env_->cursor);
    if (rc != 0) return Error{fmt::format("{}: lookup failed: {}", spec(), mdb_text(rc))};
    return {};
  }

  // Postfix may store keys with a trailing NUL (postmap -N); both are accepted, the one
  // without first. One descent finds either: keys sort bytewise, so "k\0", when present,
  // is the first key after "k".
  int get_either(const std::string& k, std::optional<std::string>& found) {
    MDB_val kv{k.size(), const_cast<char*>(k.data())};
    MDB_val vv{};
    int r = mdb_cursor_get(env_->cursor, &kv, &vv, MDB_SET_RANGE);
    if (r == MDB_NOTFOUND) return 0;
    if (r != 0) return r;
    std::string_view at(static_cast<const char*>(kv.mv_data), kv.mv_size);
    bool hit = at == k || (at.size() == k.size() + 1 && at.back() == '\0' && at.starts_with(k));
    if (hit) found = std::string(base::trim_right(without_nul(vv)));
    return 0;
  }

  // The same with two exact searches, for what a cursor refuses (the empty key: LMDB's
  // error, as before).
  int get_both(const std::string& k, std::optional<std::string>& found) {
    for (int nul = 0; nul < 2 && !found; ++nul) {
      MDB_val kv{k.size() + static_cast<size_t>(nul), const_cast<char*>(k.data())};
      MDB_val vv{};
      int r = mdb_get(env_->txn, env_->dbi, &kv, &vv);
      if (r == 0)
        found = std::string(base::trim_right(without_nul(vv)));
      else if (r != MDB_NOTFOUND)
        return r;
    }
    return 0;
  }

  std::string type_, name_, path_;
  bool fold_;
  bool utf8_;
  std::unique_ptr<Env> env_;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  std::chrono::steady_clock::time_point checked_ = std::chrono::steady_clock::now();
};

}  // namespace

std::string lmdb_file(const std::string& name) {
  return name + ".lmdb";
}

Status build_lmdb(const std::string& db_path,
                  const std::vector<std::pair<std::string, std::string>>& entries, int owner_uid,
                  int owner_gid) {
  size_t bytes = 0;
  for (const auto& [k, v] : entries) bytes += k.size() + v.size() + 64;
  std::string tmp = fmt::format("{}.tmp.{}", db_path, ::getpid());
  ::unlink(tmp.c_str());
  Status status;
  {
    auto env = open_env(tmp, MDB_NOSYNC, 4 * bytes + (size_t{1} << 20));
    if (!env) return env.error();
    MDB_txn* txn = nullptr;
    int rc = mdb_txn_begin((*env)->env, nullptr, 0, &txn);
    if (rc == 0) rc = mdb_dbi_open(txn, nullptr, 0, &(*env)->dbi);
    for (size_t i = 0; rc == 0 && i < entries.size(); ++i) {
      const auto& [k, v] = entries[i];
      if (k.empty() || k.size() > static_cast<size_t>(mdb_env_get_maxkeysize((*env)->env))) {
        rc = MDB_BAD_VALSIZE;
        status = Error{fmt::format("{}: bad key length {}: \"{}\"", db_path, k.size(), k)};
        break;
      }
      MDB_val kv{k.size(), const_cast<char*>(k.data())};
      MDB_val vv{v.size(), const_cast<char*>(v.data())};
      rc = mdb_put(txn, (*env)->dbi, &kv, &vv, 0);
    }
    if (rc == 0) {
      rc = mdb_txn_commit(txn);
      txn = nullptr;
    }
    if (txn) mdb_txn_abort(txn);
    if (rc == 0) rc = mdb_env_sync((*env)->env, 1);
    if (rc != 0 && status) status = Error{fmt::format("write database {}: {}", tmp, mdb_text(rc))};
  }
  if (status && owner_uid != -1 && ::chown(tmp.c_str(), owner_uid, owner_gid) != 0)
    status = Error{fmt::format("chown {}: {}", tmp, std::strerror(errno))};
  if (status && ::rename(tmp.c_str(), db_path.c_str()) != 0)
    status = Error{fmt::format("rename {} to {}: {}", tmp, db_path, std::strerror(errno))};
  if (!status) {
    ::unlink(tmp.c_str());
    return status;
  }
  std::filesystem::path dir = std::filesystem::path(db_path).parent_path();
  if (int e = base::fsync_directory(dir); e != 0)
    return base::errno_error("fsync " + (dir.empty() ? std::string(".") : dir.string()), e);
  return {};
}

Result<std::vector<std::pair<std::string, std::string>>> read_lmdb(const std::string& db_path) {
  auto env = open_env(db_path, MDB_RDONLY, 0);
  if (!env) return env.error();
  std::vector<std::pair<std::string, std::string>> out;
  MDB_txn* txn = nullptr;
  MDB_cursor* cursor = nullptr;
  int rc = mdb_txn_begin((*env)->env, nullptr, MDB_RDONLY, &txn);
  if (rc == 0) rc = mdb_dbi_open(txn, nullptr, 0, &(*env)->dbi);
  if (rc == 0) rc = mdb_cursor_open(txn, (*env)->dbi, &cursor);
  MDB_val k{}, v{};
  for (int op = MDB_FIRST; rc == 0; op = MDB_NEXT) {
    rc = mdb_cursor_get(cursor, &k, &v, static_cast<MDB_cursor_op>(op));
    if (rc == 0) out.emplace_back(std::string(without_nul(k)), std::string(without_nul(v)));
  }
  if (cursor) mdb_cursor_close(cursor);
  if (txn) mdb_txn_abort(txn);
  if (rc != MDB_NOTFOUND) return Error{fmt::format("read database {}: {}", db_path, mdb_text(rc))};
  return out;
}

Result<bool> delete_lmdb_key(const std::string& db_path, std::string_view key) {
  auto entries = read_lmdb(db_path);
  if (!entries) return entries.error();
  auto it = std::find_if(entries->begin(), entries->end(),
                         [&](const auto& entry) { return entry.first == key; });
  if (it == entries->end()) return false;
  entries->erase(it);
  struct stat st {};
  if (::stat(db_path.c_str(), &st) != 0) return base::errno_error("stat " + db_path, errno);
  int uid = ::geteuid() == 0 ? static_cast<int>(st.st_uid) : -1;
  int gid = ::geteuid() == 0 ? static_cast<int>(st.st_gid) : -1;
  if (auto s = build_lmdb(db_path, *entries, uid, gid); !s) return s.error();
  return true;
}

namespace detail {

Result<std::unique_ptr<Map>> open_lmdb(std::string_view type, std::string_view name,
                                       const MapOptions& options) {
  if (name.empty()) return Error{fmt::format("{}: missing file name", type)};
  auto map =
      std::make_unique<LmdbMap>(std::string(type), std::string(name), lmdb_file(std::string(name)),
                                options.fold_case, options.utf8);
  if (auto s = map->open(); !s) return s.error();
  return std::unique_ptr<Map>(std::move(map));
}

}  // namespace detail
}  // namespace correio::maps
