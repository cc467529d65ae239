// A UserDirectory that may be shared by threads: every call of the wrapped directory is
// serialised by a mutex (lookups are short; deliveries, which are long, run outside it).
#pragma once

#include <memory>
#include <mutex>

#include "auth/user_directory.hpp"

namespace correio::auth {

class SynchronizedUserDirectory final : public UserDirectory {
 public:
  explicit SynchronizedUserDirectory(std::unique_ptr<UserDirectory> inner)
      : inner_(std::move(inner)) {}

  Result<std::optional<UserRecord>> lookup(std::string_view user) override {
    std::lock_guard lock(mutex_);
    return inner_->lookup(user);
  }
  Result<std::vector<std::string>> list_users() override {
    std::lock_guard lock(mutex_);
    return inner_->list_users();
  }
  std::vector<std::string> take_warnings() override {
    std::lock_guard lock(mutex_);
    return inner_->take_warnings();
  }

 private:
  std::mutex mutex_;
  std::unique_ptr<UserDirectory> inner_;
};

}  // namespace correio::auth
