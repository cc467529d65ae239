// The daemon's worker pool as the store sees it (mailbox::WorkPool): Mailbox::prefetch
// computes a cold folder's cache values on it, beside the commands, instead of starting
// threads per FETCH. Private to imapd.
#pragma once

#include <algorithm>
#include <asio/post.hpp>
#include <asio/thread_pool.hpp>
#include <functional>
#include <thread>

#include "mailbox/work_pool.hpp"

namespace correio::imapd {

class StorePool : public mailbox::WorkPool {
 public:
  explicit StorePool(asio::thread_pool& pool) : pool_(pool) {}
  void post(std::function<void()> task) override { asio::post(pool_, std::move(task)); }
  // The pool has more threads than cores (commands block on disk); CPU work uses the cores.
  unsigned parallelism() const override {
    return std::max(1u, std::thread::hardware_concurrency());
  }

 private:
  asio::thread_pool& pool_;
};

}  // namespace correio::imapd
