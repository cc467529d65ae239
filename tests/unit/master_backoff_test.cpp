// Restart throttling: 1 s doubling up to service_throttle_time, reset after a good run.
#include <gtest/gtest.h>

#include "master/backoff.hpp"

namespace correio::master {
namespace {

using std::chrono::seconds;

TEST(MasterBackoff, DoublesFromOneSecondUpToTheMaximum) {
  EXPECT_EQ(throttle_delay(0, seconds(60)), seconds(0));
  EXPECT_EQ(throttle_delay(1, seconds(60)), seconds(1));
  EXPECT_EQ(throttle_delay(2, seconds(60)), seconds(2));
  EXPECT_EQ(throttle_delay(6, seconds(60)), seconds(32));
  EXPECT_EQ(throttle_delay(7, seconds(60)), seconds(60));
  EXPECT_EQ(throttle_delay(1000, seconds(60)), seconds(60));
  EXPECT_EQ(throttle_delay(3, seconds(0)), seconds(0));
}

TEST(MasterBackoff, ResetsAfterAGoodRun) {
  Backoff b(seconds(60));
  EXPECT_EQ(b.next(), seconds(1));
  EXPECT_EQ(b.next(), seconds(2));
  EXPECT_EQ(b.next(), seconds(4));
  b.reset();
  EXPECT_EQ(b.failures(), 0);
  EXPECT_EQ(b.next(), seconds(1));
}

}  // namespace
}  // namespace correio::master
