// The per-process connection table behind smtpd_client_connection_count_limit.
#include <gtest/gtest.h>

#include <vector>

#include "smtpd/connection_counter.hpp"

namespace correio::smtpd {
namespace {

TEST(ConnectionCounter, CountsPerAddressAndForgetsOnRelease) {
  ConnectionCounter counter;
  auto a1 = counter.enter("192.0.2.1");
  auto a2 = counter.enter("192.0.2.1");
  auto b1 = counter.enter("192.0.2.2");
  EXPECT_EQ(a1.count(), 1);
  EXPECT_EQ(a2.count(), 2);
  EXPECT_EQ(b1.count(), 1);
  EXPECT_EQ(counter.count("192.0.2.1"), 2);
  {
    auto a3 = counter.enter("192.0.2.1");
    EXPECT_EQ(a3.count(), 3);
  }
  EXPECT_EQ(counter.count("192.0.2.1"), 2);
  a1 = ConnectionCounter::Slot();  // moved-over slot gives its place back
  EXPECT_EQ(counter.count("192.0.2.1"), 1);
  ConnectionCounter::Slot moved = std::move(a2);
  EXPECT_EQ(counter.count("192.0.2.1"), 1);
  moved = ConnectionCounter::Slot();
  EXPECT_EQ(counter.count("192.0.2.1"), 0);
  EXPECT_EQ(counter.count("192.0.2.2"), 1);
}

TEST(ConnectionCounter, SlotsInAContainerSurviveReallocation) {
  ConnectionCounter counter;
  std::vector<ConnectionCounter::Slot> slots;
  for (int i = 0; i < 100; ++i) slots.push_back(counter.enter("2001:db8::1"));
  EXPECT_EQ(counter.count("2001:db8::1"), 100);
  slots.erase(slots.begin(), slots.begin() + 40);
  EXPECT_EQ(counter.count("2001:db8::1"), 60);
  slots.clear();
  EXPECT_EQ(counter.count("2001:db8::1"), 0);
}

}  // namespace
}  // namespace correio::smtpd
