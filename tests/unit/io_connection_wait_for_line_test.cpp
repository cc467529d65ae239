// Connection::wait_for_line, the wait that IDLE and NOTIFY race against a folder watch:
// whichever side of the race wins, the client's line is still there for read_line (a
// raced read_line would have taken it with it when the other side won).
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/local/connect_pair.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <string>
#include <variant>

#include "io/connection.hpp"

namespace correio::io {
namespace {

using namespace std::chrono_literals;
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

// A rival that completes at once, as a folder watch with a change already pending does.
asio::awaitable<void> at_once() {
  co_await asio::post(asio::use_awaitable);
}

TEST(ConnectionWaitForLine, LosingTheRaceLosesNoInput) {
  using namespace asio::experimental::awaitable_operators;
  Pair p;
  // The line is in the socket before the race starts: both sides can complete in the
  // same turn of the event loop.
  asio::write(p.peer, asio::buffer(std::string("a1 NOOP\r\na2 NOOP\r\n")));
  std::vector<std::string> lines;
  int rival_won = 0;
  asio::co_spawn(
      p.io,
      [&]() -> asio::awaitable<void> {
        while (lines.size() < 2) {
          std::variant<ReadStatus, std::monostate> woke =
              co_await (p.conn->wait_for_line(100) || at_once());
          if (woke.index() == 1) {
            ++rival_won;
            if (rival_won < 50) continue;  // race again, with the input still unread
          } else {
            EXPECT_EQ(std::get<0>(woke), ReadStatus::ok);
          }
          LineResult line = co_await p.conn->read_line(100);
          EXPECT_EQ(line.status, ReadStatus::ok);
          lines.push_back(line.line);
        }
        p.io.stop();  // the connection's deadline timer would keep run_for() busy
      },
      asio::detached);
  p.io.run_for(10s);
  EXPECT_EQ(lines, (std::vector<std::string>{"a1 NOOP\r\n", "a2 NOOP\r\n"}));
}

TEST(ConnectionWaitForLine, WaitsForTheWholeLineAndConsumesNothing) {
  Pair p;
  ReadStatus waited = ReadStatus::closed;
  LineResult line;
  asio::co_spawn(
      p.io,
      [&]() -> asio::awaitable<void> {
        waited = co_await p.conn->wait_for_line(100);
        EXPECT_TRUE(p.conn->has_buffered_input());
        line = co_await p.conn->read_line(100);
        p.io.stop();
      },
      asio::detached);
  // Part of a line first: the wait goes on until its end arrives.
  asio::write(p.peer, asio::buffer(std::string("a1 NO")));
  p.io.run_for(100ms);
  EXPECT_EQ(waited, ReadStatus::closed);  // still waiting
  asio::write(p.peer, asio::buffer(std::string("OP\r\n")));
  p.io.restart();
  p.io.run_for(2s);
  EXPECT_EQ(waited, ReadStatus::ok);
  EXPECT_EQ(line.status, ReadStatus::ok);
  EXPECT_EQ(line.line, "a1 NOOP\r\n");
}

TEST(ConnectionWaitForLine, PeerCloseEndsTheWait) {
  Pair p;
  ReadStatus waited = ReadStatus::ok;
  asio::co_spawn(
      p.io,
      [&]() -> asio::awaitable<void> {
        waited = co_await p.conn->wait_for_line(100);
        p.io.stop();
      },
      asio::detached);
  p.peer.close();
  p.io.run_for(2s);
  EXPECT_EQ(waited, ReadStatus::closed);
}

}  // namespace
}  // namespace correio::io
