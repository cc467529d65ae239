// Binding the master's listening sockets (inet, unix, fifo) and keeping them across
// reloads (see listeners.hpp). Every descriptor is close-on-exec; the spawner dup2()s
// the ones a child needs to 3, 4, ...
#include "master/listeners.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace correio::master {
namespace {

Error sys_error(std::string_view what, const ListenerSpec& spec) {
  return Error{fmt::format("{} {}: {}", what, spec.describe(), std::strerror(errno))};
}

// Sockets and fifos in the file system belong to mail_owner when the master is root.
bool set_owner(const ListenerSpec& spec) {
  if (spec.owner_uid < 0) return true;
  return ::chown(spec.path.c_str(), static_cast<uid_t>(spec.owner_uid),
                 static_cast<gid_t>(spec.owner_gid)) == 0;
}

// `share_port`: SO_REUSEPORT, only for a reload's hand-over from an old address of the
// same port (see ListenerSet::open).
Result<int> open_inet(const ListenerSpec& spec, int backlog, bool share_port) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_INET;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (::inet_pton(AF_INET, spec.address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(spec.port);
    length = sizeof *v4;
  } else if (::inet_pton(AF_INET6, spec.address.c_str(), &v6->sin6_addr) == 1) {
    family = AF_INET6;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(spec.port);
    length = sizeof *v6;
  } else {
    return Error{fmt::format("bad address: {}", spec.address)};
  }
  int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return sys_error("socket", spec);
  int on = 1;
  bool ok = ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == 0;
  // Separate IPv4 and IPv6 sockets, so "0.0.0.0" and "::" can both be bound.
  if (ok && family == AF_INET6)
    ok = ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) == 0;
  if (ok && share_port) ok = ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) == 0;
  if (!ok) {
    Error e = sys_error("setsockopt", spec);
    ::close(fd);
    return e;
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), length) < 0 || ::listen(fd, backlog) < 0) {
    Error e = sys_error("bind", spec);
    ::close(fd);
    return e;
  }
  return fd;
}

Result<int> open_unix(const ListenerSpec& spec, int backlog) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string& path = spec.path.native();
  if (path.size() >= sizeof addr.sun_path)
    return Error{fmt::format("socket path too long: {}", path)};
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  // A socket left by a previous master is removed; anything else in its place is an error.
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return Error{fmt::format("{}: exists and is not a socket", path)};
    if (::unlink(path.c_str()) < 0) return sys_error("unlink", spec);
  }
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return sys_error("socket", spec);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 ||
      ::chmod(path.c_str(), spec.is_public ? 0666 : 0600) < 0 || !set_owner(spec) ||
      ::listen(fd, backlog) < 0) {
    Error e = sys_error("bind", spec);
    ::close(fd);
    return e;
  }
  return fd;
}

Result<int> open_fifo(const ListenerSpec& spec) {
  const char* path = spec.path.c_str();
  mode_t mode = spec.is_public ? 0622 : 0600;
  struct stat st {};
  if (::lstat(path, &st) == 0) {
    if (!S_ISFIFO(st.st_mode)) return Error{fmt::format("{}: exists and is not a fifo", path)};
  } else if (::mkfifo(path, mode) < 0) {
    return sys_error("mkfifo", spec);
  }
  if (::chmod(path, mode) < 0 || !set_owner(spec)) return sys_error("chmod", spec);
  // O_RDWR: the fifo never reports end-of-file when the last writer goes away.
  int fd = ::open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return sys_error("open", spec);
  return fd;
}

bool is_wildcard(const std::string& address) {
  return address == "0.0.0.0" || address == "::";
}

// Two inet listeners of one family and port where one is the wildcard address: Linux
// refuses to bind the second while the first listens.
bool overlaps(const ListenerSpec& a, const ListenerSpec& b) {
  bool same_family =
      (a.address.find(':') == std::string::npos) == (b.address.find(':') == std::string::npos);
  return same_family && a.port == b.port && a.address != b.address &&
         (is_wildcard(a.address) || is_wildcard(b.address));
}

}  // namespace

Result<int> open_listener(const ListenerSpec& spec, int backlog) {
  switch (spec.kind) {
    case ListenerSpec::Kind::inet:
      return open_inet(spec, backlog, false);
    case ListenerSpec::Kind::unix_stream:
      return open_unix(spec, backlog);
    case ListenerSpec::Kind::fifo:
      return open_fifo(spec);
  }
  return Error{"unknown listener kind"};
}

ListenerSet::~ListenerSet() {
  close_all();
}

int ListenerSet::find(const std::string& key) const {
  auto it = open_.find(key);
  return it == open_.end() ? -1 : it->second.fd;
}

Result<int> ListenerSet::open(const ListenerSpec& spec, int backlog) {
  std::string key = spec.key();
  if (int fd = find(key); fd >= 0) return fd;
  // A reload that moves a port to another address (inet_interfaces localhost -> all, or
  // back): Linux refuses 0.0.0.0:25 while 127.0.0.1:25 listens, and the old socket stays
  // open in the old processes until they exit. Closing first would leave nothing listening
  // if the new bind then failed, so both sides share the port (SO_REUSEPORT, same user)
  // until the old processes have gone; connections meanwhile go to the more specific one.
  bool handover = false;
  if (spec.kind == ListenerSpec::Kind::inet) {
    int on = 1;
    for (const auto& [old_key, entry] : open_)
      if (entry.spec.kind == ListenerSpec::Kind::inet && overlaps(entry.spec, spec) &&
          ::setsockopt(entry.fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) == 0)
        handover = true;
  }
  auto fd = spec.kind == ListenerSpec::Kind::inet ? open_inet(spec, backlog, handover)
                                                  : open_listener(spec, backlog);
  if (!fd) return fd.error();
  open_.emplace(key, Entry{*fd, spec});
  return *fd;
}

void ListenerSet::close_except(const std::vector<std::string>& keep) {
  for (auto it = open_.begin(); it != open_.end();) {
    if (std::find(keep.begin(), keep.end(), it->first) != keep.end()) {
      ++it;
      continue;
    }
    ::close(it->second.fd);
    if (it->second.spec.kind == ListenerSpec::Kind::unix_stream)
      ::unlink(it->second.spec.path.c_str());
    it = open_.erase(it);
  }
}

void ListenerSet::close_all() {
  close_except({});
}

}  // namespace correio::master
