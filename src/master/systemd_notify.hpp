// The systemd notification protocol (sd_notify(3)) for the master under a Type=notify
// unit: READY=1 once every listener is bound and the services started, RELOADING=1/READY=1
// around a reload, STOPPING=1 when a stop begins. systemd documents the protocol as stable
// and meant to be spoken without libsystemd: one datagram to $NOTIFY_SOCKET; it is a
// dozen lines, so the master does not link libsystemd for it (docs/dependencies.md).
#pragma once

#include <string>
#include <string_view>

namespace correio::master {

class SystemdNotifier {
 public:
  // Reads $NOTIFY_SOCKET and removes it from the environment, so that no child process
  // (daemons, commands run by local delivery) can speak for the master. Without it (not
  // under systemd), every call does nothing.
  SystemdNotifier();
  bool active() const { return !socket_path_.empty(); }

  void ready(std::string_view status);
  void reloading();
  void stopping();

 private:
  void send(const std::string& message);
  std::string socket_path_;  // "@..." is an abstract socket
};

}  // namespace correio::master
