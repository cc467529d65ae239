// Writing a new queue file into incoming/ and committing it (see the header).
#include "queue/queue_file_writer.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <ctime>

#include "queue/queue_directories.hpp"
#include "queue/queue_file_format.hpp"
#include "queue/queue_id.hpp"
#include "queue/record.hpp"
#include "queue/recycle_pool.hpp"

namespace correio::queue {
namespace {

std::atomic<uint64_t> temp_counter{0};

uint32_t current_microseconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint32_t>(ts.tv_nsec / 1000);
}

// Renames without replacing: an existing file of that name is never overwritten.
int rename_noreplace(int dirfd, const char* from, const char* to) {
  int rc = ::renameat2(dirfd, from, dirfd, to, RENAME_NOREPLACE);
  if (rc != 0 && errno == EINVAL) {  // file system without RENAME_NOREPLACE
    if (::linkat(dirfd, from, dirfd, to, 0) != 0) return -1;
    return ::unlinkat(dirfd, from, 0);
  }
  return rc;
}

// A file from `pool` renamed to `path`, ready to be written over from its start (its old
// size goes to `*old_size`); an invalid descriptor when the pool has none (or what it gave
// is unusable). The old bytes are overwritten in place, not truncated first: the blocks
// stay allocated and, when the new message has the old one's size, the inode does not
// change at all, so fdatasync writes the data blocks only. write_end() cuts off any rest.
base::Fd take_from_pool(RecyclePool& pool, const std::filesystem::path& path, uint64_t* old_size) {
  if (!pool.take(path)) return {};
  base::Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
  struct stat st {};
  // Only a plain file of ours with no other name is reused; anything else is dropped.
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
      st.st_uid != ::geteuid() || ::fchmod(fd.get(), 0600) != 0) {
    ::unlink(path.c_str());
    return {};
  }
  *old_size = static_cast<uint64_t>(st.st_size);
  return fd;
}

}  // namespace

