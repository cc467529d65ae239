// dns::SharedLookup: one channel per io_context, kept while young and for the same
// options, replaced when old or when the options change, the previous one kept when a
// new one cannot be opened, and released when the io_context goes even with a query
// still open (the use-after-free this service exists to prevent; run under ASan).
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>
#include <chrono>
#include <memory>

#include "dns/shared_lookup.hpp"

namespace correio::dns {
namespace {

using namespace std::chrono_literals;

std::string silent_server(asio::ip::udp::socket& socket) {
  return "127.0.0.1:" + std::to_string(socket.local_endpoint().port());
}

TEST(SharedLookup, OneChannelWhileYoungAndTheOptionsStay) {
  asio::io_context io;
  asio::ip::udp::socket server(io, {asio::ip::make_address("127.0.0.1"), 0});
  auto& shared = asio::use_service<SharedLookup>(io);
  ResolverOptions options{{silent_server(server)}, 1000ms};
  auto first = shared.get(io.get_executor(), options);
  auto again = shared.get(io.get_executor(), options);
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(first->get(), again->get());

  auto aged = shared.get(io.get_executor(), options, std::chrono::seconds(0));
  ASSERT_TRUE(aged.ok());
  EXPECT_NE(aged->get(), first->get());

  ResolverOptions other = options;
  other.time_limit = 2000ms;
  auto changed = shared.get(io.get_executor(), other);
  ASSERT_TRUE(changed.ok());
  EXPECT_NE(changed->get(), aged->get());
}

TEST(SharedLookup, KeepsThePreviousChannelWhenANewOneFails) {
  asio::io_context io;
  asio::ip::udp::socket server(io, {asio::ip::make_address("127.0.0.1"), 0});
  auto& shared = asio::use_service<SharedLookup>(io);
  ResolverOptions bad{{"not an address"}, 1000ms};
  EXPECT_FALSE(shared.get(io.get_executor(), bad).ok());  // nothing to fall back on

  ResolverOptions good{{silent_server(server)}, 1000ms};
  auto opened = shared.get(io.get_executor(), good);
  ASSERT_TRUE(opened.ok());
  auto fallback = shared.get(io.get_executor(), bad);
  ASSERT_TRUE(fallback.ok());
  EXPECT_EQ(fallback->get(), opened->get());
}

TEST(SharedLookup, ReleasedWithTheIoContextWhileAQueryIsOpen) {
  bool finished = false;
  {
    asio::io_context io;
    asio::ip::udp::socket server(io, {asio::ip::make_address("127.0.0.1"), 0});
    ResolverOptions options{{silent_server(server)}, 5000ms};
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          auto lookup = asio::use_service<SharedLookup>(io).get(io.get_executor(), options);
          if (!lookup) co_return;
          std::shared_ptr<Lookup> held = *lookup;
          co_await held->names_of("192.0.2.7");
          finished = true;
        },
        asio::detached);
    io.run_for(100ms);
  }  // the io_context shuts the service down, then destroys the waiting coroutine
  EXPECT_FALSE(finished);
}

}  // namespace
}  // namespace correio::dns
