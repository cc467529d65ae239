// Writing a local submission into maildrop/ (see maildrop_file.hpp).
#include "queue/maildrop_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "queue/queue_file_format.hpp"
#include "queue/record.hpp"

namespace correio::queue {
namespace {

constexpr size_t kNameDigits = 32;

bool all_upper_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

Result<std::string> random_hex() {
  unsigned char bytes[kNameDigits / 2];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return base::errno_error("getrandom", errno);
    got += static_cast<size_t>(n);
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace

bool is_maildrop_name(std::string_view name) {
  return name.size() == kNameDigits && all_upper_hex(name);
}

bool is_maildrop_temp_name(std::string_view name) {
  return name.size() == kNameDigits + 1 && name.front() == 't' && all_upper_hex(name.substr(1));
}

Result<MaildropWriter> MaildropWriter::create(const std::filesystem::path& maildrop_directory,
                                              const Envelope& envelope) {
  auto header = encode_envelope(envelope);
  if (!header) return header.error();
  MaildropWriter w;
  w.directory_ = maildrop_directory;
  for (int attempt = 0; w.fd_.get() < 0; ++attempt) {
    auto name = random_hex();
    if (!name) return name.error();
    w.temp_name_ = "t" + *name;
    std::filesystem::path p = maildrop_directory / w.temp_name_;
    w.fd_.reset(::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (w.fd_.get() < 0 && (errno != EEXIST || attempt > 10))
      return base::errno_error("create file in " + maildrop_directory.string(), errno);
  }
  // Held until sendmail exits: tells postsuper -p that this temporary file is alive.
  if (::flock(w.fd_.get(), LOCK_EX | LOCK_NB) != 0) {
    auto e = base::errno_error("lock maildrop file", errno);
    w.abandon();
    return e;
  }
  if (auto s = base::errno_status(base::write_all(w.fd_.get(), *header), "write maildrop file");
      !s) {
    w.abandon();
    return s.error();
  }
  w.file_offset_ = header->size();
  return w;
}

MaildropWriter::MaildropWriter(MaildropWriter&& o) noexcept {
  *this = std::move(o);
}

MaildropWriter& MaildropWriter::operator=(MaildropWriter&& o) noexcept {
  if (this == &o) return *this;
  abandon();
  fd_ = std::move(o.fd_);
  directory_ = std::move(o.directory_);
  temp_name_ = std::move(o.temp_name_);
  chunk_ = std::move(o.chunk_);
  content_size_ = o.content_size_;
  file_offset_ = o.file_offset_;
  committed_ = o.committed_;
  durability_warning_ = std::move(o.durability_warning_);
  o.temp_name_.clear();
  return *this;
}

MaildropWriter::~MaildropWriter() {
  abandon();
}

void MaildropWriter::abandon() {
  if (!committed_ && !temp_name_.empty()) ::unlink((directory_ / temp_name_).c_str());
  temp_name_.clear();
  fd_.reset();
}

Status MaildropWriter::flush_chunk() {
  if (chunk_.empty()) return {};
  std::string record;
  append_record(record, RecordType::content, chunk_);
  if (auto s = base::errno_status(base::write_all(fd_.get(), record), "write maildrop file"); !s)
    return s;
  file_offset_ += record.size();
  chunk_.clear();
  return {};
}

Status MaildropWriter::append_content(std::string_view bytes) {
  if (fd_.get() < 0) return Error{"maildrop file is not open"};
  while (!bytes.empty()) {
    size_t room = kMaxRecordData - chunk_.size();
    std::string_view part = bytes.substr(0, room);
    chunk_.append(part);
    bytes.remove_prefix(part.size());
    content_size_ += part.size();
    if (chunk_.size() == kMaxRecordData)
      if (auto s = flush_chunk(); !s) {
        abandon();
        return s;
      }
  }
  return {};
}

Result<std::string> MaildropWriter::commit() {
  if (fd_.get() < 0) return Error{"maildrop file is not open"};
  auto fail = [this](Status s) -> Result<std::string> {
    abandon();
    return s.error();
  };
  if (auto s = flush_chunk(); !s) return fail(s);
  std::string size;
  append_u64(size, content_size_);
  auto offset = static_cast<off_t>(size_record_data_offset());
  if (auto s = base::errno_status(base::pwrite_all(fd_.get(), size, offset), "write maildrop file");
      !s)
    return fail(s);
  std::string end;
  append_end_record(end, file_offset_);
  if (auto s = base::errno_status(base::write_all(fd_.get(), end), "write maildrop file"); !s)
    return fail(s);
  if (auto s = base::errno_status(base::fdatasync_fd(fd_.get()), "fdatasync maildrop file"); !s)
    return fail(s);
  // Readable by pickup (mail_owner); the unlistable directory keeps it private.
  if (::fchmod(fd_.get(), 0644) != 0) return fail(base::errno_error("fchmod", errno));
  auto name = random_hex();
  if (!name) return fail(name.error());
  std::filesystem::path from = directory_ / temp_name_, to = directory_ / *name;
  // Never replaces an existing file of that name (one in 2^128, but still).
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) != 0)
    return fail(base::errno_error("rename " + from.string(), errno));
  committed_ = true;
  temp_name_.clear();
  // From here the file is visible and pickup will take it: a failure now must not make
  // the caller retry (that would queue the message twice), so it is only a warning.
  if (auto s = sync_entry(); !s) durability_warning_ = s.error().message;
  fd_.reset();
  return *name;
}

// The new entry must be on stable storage before sendmail exits 0. fsync(2) of the
// directory needs a descriptor opened for reading, which maildrop/ (1733) refuses to
// ordinary users; an O_PATH descriptor cannot be fsynced (EBADF) and a directory cannot
// be opened for writing (EISDIR). So when the directory cannot be opened, syncfs(2) on
// the file's own descriptor writes back the filesystem that holds it, the directory entry
// included, and reports write-back errors since Linux 5.8. Postfix's postdrop, setgid
// postdrop, does neither: it relies on the file fsync only.
Status MaildropWriter::sync_entry() {
  base::Fd dir(::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0 && errno != EACCES) return base::errno_error(directory_.string(), errno);
  int target = dir.get() >= 0 ? dir.get() : fd_.get();
  while ((dir.get() >= 0 ? ::fsync(target) : ::syncfs(target)) != 0)
    if (errno != EINTR) return base::errno_error("sync " + directory_.string(), errno);
  return {};
}

}  // namespace correio::queue
