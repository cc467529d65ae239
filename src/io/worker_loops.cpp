// Event loops on their own threads (see the header).
#include "io/worker_loops.hpp"

#include <algorithm>

namespace correio::io {

asio::execution_context::id WorkerLoops::id;

WorkerLoops::WorkerLoops(asio::execution_context& owner, int count)
    : asio::execution_context::service(owner) {
  for (int i = 0; i < std::max(count, 1); ++i) {
    auto loop = std::make_unique<Loop>();
    loop->thread = std::thread([io = &loop->io] { io->run(); });
    loops_.push_back(std::move(loop));
  }
}

WorkerLoops::~WorkerLoops() {
  shutdown();
}

void WorkerLoops::shutdown() {
  for (auto& loop : loops_) {
    loop->keep_running.reset();
    loop->io.stop();
  }
  for (auto& loop : loops_)
    if (loop->thread.joinable()) loop->thread.join();
  loops_.clear();
}

asio::io_context& WorkerLoops::next() {
  asio::io_context& io = loops_[next_]->io;
  next_ = (next_ + 1) % loops_.size();
  return io;
}

}  // namespace correio::io
