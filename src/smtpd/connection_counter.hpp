// Concurrent connections per client address, for smtpd_client_connection_count_limit.
// Postfix keeps this count in its anvil server because it runs one smtpd process per
// connection; Correio's smtpd serves every connection of a service in one process (one
// coroutine each, service/daemon.cpp), so a plain per-process table is the whole count.
// (With maxproc > 1 in master.cf each process counts its own connections.)
// Owned by smtpd's start-up state; used only on the daemon's one event-loop thread.
#pragma once

#include <string>
#include <unordered_map>

namespace correio::smtpd {

class ConnectionCounter {
 public:
  // One counted connection; leaving (destroying the slot) uncounts it.
  class Slot {
   public:
    Slot() = default;
    Slot(ConnectionCounter* counter, std::string address, int count)
        : counter_(counter), address_(std::move(address)), count_(count) {}
    Slot(Slot&& other) noexcept { *this = std::move(other); }
    Slot& operator=(Slot&& other) noexcept;
    ~Slot() { release(); }
    // Connections from this address including this one, when it was counted.
    int count() const { return count_; }

   private:
    void release();
    ConnectionCounter* counter_ = nullptr;
    std::string address_;
    int count_ = 0;
  };

  Slot enter(const std::string& address);
  int count(const std::string& address) const;

 private:
  std::unordered_map<std::string, int> counts_;
};

}  // namespace correio::smtpd
