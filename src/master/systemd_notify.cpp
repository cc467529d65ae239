// sd_notify(3)'s wire format, spoken directly (see systemd_notify.hpp).
#include "master/systemd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace correio::master {

SystemdNotifier::SystemdNotifier() {
  if (const char* path = std::getenv("NOTIFY_SOCKET"); path != nullptr) {
    socket_path_ = path;
    ::unsetenv("NOTIFY_SOCKET");
  }
  // Only absolute paths and abstract names are valid (sd_notify(3)).
  if (!socket_path_.empty() && socket_path_[0] != '/' && socket_path_[0] != '@')
    socket_path_.clear();
}

void SystemdNotifier::ready(std::string_view status) {
  send("READY=1\nSTATUS=" + std::string(status) + "\nMAINPID=" + std::to_string(::getpid()));
}

void SystemdNotifier::reloading() {
  send("RELOADING=1\nSTATUS=reloading the configuration");
}

void SystemdNotifier::stopping() {
  send("STOPPING=1\nSTATUS=stopping");
}

// Best effort, as sd_notify is: a lost notification makes systemd time the start out,
// which the unit's log shows; the mail system itself is not affected.
void SystemdNotifier::send(const std::string& message) {
  if (socket_path_.empty()) return;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_path_.size() >= sizeof(address.sun_path)) return;
  std::memcpy(address.sun_path, socket_path_.data(), socket_path_.size());
  socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path_.size());
  if (address.sun_path[0] == '@') address.sun_path[0] = '\0';
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  [[maybe_unused]] ssize_t sent = ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL,
                                           reinterpret_cast<const sockaddr*>(&address), length);
  ::close(fd);
}

}  // namespace correio::master
