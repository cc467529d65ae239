// Connection's deadlines (one timer per connection): a silent peer times a read out, a
// busy session whose operations each finish in time never does, however long it lasts,
// a peer that stops reading times a write out, and a shorter timeout takes effect at once.
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/local/connect_pair.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <string>

#include "io/connection.hpp"

namespace correio::io {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Local = asio::local::stream_protocol;

struct Pair {
  asio::io_context io;
  Local::socket peer{io};
  std::unique_ptr<Connection> conn;
  Pair() {
    Local::socket ours(io);
    asio::local::connect_pair(ours, peer);
    conn = std::make_unique<Connection>(std::move(ours));
  }
};

TEST(ConnectionDeadline, SilentPeerTimesAReadOut) {
  Pair p;
  p.conn->set_timeout(200ms);
  ReadStatus status = ReadStatus::ok;
  Clock::duration took{};
  asio::co_spawn(
      p.io,
      [&]() -> asio::awaitable<void> {
        auto start = Clock::now();
        auto line = co_await p.conn->read_line(100);
        took = Clock::now() - start;
        status = line.status;
      },
      asio::detached);
  p.io.run_for(10s);  // bounded: a deadline that never fires fails the test, not hangs it
  EXPECT_EQ(status, ReadStatus::timeout);
  EXPECT_GE(took, 190ms);
  EXPECT_LT(took, 2s);
}

TEST(ConnectionDeadline, OperationsThatEachFinishInTimeNeverTimeOut) {
  Pair p;
  p.conn->set_timeout(300ms);
  int lines = 0;
  ReadStatus last = ReadStatus::ok;
  // The peer sends a line every 100 ms for 1.2 s: four times the timeout in all.
  asio::co_spawn(
      p.io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer pause(p.io);
        for (int i = 0; i < 12; ++i) {
          pause.expires_after(100ms);
          co_await pause.async_wait(asio::use_awaitable);
          co_await asio::async_write(p.peer, asio::buffer(std::string("NOOP\r\n")),
                                     asio::use_awaitable);
        }
      },
      asio::detached);
  asio::co_spawn(
      p.io,
      [&]() -> asio::awaitable<void> {
        for (int i = 0; i < 12; ++i) {
          auto line = co_await p.conn->read_line(100);
          last = line.status;
          if (line.status != ReadStatus::ok) co_return;
          ++lines;
          if (!co_await p.conn->write("250 ok\r\n")) co_return;
        }
        // Then silence: this read does time out.
        last = (co_await p.conn->read_line(100)).status;
      },
      asio::detached);
  p.io.run_for(10s);  // bounded: a deadline that never fires fails the test, not hangs it
  EXPECT_EQ(lines, 12);
  EXPECT_EQ(last, ReadStatus::timeout);
}

TEST(ConnectionDeadline, PeerThatStopsReadingTimesAWriteOut) {
  Pair p;
  p.conn->set_timeout(300ms);
  bool written = true;
  asio::co_spawn(
      p.io,
      [&]() -> asio::awaitable<void> {
        // Far more than the socket buffers hold, and the peer reads nothing.
        written = co_await p.conn->write(std::string(64 << 20, 'x'));
      },
      asio::detached);
  auto start = Clock::now();
  p.io.run_for(10s);  // bounded: a deadline that never fires fails the test, not hangs it
  EXPECT_FALSE(written);
  EXPECT_LT(Clock::now() - start, 5s);
}

TEST(ConnectionDeadline, AShorterTimeoutTakesEffectAtOnce) {
  Pair p;
  ReadStatus first = ReadStatus::timeout, second = ReadStatus::ok;
  Clock::duration took{};
  asio::co_spawn(
      p.io,
      [&]() -> asio::awaitable<void> {
        co_await asio::async_write(p.peer, asio::buffer(std::string("HELO x\r\n")),
                                   asio::use_awaitable);
      },
      asio::detached);
  asio::co_spawn(
      p.io,
      [&]() -> asio::awaitable<void> {
        p.conn->set_timeout(1h);  // arms the timer an hour ahead
        first = (co_await p.conn->read_line(100)).status;
        p.conn->set_timeout(200ms);
        auto start = Clock::now();
        second = (co_await p.conn->read_line(100)).status;
        took = Clock::now() - start;
      },
      asio::detached);
  p.io.run_for(10s);  // bounded: a deadline that never fires fails the test, not hangs it
  EXPECT_EQ(first, ReadStatus::ok);
  EXPECT_EQ(second, ReadStatus::timeout);
  EXPECT_LT(took, 2s);
}

