// Writing files as another user from one thread of a root process: the calling thread's
// file-system user and group IDs (setfsuid/setfsgid) and its supplementary groups are
// switched for the object's lifetime, so files it creates belong to that user and access
// is checked as that user, while the other delivery threads are untouched. (glibc's
// setuid()/setgroups() would switch every thread of the process; the raw setgroups
// system call and setfsuid/setfsgid act on the calling thread only.)
// Use on one thread, destroy on the same thread. Requires root (CAP_SETUID/CAP_SETGID).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace correio::delivery {

class ScopedFsIdentity {
 public:
  ScopedFsIdentity(uid_t uid, gid_t gid);
  ~ScopedFsIdentity();
  ScopedFsIdentity(const ScopedFsIdentity&) = delete;
  ScopedFsIdentity& operator=(const ScopedFsIdentity&) = delete;

  // False (with error()) when the switch did not happen; the thread is then unchanged.
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }

 private:
  void restore();

  bool ok_ = false;
  std::string error_;
  uid_t old_uid_;
  gid_t old_gid_;
  std::vector<gid_t> old_groups_;
};

}  // namespace correio::delivery
