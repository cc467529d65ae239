// Reopening the mail log on SIGHUP (see log_reopen.hpp).
#include "service/log_reopen.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/signal_set.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <csignal>

namespace correio::service {

asio::awaitable<void> reopen_log_on_sighup(base::Logger& log) {
  asio::signal_set hup(co_await asio::this_coro::executor, SIGHUP);
  log.reopen();
  for (;;) {
    auto [ec, sig] = co_await hup.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    log.reopen();
  }
}

}  // namespace correio::service
