// Failed-login throttling: growing delays, blocking after the limit, the window, memory bound.
#include <gtest/gtest.h>

#include "auth/login_throttle.hpp"

namespace correio::auth {
namespace {

using namespace std::chrono_literals;
using Clock = LoginThrottle::Clock;

LoginThrottle::Options options() {
  LoginThrottle::Options o;
  o.delay = 1000ms;
  o.max_delay = 3000ms;
  o.limit = 3;
  o.window = 60s;
  return o;
}

TEST(LoginThrottle, DelayGrowsAndIsCapped) {
  LoginThrottle t(options());
  Clock::time_point now{};
  EXPECT_EQ(t.record_failure("192.0.2.1", now), 1000ms);
  EXPECT_EQ(t.record_failure("192.0.2.1", now), 2000ms);
  EXPECT_EQ(t.record_failure("192.0.2.1", now), 3000ms);
  EXPECT_EQ(t.record_failure("192.0.2.1", now), 3000ms);
  EXPECT_EQ(t.record_failure("192.0.2.2", now), 1000ms);  // per address
}

TEST(LoginThrottle, BlocksAfterLimitUntilWindowPasses) {
  LoginThrottle t(options());
  Clock::time_point now{};
  EXPECT_FALSE(t.blocked("192.0.2.1", now));
  t.record_failure("192.0.2.1", now);
  t.record_failure("192.0.2.1", now + 1s);
  EXPECT_FALSE(t.blocked("192.0.2.1", now + 2s));
  t.record_failure("192.0.2.1", now + 2s);
  EXPECT_TRUE(t.blocked("192.0.2.1", now + 3s));
  EXPECT_FALSE(t.blocked("192.0.2.9", now + 3s));
  EXPECT_TRUE(t.blocked("192.0.2.1", now + 61s));  // 59 s after the last failure
  EXPECT_FALSE(t.blocked("192.0.2.1", now + 62s));
  EXPECT_EQ(t.failures("192.0.2.1", now + 62s), 0);
}

TEST(LoginThrottle, OldFailuresDoNotCount) {
  LoginThrottle t(options());
  Clock::time_point now{};
  t.record_failure("a", now);
  t.record_failure("a", now);
  EXPECT_EQ(t.record_failure("a", now + 120s), 1000ms);  // a fresh start
  EXPECT_FALSE(t.blocked("a", now + 121s));
}

TEST(LoginThrottle, SuccessForgets) {
  LoginThrottle t(options());
  Clock::time_point now{};
  t.record_failure("a", now);
  t.record_failure("a", now);
  t.record_success("a");
  EXPECT_EQ(t.failures("a", now), 0);
  EXPECT_EQ(t.record_failure("a", now), 1000ms);
}

TEST(LoginThrottle, ZeroLimitNeverBlocks) {
  auto o = options();
  o.limit = 0;
  LoginThrottle t(o);
  for (int i = 0; i < 10; ++i) t.record_failure("a", Clock::time_point{});
  EXPECT_FALSE(t.blocked("a", Clock::time_point{}));
}

TEST(LoginThrottle, MemoryIsBounded) {
  auto o = options();
  o.max_tracked = 4;
  LoginThrottle t(o);
  Clock::time_point now{};
  for (int i = 0; i < 100; ++i)
    t.record_failure("addr" + std::to_string(i), now + std::chrono::milliseconds(i));
  int remembered = 0;
  for (int i = 0; i < 100; ++i) remembered += t.failures("addr" + std::to_string(i), now + 1s) > 0;
  EXPECT_LE(remembered, 4);
  EXPECT_EQ(t.failures("addr99", now + 1s), 1);  // the newest survive
}

TEST(LoginThrottle, ExemptAddressesAreNeitherCountedNorBlocked) {
  auto o = options();
  o.limit = 2;
  o.exempt = [](std::string_view address) { return address == "192.0.2.1"; };
  LoginThrottle t(o);
  Clock::time_point now{};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(t.record_failure("192.0.2.1", now), o.delay);
  EXPECT_FALSE(t.blocked("192.0.2.1", now));
  EXPECT_EQ(t.failures("192.0.2.1", now), 0);
  t.record_failure("192.0.2.2", now);
  t.record_failure("192.0.2.2", now);
  EXPECT_TRUE(t.blocked("192.0.2.2", now));
}

TEST(LoginThrottle, RefusalIsLoggedAsALockoutNotAPasswordFailure) {
  auto o = options();
  o.limit = 2;
  LoginThrottle t(o);
  Clock::time_point now{};
  t.record_failure("192.0.2.2", now);
  t.record_failure("192.0.2.2", now);
  EXPECT_EQ(t.refusal_log("alice@example.org", "192.0.2.2", "192.0.2.2", now),
            "login refused for user alice@example.org from 192.0.2.2: address locked out after "
            "2 failures");
  EXPECT_EQ(t.refusal_log("", "unknown[192.0.2.2]", "192.0.2.2", now),
            "login refused from unknown[192.0.2.2]: address locked out after 2 failures");
}

}  // namespace
}  // namespace correio::auth
