// Deadlines for session coroutines, composed rather than hand-built (Asio's C++20 examples):
//
//   using namespace asio::experimental::awaitable_operators;
//   auto deadline = std::chrono::steady_clock::now() + 5min;
//   auto result = co_await (work() || io::watchdog(deadline));
//   if (result.index() == 1) { /* timed out; work() was cancelled */ }
//
// The deadline is read by reference on every wake-up, so a session may push it forward
// (an idle timeout refreshed by each command). The referenced time_point must outlive
// the co_await. Header-only; not thread-safe (one session, one strand).
#pragma once

#include <asio/awaitable.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>

namespace correio::io {

// Completes when `deadline` has passed; cancelled (and ignored by `||`) when the other
// operand finishes first.
inline asio::awaitable<void> watchdog(const std::chrono::steady_clock::time_point& deadline) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  auto now = std::chrono::steady_clock::now();
  while (deadline > now) {
    timer.expires_at(deadline);
    // Cancellation (the usual end) returns quietly: an exception per request is costly.
    std::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    now = std::chrono::steady_clock::now();
  }
}

}  // namespace correio::io
