// The boot guard of the index (see index_boot_guard.hpp).
#include "mailbox/detail/index_boot_guard.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <string>

#include "base/file.hpp"
#include "mailbox/detail/fs_util.hpp"

namespace correio::mailbox::detail {
namespace {

std::string this_boot() {
  bool missing = false;
  auto text = base::read_file("/proc/sys/kernel/random/boot_id", detail::kAnySize, &missing);
  if (!text || missing) return {};
  while (!text->empty() && (text->back() == '\n' || text->back() == ' ')) text->pop_back();
  return *text;
}

// Closes the descriptor (which drops the flock) on every path out.
struct LockedFile {
  int fd = -1;
  ~LockedFile() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Result<bool> claim_index_for_this_boot(const std::filesystem::path& index_path) {
  std::string boot = this_boot();
  if (boot.empty()) return false;
  std::filesystem::path sidecar = index_path;
  sidecar += ".boot";
  LockedFile f;
  f.fd = ::open(sidecar.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (f.fd < 0) return sys_error("open", sidecar, errno);
  if (::flock(f.fd, LOCK_EX) != 0) return sys_error("lock", sidecar, errno);
  char buf[128];
  ssize_t n = ::pread(f.fd, buf, sizeof buf, 0);
  if (n < 0) return sys_error("read", sidecar, errno);
  if (std::string_view(buf, static_cast<size_t>(n)) == boot) return true;
  // Written in another boot (or never recorded): it may be torn. No fsync is needed for
  // any of this: if the new boot id does not reach the disk, the next boot rebuilds too.
  for (const std::string& p : {index_path.string(), index_path.string() + "-lock"})
    if (::unlink(p.c_str()) != 0 && errno != ENOENT) return sys_error("remove", p, errno);
  if (::ftruncate(f.fd, 0) != 0) return sys_error("truncate", sidecar, errno);
  if (::lseek(f.fd, 0, SEEK_SET) < 0) return sys_error("seek", sidecar, errno);
  if (int e = base::write_all(f.fd, boot); e != 0) return sys_error("write", sidecar, e);
  return true;
}

}  // namespace correio::mailbox::detail
