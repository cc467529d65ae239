// Per-thread file-system identity (see the header).
#include "delivery/fs_identity.hpp"

#include <grp.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace correio::delivery {
namespace {

// The raw system call: this thread only (glibc's setgroups() changes every thread).
int thread_setgroups(size_t n, const gid_t* groups) {
  return static_cast<int>(::syscall(SYS_setgroups, n, groups));
}

// setfsuid/setfsgid report failure only by not changing: ask again to know.
bool fs_uid_is(uid_t uid) {
  return static_cast<uid_t>(::setfsuid(static_cast<uid_t>(-1))) == uid;
}
bool fs_gid_is(gid_t gid) {
  return static_cast<gid_t>(::setfsgid(static_cast<gid_t>(-1))) == gid;
}

}  // namespace

ScopedFsIdentity::ScopedFsIdentity(uid_t uid, gid_t gid)
    : old_uid_(static_cast<uid_t>(::setfsuid(static_cast<uid_t>(-1)))),
      old_gid_(static_cast<gid_t>(::setfsgid(static_cast<gid_t>(-1)))) {
  int n = ::getgroups(0, nullptr);
  if (n > 0) {
    old_groups_.resize(static_cast<size_t>(n));
    n = ::getgroups(n, old_groups_.data());
    old_groups_.resize(n > 0 ? static_cast<size_t>(n) : 0);
  }
  // Groups first: once the fs uid is not root the thread loses the file capabilities,
  // but keeps CAP_SETGID/CAP_SETUID, so the order matters only for clarity.
  if (thread_setgroups(1, &gid) != 0) {
    error_ = std::string("setgroups: ") + std::strerror(errno);
    return;
  }
  ::setfsgid(gid);
  ::setfsuid(uid);
  if (!fs_gid_is(gid) || !fs_uid_is(uid)) {
    error_ = "cannot switch to uid " + std::to_string(uid) + " gid " + std::to_string(gid);
    restore();
    return;
  }
  ok_ = true;
}

void ScopedFsIdentity::restore() {
  ::setfsuid(old_uid_);
  ::setfsgid(old_gid_);
  (void)thread_setgroups(old_groups_.size(), old_groups_.data());
}

ScopedFsIdentity::~ScopedFsIdentity() {
  if (ok_) restore();
}

}  // namespace correio::delivery
