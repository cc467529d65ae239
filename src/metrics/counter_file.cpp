// Counter files (see counter_file.hpp): the layout, claiming a record, reading them all.
#include "metrics/counter_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace correio::metrics {

namespace {
constexpr char kMagic[8] = {'C', 'O', 'R', 'M', 'E', 'T', '0', '1'};
}

struct CounterFile::Header {
  char magic[8];
  uint32_t capacity;
  uint32_t used;  // records published; only ever grows, written under flock
  char pad[240];
};

struct CounterFile::Record {
  char name[kNameSize];
  char labels[kLabelsSize];
  uint64_t value;
};

namespace {

constexpr size_t kFileSize = 256 * (1 + CounterFile::kCapacity);

// flock() held for one scope; the lock is advisory and only claims take it.
class FileLock {
 public:
  explicit FileLock(int fd) : fd_(fd) {
    while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
    }
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock() { ::flock(fd_, LOCK_UN); }

 private:
  int fd_;
};

std::string_view field(const char* text, size_t size) {
  return {text, ::strnlen(text, size)};
}

}  // namespace

CounterFile::CounterFile(std::filesystem::path path, base::Fd fd, void* map)
    : path_(std::move(path)), fd_(std::move(fd)), map_(map) {}

CounterFile::CounterFile(CounterFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::move(other.fd_)), map_(other.map_) {
  other.map_ = nullptr;
}

CounterFile& CounterFile::operator=(CounterFile&& other) noexcept {
  if (this != &other) {
    if (map_) ::munmap(map_, kFileSize);
    path_ = std::move(other.path_);
    fd_ = std::move(other.fd_);
    map_ = other.map_;
    other.map_ = nullptr;
  }
  return *this;
}

CounterFile::~CounterFile() {
  if (map_) ::munmap(map_, kFileSize);
}

CounterFile::Header& CounterFile::header() const {
  return *static_cast<Header*>(map_);
}

CounterFile::Record& CounterFile::record(uint32_t index) const {
  return static_cast<Record*>(map_)[1 + index];
}

Result<CounterFile> CounterFile::open(const std::filesystem::path& path) {
  static_assert(sizeof(Record) == 256, "records are 256 bytes");
  static_assert(sizeof(Header) == 256, "the header is one record long");
  base::Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) return base::errno_error("cannot open " + path.string(), errno);
  {
    FileLock lock(fd.get());
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return base::errno_error("fstat " + path.string(), errno);
    if (st.st_size == 0) {
      // A new file: the header first, then the size, so a reader that finds a whole-size
      // file also finds the magic (both happen under the lock the reader does not take,
      // but a reader checks the size and the magic and skips what is not yet valid).
      Header h{};
      std::memcpy(h.magic, kMagic, sizeof kMagic);
      h.capacity = kCapacity;
      h.used = 0;
      if (int err = base::pwrite_all(fd.get(), {reinterpret_cast<const char*>(&h), sizeof h}, 0))
        return base::errno_error("cannot write " + path.string(), err);
      if (::ftruncate(fd.get(), kFileSize) != 0)
        return base::errno_error("cannot size " + path.string(), errno);
      // The umask must not hide root's files from the exporter.
      if (::fchmod(fd.get(), 0644) != 0)
        return base::errno_error("cannot chmod " + path.string(), errno);
    } else if (static_cast<size_t>(st.st_size) != kFileSize) {
      return Error{path.string() + ": not a Correio counter file (size " +
                   std::to_string(st.st_size) + ")"};
    }
  }
  void* map = ::mmap(nullptr, kFileSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (map == MAP_FAILED) return base::errno_error("cannot map " + path.string(), errno);
  CounterFile file(path, std::move(fd), map);
  if (std::memcmp(file.header().magic, kMagic, sizeof kMagic) != 0 ||
      file.header().capacity != kCapacity)
    return Error{path.string() + ": not a Correio counter file (bad header)"};
  return file;
}

Result<uint64_t*> CounterFile::value(std::string_view name, std::string_view labels) {
  if (name.empty() || name.size() >= kNameSize || labels.size() >= kLabelsSize)
    return Error{"metric name or labels too long: " + std::string(name) + "{" +
                 std::string(labels) + "}"};
  FileLock lock(fd_.get());
  std::atomic_ref<uint32_t> used(header().used);
  uint32_t count = used.load(std::memory_order_acquire);
  for (uint32_t i = 0; i < count; ++i) {
    Record& r = record(i);
    if (field(r.name, kNameSize) == name && field(r.labels, kLabelsSize) == labels) return &r.value;
  }
  if (count >= kCapacity) return Error{path_.string() + ": no room for another metric"};
  Record& r = record(count);
  std::memset(&r, 0, sizeof r);
  std::memcpy(r.name, name.data(), name.size());
  std::memcpy(r.labels, labels.data(), labels.size());
  // Publish: readers load `used` with acquire and then see the record whole.
  used.store(count + 1, std::memory_order_release);
  return &r.value;
}

std::vector<Sample> CounterFile::samples() const {
  std::vector<Sample> out;
  uint32_t count = std::atomic_ref<uint32_t>(header().used).load(std::memory_order_acquire);
  if (count > kCapacity) count = kCapacity;
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    const Record& r = record(i);
    out.push_back({std::string(field(r.name, kNameSize)), std::string(field(r.labels, kLabelsSize)),
                   std::atomic_ref<uint64_t>(const_cast<uint64_t&>(r.value))
                       .load(std::memory_order_relaxed)});
  }
  return out;
}

Result<std::vector<Sample>> read_counter_file(const std::filesystem::path& path) {
  base::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return base::errno_error("cannot open " + path.string(), errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return base::errno_error("fstat " + path.string(), errno);
  if (static_cast<size_t>(st.st_size) != kFileSize)
    return Error{path.string() + ": not a Correio counter file"};
  void* map = ::mmap(nullptr, kFileSize, PROT_READ, MAP_SHARED, fd.get(), 0);
  if (map == MAP_FAILED) return base::errno_error("cannot map " + path.string(), errno);
  // Only to read: a CounterFile over a read-only mapping never claims a record.
  CounterFile file(path, std::move(fd), map);
  if (std::memcmp(file.header().magic, kMagic, sizeof kMagic) != 0)
    return Error{path.string() + ": not a Correio counter file (bad header)"};
  return file.samples();
}

}  // namespace correio::metrics
