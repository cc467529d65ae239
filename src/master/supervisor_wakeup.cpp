// The master.cf wakeup column: every N seconds the master sends "W" to a fifo or unix
// service (Postfix's trigger), so that pickup/qmgr-style services scan their work even
// when nobody pokes them. A '?' suffix (wake only after first use) is treated as plain N.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "base/strings.hpp"
#include "master/supervisor.hpp"

namespace correio::master {
namespace {

// Best effort and never blocking: a full fifo or backlog means the service is busy anyway.
void trigger(const ListenerSpec& listener, int fd) {
  static constexpr char kWakeup = 'W';
  if (listener.kind == ListenerSpec::Kind::fifo) {
    (void)!::write(fd, &kWakeup, 1);
    return;
  }
  if (listener.kind != ListenerSpec::Kind::unix_stream) return;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string& path = listener.path.native();
  if (path.size() >= sizeof addr.sun_path) return;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int s = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s < 0) return;
  if (::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0)
    (void)!::send(s, &kWakeup, 1, MSG_NOSIGNAL);
  ::close(s);
}

}  // namespace

void Supervisor::arm_wakeup(Service& service) {
  std::string_view column = service.spec.entry.wakeup;
  if (!column.empty() && column.back() == '?') column.remove_suffix(1);
  auto seconds = base::parse_int(column);
  if (!seconds || *seconds <= 0 || service.spec.entry.type == "inet") return;
  if (!service.wakeup_timer) service.wakeup_timer = std::make_unique<asio::steady_timer>(io_);
  service.wakeup_timer->expires_after(std::chrono::seconds(*seconds));
  std::string key = service.spec.key();
  service.wakeup_timer->async_wait([this, key](std::error_code ec) {
    if (ec || stopping_) return;
    auto it = services_.find(key);
    if (it == services_.end()) return;
    for (size_t i = 0; i < it->second.fds.size() && i < it->second.spec.listeners.size(); ++i)
      trigger(it->second.spec.listeners[i], it->second.fds[i]);
    arm_wakeup(it->second);
  });
}

}  // namespace correio::master
