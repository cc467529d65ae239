// Runs the restriction engine's coroutine checks to completion for unit tests.
#pragma once

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <optional>

#include "smtpd/restrictions.hpp"

namespace correio::smtpd {

inline std::optional<smtp::Reply> run_check(Restrictions& r, Restrictions::Event event,
                                            const Facts& facts, Effects& effects) {
  asio::io_context io;
  std::optional<smtp::Reply> result;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { result = co_await r.check(event, facts, effects); },
      asio::detached);
  io.run();
  return result;
}

inline std::optional<smtp::Reply> check_rcpt(Restrictions& r, const Facts& facts) {
  Effects effects;
  return run_check(r, Restrictions::Event::rcpt, facts, effects);
}

}  // namespace correio::smtpd