TEST(ConnectionDeadline, ConnectionGoneWhileTimerArmedIsSafe) {
  Pair p;
  p.conn->set_timeout(50ms);
  asio::co_spawn(
      p.io,
      [&]() -> asio::awaitable<void> {
        co_await asio::async_write(p.peer, asio::buffer(std::string("A\r\n")), asio::use_awaitable);
      },
      asio::detached);
  asio::co_spawn(
      p.io,
      [&]() -> asio::awaitable<void> {
        auto line = co_await p.conn->read_line(100);
        EXPECT_EQ(line.status, ReadStatus::ok);
        p.conn.reset();  // the timer's handler still holds the deadline state
        asio::steady_timer pause(p.io);
        pause.expires_after(150ms);  // past the deadline the timer was armed for
        co_await pause.async_wait(asio::use_awaitable);
      },
      asio::detached);
  p.io.run_for(10s);  // bounded: a deadline that never fires fails the test, not hangs it
  EXPECT_EQ(p.conn, nullptr);
}

}  // namespace
}  // namespace correio::io

namespace correio::io {
namespace {

// The peer sends one byte every 50 ms of a line that never ends: each read finishes well
// within the 300 ms per-read timeout, so only a request deadline can end it.
void trickle_one_byte_every_50ms(Pair& p, int bytes) {
  asio::co_spawn(
      p.io,
      [&p, bytes]() -> asio::awaitable<void> {
        asio::steady_timer pause(p.io);
        for (int i = 0; i < bytes; ++i) {
          pause.expires_after(50ms);
          co_await pause.async_wait(asio::use_awaitable);
          std::error_code ec;
          co_await asio::async_write(p.peer, asio::buffer(std::string("a")),
                                     asio::redirect_error(asio::use_awaitable, ec));
          if (ec) co_return;
        }
      },
      asio::detached);
}

TEST(ConnectionDeadline, RequestDeadlineEndsATrickledLine) {
  Pair p;
  p.conn->set_timeout(300ms);
  trickle_one_byte_every_50ms(p, 40);
  ReadStatus status = ReadStatus::ok;
  Clock::duration took{};
  asio::co_spawn(
      p.io,
      [&]() -> asio::awaitable<void> {
        auto start = Clock::now();
        RequestScope request(*p.conn, start + 400ms);
        auto line = co_await p.conn->read_line(100);
        took = Clock::now() - start;
        status = line.status;
      },
      asio::detached);
  p.io.run_for(10s);
  EXPECT_EQ(status, ReadStatus::timeout);
  EXPECT_GE(took, 390ms);
  EXPECT_LT(took, 1s);
}

TEST(ConnectionDeadline, MinimalRateExtendsTheRequestDeadline) {
  Pair p;
  p.conn->set_timeout(300ms);
  // 20 bytes/s arrive; at a minimal rate of 10 bytes/s each byte buys 100 ms, twice what it
  // took: the line reads on past the initial 200 ms deadline until the peer stops.
  trickle_one_byte_every_50ms(p, 20);
  ReadStatus status = ReadStatus::ok;
  Clock::duration took{};
  asio::co_spawn(
      p.io,
      [&]() -> asio::awaitable<void> {
        auto start = Clock::now();
        RequestScope request(*p.conn, start + 200ms, 10);
        auto line = co_await p.conn->read_line(100);
        took = Clock::now() - start;
        status = line.status;
      },
      asio::detached);
  p.io.run_for(10s);
  EXPECT_EQ(status, ReadStatus::timeout);  // the peer stopped; the per-read timeout then
  EXPECT_GE(took, 1s);                     // after the 20 bytes (1 s), not at 200 ms
}

}  // namespace
}  // namespace correio::io
