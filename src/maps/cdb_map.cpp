// cdb:NAME — a constant database NAME.cdb built by postmap (Postfix's dict_cdb,
// tinycdb's format). Keys are stored without a trailing NUL; lookups also find keys
// stored with one (a file written by Postfix's postmap -N). Readers reopen when the
// file at the path is no longer the one they have open (see cdb_map.hpp).
#include "maps/cdb_map.hpp"

#include <cdb.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/strings.hpp"
#include "maps/detail/map_types.hpp"
#include "maps/key_fold.hpp"

namespace correio::maps {
namespace {

// One open, mapped CDB file.
class CdbFile {
 public:
  CdbFile() = default;
  CdbFile(const CdbFile&) = delete;
  CdbFile& operator=(const CdbFile&) = delete;
  ~CdbFile() { close(); }

  Status open(const std::string& path) {
    close();
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return Error{fmt::format("open database {}: {}", path, std::strerror(errno))};
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || cdb_init(&cdb_, fd_) != 0) {
      Error e{fmt::format("open database {}: not a valid cdb file", path)};
      ::close(fd_);
      fd_ = -1;
      return e;
    }
    dev_ = st.st_dev;
    ino_ = st.st_ino;
    return {};
  }
  bool is_open() const { return fd_ >= 0; }
  bool same_file(const struct stat& st) const { return st.st_dev == dev_ && st.st_ino == ino_; }

  // 1 found (value in *out), 0 not found, -1 corrupt file.
  int find(std::string_view key, std::string* out) {
    int rc = cdb_find(&cdb_, key.data(), static_cast<unsigned>(key.size()));
    if (rc <= 0) return rc < 0 ? -1 : 0;
    const void* data = cdb_getdata(&cdb_);
    if (!data) return -1;
    out->assign(static_cast<const char*>(data), cdb_datalen(&cdb_));
    return 1;
  }

  Result<std::vector<std::pair<std::string, std::string>>> all(const std::string& path) {
    std::vector<std::pair<std::string, std::string>> out;
    unsigned pos;
    cdb_seqinit(&pos, &cdb_);
    int rc;
    while ((rc = cdb_seqnext(&pos, &cdb_)) > 0) {
      const void* k = cdb_getkey(&cdb_);
      const void* v = cdb_getdata(&cdb_);
      if (!k || !v) return Error{fmt::format("read database {}: corrupt", path)};
      std::string key(static_cast<const char*>(k), cdb_keylen(&cdb_));
      if (!key.empty() && key.back() == '\0') key.pop_back();
      std::string value(static_cast<const char*>(v), cdb_datalen(&cdb_));
      if (!value.empty() && value.back() == '\0') value.pop_back();
      out.emplace_back(std::move(key), std::move(value));
    }
    if (rc < 0) return Error{fmt::format("read database {}: corrupt", path)};
    return out;
  }

 private:
  void close() {
    if (fd_ < 0) return;
    cdb_free(&cdb_);
    ::close(fd_);
    fd_ = -1;
  }
  struct cdb cdb_ {};
  int fd_ = -1;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
};

class CdbMap final : public Map {
 public:
  CdbMap(std::string spec, std::string path, bool fold, bool utf8)
      : spec_(std::move(spec)), path_(std::move(path)), fold_(fold), utf8_(utf8) {}

  Status open() { return file_.open(path_); }

  Result<std::optional<std::string>> lookup(std::string_view raw) override {
    // A table rebuilt by postmap is a new file at the same path: switch to it.
    struct stat st {};
    if (::stat(path_.c_str(), &st) == 0 && !file_.same_file(st))
      if (auto s = file_.open(path_); !s) return s.error();
    std::string key = fold_ ? fold_key(raw, utf8_) : std::string(raw);
    std::string value;
    for (int nul = 0; nul < 2; ++nul) {
      std::string k = nul ? key + '\0' : key;
      int rc = file_.find(k, &value);
      if (rc < 0) return Error{fmt::format("read database {}: corrupt", path_)};
      if (rc > 0) {
        if (!value.empty() && value.back() == '\0') value.pop_back();
        return std::optional<std::string>(std::move(value));
      }
    }
    return std::optional<std::string>();
  }
  Result<std::vector<std::pair<std::string, std::string>>> entries() override {
    return file_.all(path_);
  }
  std::string spec() const override { return spec_; }

 private:
  std::string spec_, path_;
  bool fold_;
  bool utf8_;
  CdbFile file_;
};

Status sync_directory_of(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error{fmt::format("open {}: {}", dir, std::strerror(errno))};
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Error{fmt::format("fsync {}: {}", dir, std::strerror(errno))};
  return {};
}

}  // namespace

std::string cdb_file(const std::string& name) {
  return name + ".cdb";
}

Status build_cdb(const std::string& db_path,
                 const std::vector<std::pair<std::string, std::string>>& entries, int owner_uid,
                 int owner_gid) {
  std::string tmp = fmt::format("{}.tmp.{}", db_path, ::getpid());
  int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error{fmt::format("open {}: {}", tmp, std::strerror(errno))};
  struct cdb_make make {};
  Status status;
  if (cdb_make_start(&make, fd) != 0) status = Error{fmt::format("write {}: start", tmp)};
  for (const auto& [k, v] : entries) {
    if (!status) break;
    if (k.empty())
      status = Error{fmt::format("{}: empty key", db_path)};
    else if (cdb_make_add(&make, k.data(), static_cast<unsigned>(k.size()), v.data(),
                          static_cast<unsigned>(v.size())) != 0)
      status = Error{fmt::format("write {}: {}", tmp, std::strerror(errno))};
  }
  if (status && cdb_make_finish(&make) != 0)
    status = Error{fmt::format("write {}: {}", tmp, std::strerror(errno))};
  if (status && ::fsync(fd) != 0)
    status = Error{fmt::format("fsync {}: {}", tmp, std::strerror(errno))};
  ::close(fd);
  if (status && owner_uid != -1 && ::chown(tmp.c_str(), owner_uid, owner_gid) != 0)
    status = Error{fmt::format("chown {}: {}", tmp, std::strerror(errno))};
  if (status && ::rename(tmp.c_str(), db_path.c_str()) != 0)
    status = Error{fmt::format("rename {} to {}: {}", tmp, db_path, std::strerror(errno))};
  if (!status) {
    ::unlink(tmp.c_str());
    return status;
  }
  return sync_directory_of(db_path);
}

Result<std::vector<std::pair<std::string, std::string>>> read_cdb(const std::string& db_path) {
  CdbFile file;
  if (auto s = file.open(db_path); !s) return s.error();
  return file.all(db_path);
}

namespace detail {

Result<std::unique_ptr<Map>> open_cdb(std::string_view name, const MapOptions& options) {
  std::string spec = "cdb:" + std::string(name);
  auto map =
      std::make_unique<CdbMap>(spec, cdb_file(std::string(name)), options.fold_case, options.utf8);
  if (auto s = map->open(); !s) return s.error();
  return std::unique_ptr<Map>(std::move(map));
}

}  // namespace detail
}  // namespace correio::maps
