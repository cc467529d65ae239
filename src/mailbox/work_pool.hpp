// Where the store runs batch work on several cores (Mailbox::prefetch): the daemon's one
// worker pool, seen through a two-member interface so that the store needs no event loop.
#pragma once

#include <functional>

namespace correio::mailbox {

// Owned by the daemon and outliving every MailUser and Mailbox given it. Thread-safe.
class WorkPool {
 public:
  virtual ~WorkPool() = default;
  // Runs `task` on one of the pool's threads soon. A task must not wait for another task.
  virtual void post(std::function<void()> task) = 0;
  // How many tasks may usefully run at once (the cores the pool may use).
  virtual unsigned parallelism() const = 0;
};

}  // namespace correio::mailbox
