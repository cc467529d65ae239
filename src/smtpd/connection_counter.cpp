// The per-process table behind smtpd_client_connection_count_limit (see the header).
#include "smtpd/connection_counter.hpp"

namespace correio::smtpd {

ConnectionCounter::Slot& ConnectionCounter::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release();
    counter_ = other.counter_;
    address_ = std::move(other.address_);
    count_ = other.count_;
    other.counter_ = nullptr;
  }
  return *this;
}

void ConnectionCounter::Slot::release() {
  if (!counter_) return;
  auto it = counter_->counts_.find(address_);
  if (it != counter_->counts_.end() && --it->second <= 0) counter_->counts_.erase(it);
  counter_ = nullptr;
}

ConnectionCounter::Slot ConnectionCounter::enter(const std::string& address) {
  int n = ++counts_[address];
  return Slot(this, address, n);
}

int ConnectionCounter::count(const std::string& address) const {
  auto it = counts_.find(address);
  return it == counts_.end() ? 0 : it->second;
}

}  // namespace correio::smtpd
