// A fixed set of event loops, one thread each (the "io_context per thread" model): a
// connection handed to a loop lives there, so its blocking work (an fsync, say) runs on
// the thread that read its request, with no hand-off to a pool and back per request. A
// blocked loop delays only its own connections.
//
// An Asio service of the daemon's main io_context (asio::make_service<WorkerLoops>(io, n)):
// the main io_context stops and joins the loops when it shuts down, before the daemon's
// logger and shared state that their connections use are destroyed.
#pragma once

#include <asio/execution_context.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <memory>
#include <thread>
#include <vector>

namespace correio::io {

class WorkerLoops : public asio::execution_context::service {
 public:
  // Asio finds a service by this tag; it holds no state.
  static asio::execution_context::id id;

  WorkerLoops(asio::execution_context& owner, int count);
  ~WorkerLoops() override;

  // The loops in turn (round robin). Call from the owner's thread only.
  asio::io_context& next();

 private:
  // Stops every loop and joins its thread (a handler already running finishes first),
  // then destroys the loops with whatever connections they still hold.
  void shutdown() override;

  struct Loop {
    asio::io_context io{1};  // run by one thread
    asio::executor_work_guard<asio::io_context::executor_type> keep_running{io.get_executor()};
    std::thread thread;
  };
  std::vector<std::unique_ptr<Loop>> loops_;
  size_t next_ = 0;
};

}  // namespace correio::io
