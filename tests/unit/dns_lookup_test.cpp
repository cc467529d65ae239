// dns::Lookup against a name server that never answers (a bound UDP socket nobody reads):
// the time limit ends the query with a temporary failure, the event loop keeps running
// meanwhile, and a Lookup destroyed with a query still open cleans up. Answers from a
// real server are tested with dnsmasq in tests/integration/test_reverse_dns.py.
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <optional>

#include "dns/lookup.hpp"

namespace correio::dns {
namespace {

using namespace std::chrono_literals;

struct SilentServer {
  asio::io_context io;
  asio::ip::udp::socket socket{io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::string spec() const { return "127.0.0.1:" + std::to_string(socket.local_endpoint().port()); }
};

TEST(DnsLookup, TimeLimitEndsTheQueryWithoutBlockingTheLoop) {
  SilentServer server;
  ResolverOptions options{{server.spec()}, 400ms};
  auto lookup = Lookup::open(server.io.get_executor(), options);
  ASSERT_TRUE(lookup.ok()) << lookup.error().message;
  std::optional<Answer> answer;
  int ticks = 0;
  auto started = std::chrono::steady_clock::now();
  asio::co_spawn(
      server.io,
      [&]() -> asio::awaitable<void> { answer = co_await (*lookup)->names_of("192.0.2.7"); },
      asio::detached);
  // Another coroutine keeps running while the query waits.
  asio::co_spawn(
      server.io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(server.io);
        for (int i = 0; i < 5; ++i) {
          timer.expires_after(20ms);
          co_await timer.async_wait(asio::use_awaitable);
          ++ticks;
        }
      },
      asio::detached);
  server.io.run();
  auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->outcome, Outcome::temporary);
  EXPECT_TRUE(answer->items.empty());
  EXPECT_EQ(ticks, 5);
  EXPECT_GE(elapsed, 350ms);
  EXPECT_LT(elapsed, 3s);
}

TEST(DnsLookup, DestroyedWithAQueryOpen) {
  SilentServer server;
  ResolverOptions options{{server.spec()}, 5000ms};
  auto lookup = Lookup::open(server.io.get_executor(), options);
  ASSERT_TRUE(lookup.ok());
  bool finished = false;
  asio::co_spawn(
      server.io,
      [&]() -> asio::awaitable<void> {
        co_await (*lookup)->addresses_of("host.example", AF_INET);
        finished = true;
      },
      asio::detached);
  server.io.run_for(100ms);
  EXPECT_FALSE(finished);
  lookup.value().reset();  // c-ares ends the query; nothing may touch the freed channel
  server.io.run_for(100ms);
  SUCCEED();
}

TEST(DnsLookup, BadServerListIsAnError) {
  asio::io_context io;
  ResolverOptions options{{"not an address"}, 1000ms};
  EXPECT_FALSE(Lookup::open(io.get_executor(), options).ok());
}

}  // namespace
}  // namespace correio::dns