Result<QueueFileWriter> QueueFileWriter::create(const std::filesystem::path& queue_directory,
                                                const Envelope& envelope, RecyclePool* pool) {
  QueueFileWriter w;
  w.incoming_ = queue_directory / queue_name(QueueName::incoming);
  w.hold_ = queue_directory / queue_name(QueueName::hold);
  w.directory_ = w.incoming_;
  // The temporary name is no queue ID (lowercase, dots), so nothing mistakes it for a
  // finished message, and recovery removes it.
  for (int attempt = 0; w.fd_.get() < 0; ++attempt) {
    w.temp_name_ = fmt::format("tmp.{}.{}", ::getpid(), temp_counter.fetch_add(1));
    std::filesystem::path p = w.incoming_ / w.temp_name_;
    if (pool && attempt == 0) {
      w.fd_ = take_from_pool(*pool, p, &w.reused_size_);
      if (w.fd_.get() >= 0) break;
    }
    w.fd_.reset(::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (w.fd_.get() < 0 && (errno != EEXIST || attempt > 100))
      return base::errno_error("create queue file in " + w.incoming_.string(), errno);
  }
  w.state_ = State::writing;
  // Held until the descriptor closes: tells recovery this file has a live writer.
  if (::flock(w.fd_.get(), LOCK_EX | LOCK_NB) != 0)
    return w.fail(base::errno_error("lock queue file", errno)).error();
  struct stat st {};
  if (::fstat(w.fd_.get(), &st) != 0)
    return w.fail(base::errno_error("fstat queue file", errno)).error();
  w.id_ = make_queue_id(current_microseconds(), st.st_ino);
  // The ID goes into the file too: a reused file that still holds its old message after
  // a crash is told apart by it (recovery.cpp).
  auto header = encode_envelope(envelope, w.id_);
  if (!header) return w.fail(header.error()).error();
  if (auto s = base::errno_status(base::write_all(w.fd_.get(), *header), "write queue file"); !s)
    return w.fail(s).error();
  w.file_offset_ = header->size();
  w.chunk_.reserve(kMaxRecordData);
  return w;
}

QueueFileWriter::QueueFileWriter(QueueFileWriter&& o) noexcept {
  *this = std::move(o);
}

QueueFileWriter& QueueFileWriter::operator=(QueueFileWriter&& o) noexcept {
  if (this == &o) return *this;
  abandon();
  fd_ = std::move(o.fd_);
  state_ = o.state_;
  error_ = std::move(o.error_);
  incoming_ = std::move(o.incoming_);
  hold_ = std::move(o.hold_);
  directory_ = std::move(o.directory_);
  extracted_ = std::move(o.extracted_);
  filter_ = std::move(o.filter_);
  temp_name_ = std::move(o.temp_name_);
  id_ = std::move(o.id_);
  chunk_ = std::move(o.chunk_);
  content_size_ = o.content_size_;
  file_offset_ = o.file_offset_;
  reused_size_ = o.reused_size_;
  o.state_ = State::gone;
  return *this;
}

QueueFileWriter::~QueueFileWriter() {
  abandon();
}

void QueueFileWriter::abandon() {
  if (state_ != State::finished && state_ != State::failed && state_ != State::gone) {
    // Best effort: a leftover file is removed again by recover() (it is not 0700).
    ::unlink(((state_ == State::writing ? incoming_ : directory_) / current_name()).c_str());
    state_ = State::gone;
  }
  fd_.reset();
}

const std::string& QueueFileWriter::current_name() const {
  return state_ == State::writing ? temp_name_ : id_;
}

Status QueueFileWriter::fail(Status status) {
  abandon();
  error_ = status.error();
  state_ = State::failed;
  return status;
}

Status QueueFileWriter::flush_chunk() {
  if (chunk_.empty()) return {};
  std::string header(1, static_cast<char>(RecordType::content));
  append_u32(header, static_cast<uint32_t>(chunk_.size()));
  // One writev per record: the 64 KiB chunk is not copied behind its header.
  if (auto s = base::errno_status(base::write_all(fd_.get(), header, chunk_), "write queue file");
      !s)
    return fail(s);
  file_offset_ += header.size() + chunk_.size();
  chunk_.clear();
  return {};
}

Status QueueFileWriter::append_content(std::string_view bytes) {
  if (state_ == State::failed) return error_;
  if (state_ != State::writing) return Error{"queue file is not open for writing"};
  while (!bytes.empty()) {
    size_t room = kMaxRecordData - chunk_.size();
    std::string_view part = bytes.substr(0, room);
    chunk_.append(part);
    bytes.remove_prefix(part.size());
    content_size_ += part.size();
    if (chunk_.size() == kMaxRecordData)
      if (auto s = flush_chunk(); !s) return s;
  }
  return {};
}

Status QueueFileWriter::set_extracted(const std::vector<Recipient>& recipients, bool replace,
                                      std::string_view rejected) {
  auto records = encode_extracted(recipients, replace, rejected);
  if (!records) return records.error();
  extracted_ = std::move(*records);
  return {};
}

Status QueueFileWriter::rewrite_envelope(const Envelope& envelope) {
  if (state_ == State::failed) return error_;
  if (state_ != State::writing || content_size_ != 0)
    return Error{"queue file envelope can only be replaced before the content"};
  auto header = encode_envelope(envelope, id_);
  if (!header) return header.error();
  if (::lseek(fd_.get(), 0, SEEK_SET) != 0)
    return fail(base::errno_error("seek queue file", errno));
  if (auto s = base::errno_status(base::write_all(fd_.get(), *header), "write queue file"); !s)
    return fail(s);
  // A shorter envelope leaves old bytes behind it: write_end() cuts the file at its end.
  reused_size_ = std::max(reused_size_, file_offset_);
  file_offset_ = header->size();
  return {};
}

Status QueueFileWriter::set_filter(std::string_view filter) {
  std::string record;
  if (auto st = append_filter_record(record, filter); !st) return st;
  filter_ = std::move(record);
  return {};
}

Status QueueFileWriter::write_end() {
  if (state_ == State::failed) return error_;
  if (state_ != State::writing) return Error{"queue file is not open for writing"};
  if (auto s = flush_chunk(); !s) return s;
  if (!extracted_.empty()) {
    if (auto s = base::errno_status(base::write_all(fd_.get(), extracted_), "write queue file"); !s)
      return fail(s);
    file_offset_ += extracted_.size();
  }
  if (!filter_.empty()) {
    if (auto s = base::errno_status(base::write_all(fd_.get(), filter_), "write queue file"); !s)
      return fail(s);
    file_offset_ += filter_.size();
  }
  std::string size;
  append_u64(size, content_size_);
  auto offset = static_cast<off_t>(size_record_data_offset());
  if (auto s = base::errno_status(base::pwrite_all(fd_.get(), size, offset), "write queue file");
      !s)
    return fail(s);
  std::string end;
  append_end_record(end, file_offset_);
  if (auto s = base::errno_status(base::write_all(fd_.get(), end), "write queue file"); !s)
    return fail(s);
  file_offset_ += end.size();
  // A reused file may hold more of its old message: the end record must be the last.
  if (reused_size_ > file_offset_ && ::ftruncate(fd_.get(), static_cast<off_t>(file_offset_)) != 0)
    return fail(base::errno_error("truncate queue file", errno));
  // Start writing the data back now; sync_data() waits for it. In a batch this puts
  // every file's blocks and rename into one journal transaction, so the first
  // fdatasync commits it for all of them and the directory fsync finds little to do.
  ::sync_file_range(fd_.get(), 0, 0, SYNC_FILE_RANGE_WRITE);
  // Full paths rather than a directory descriptor: no open/close per message.
  if (rename_noreplace(AT_FDCWD, (incoming_ / temp_name_).c_str(), (directory_ / id_).c_str()) != 0)
    return fail(base::errno_error("rename queue file to " + id_, errno));
  state_ = State::ended;
  return {};
}

Status QueueFileWriter::sync_data() {
  if (state_ == State::failed) return error_;
  if (state_ != State::ended) return Error{"queue file has no end record yet"};
  if (auto s = base::errno_status(base::fdatasync_fd(fd_.get()), "fdatasync queue file"); !s)
    return fail(s);
  state_ = State::synced;
  return {};
}

Status QueueFileWriter::mark_complete() {
  if (state_ == State::failed) return error_;
  if (state_ == State::finished) return {};
  if (state_ != State::synced) return Error{"queue file is not synced yet"};
  // Postfix's "complete" mark, set only once data and name are synced: a 0700 file
  // that fails to parse is corrupt, never merely unfinished; qmgr skips files that
  // are not 0700 yet. fdatasync does not persist it: the end record is what counts.
  if (::fchmod(fd_.get(), 0700) != 0) return fail(base::errno_error("fchmod queue file", errno));
  state_ = State::finished;
  fd_.reset();
  return {};
}

Status QueueFileWriter::commit() {
  if (state_ == State::finished) return {};
  if (auto s = write_end(); !s) return s;
  if (auto s = sync_data(); !s) return s;
  if (auto s =
          base::errno_status(base::fsync_directory(directory_), "fsync " + directory_.string());
      !s)
    return fail(s);
  return mark_complete();
}

}  // namespace correio::queue
