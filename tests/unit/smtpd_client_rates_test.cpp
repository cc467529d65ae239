// ClientRates and RateLimits: anvil(8)'s windows and smtpd's replies, on an injected clock.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>

#include "smtpd/client_rates.hpp"
#include "smtpd/rate_limits.hpp"

namespace correio::smtpd {
namespace {

using namespace std::chrono_literals;
using Clock = ClientRates::Clock;

TEST(ClientRates, CountsPerAddressAndKindInOneWindow) {
  ClientRates rates(60s);
  Clock::time_point t0{};
  EXPECT_EQ(rates.record(ClientEvent::message, "192.0.2.1", t0), 1);
  EXPECT_EQ(rates.record(ClientEvent::message, "192.0.2.1", t0 + 10s), 2);
  EXPECT_EQ(rates.record(ClientEvent::recipient, "192.0.2.1", t0 + 20s), 1);
  EXPECT_EQ(rates.record(ClientEvent::message, "192.0.2.2", t0 + 20s), 1);
  EXPECT_EQ(rates.rate(ClientEvent::message, "192.0.2.1", t0 + 59s), 2);
  // The window opened by the first event ends after the time unit; every kind restarts.
  EXPECT_EQ(rates.rate(ClientEvent::message, "192.0.2.1", t0 + 60s), 0);
  EXPECT_EQ(rates.record(ClientEvent::recipient, "192.0.2.1", t0 + 61s), 1);
  EXPECT_EQ(rates.rate(ClientEvent::message, "192.0.2.1", t0 + 61s), 0);
}

TEST(ClientRates, MemoryIsBoundedAndPeaksAreReported) {
  ClientRates rates(60s, 10);
  Clock::time_point t0{};
  for (int i = 0; i < 100; ++i)
    (void)rates.record(ClientEvent::connection, "10.0.0." + std::to_string(i), t0 + 1s * i / 100);
  EXPECT_LE(rates.tracked(), 10u);
  (void)rates.record(ClientEvent::auth, "10.0.1.1", t0 + 2s);
  (void)rates.record(ClientEvent::auth, "10.0.1.1", t0 + 3s);
  auto peaks = rates.take_peaks();
  EXPECT_EQ(peaks[static_cast<size_t>(ClientEvent::auth)].rate, 2);
  EXPECT_EQ(peaks[static_cast<size_t>(ClientEvent::auth)].address, "10.0.1.1");
  EXPECT_EQ(peaks[static_cast<size_t>(ClientEvent::connection)].rate, 1);
  EXPECT_EQ(rates.take_peaks()[static_cast<size_t>(ClientEvent::auth)].rate, 0);
}

class RateLimitsTest : public ::testing::Test {
 protected:
  RateLimitSettings settings() {
    RateLimitSettings s;
    s.myhostname = "mx.example.test";
    s.service_name = "smtp";
    s.limits = {2, 2, 3, 1, 1};
    s.time_unit = 60s;
    s.status_update = 600s;
    s.exceptions = *ClientNetworks::parse("192.0.2.0/24");
    return s;
  }
  void SetUp() override {
    path_ = testing::TempDir() + "client-rates-" + std::to_string(::getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name();
    base::Logger::Options lo;
    lo.process_name = "smtpd";
    lo.maillog_file = path_;
    lo.hostname = "mx";
    log_ = std::make_unique<base::Logger>(lo);
  }
  void TearDown() override {
    log_.reset();
    std::remove(path_.c_str());
  }
  std::string logged() const {
    std::ifstream in(path_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string path_;
  std::unique_ptr<base::Logger> log_;
  Clock::time_point now{};
};

TEST_F(RateLimitsTest, RepliesAndWarningsAsPostfix) {
  RateLimits limits(settings(), *log_, [this] { return now; });
  const std::string a = "198.51.100.7", label = "unknown[198.51.100.7]";
  EXPECT_FALSE(limits.check(ClientEvent::message, a, label));
  EXPECT_FALSE(limits.check(ClientEvent::message, a, label));
  auto over = limits.check(ClientEvent::message, a, label);
  ASSERT_TRUE(over);
  EXPECT_EQ(over->to_wire(), "450 4.7.1 Error: too much mail from 198.51.100.7\r\n");
  EXPECT_NE(logged().find("warning: Message delivery request rate limit exceeded: 3 from "
                          "unknown[198.51.100.7] for service smtp"),
            std::string::npos)
      << logged();
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limits.check(ClientEvent::recipient, a, label));
  EXPECT_EQ(limits.check(ClientEvent::recipient, a, label)->to_wire(),
            "452 4.7.1 Error: too many recipients from 198.51.100.7\r\n");
  EXPECT_FALSE(limits.check(ClientEvent::auth, a, label));
  EXPECT_EQ(limits.check(ClientEvent::auth, a, label)->to_wire(),
            "450 4.7.1 Error: too many AUTH commands from 198.51.100.7\r\n");
  EXPECT_FALSE(limits.check(ClientEvent::connection, a, label));
  EXPECT_FALSE(limits.check(ClientEvent::connection, a, label));
  EXPECT_EQ(limits.check(ClientEvent::connection, a, label)->to_wire(),
            "421 4.7.0 mx.example.test Error: too many connections from 198.51.100.7\r\n");
  EXPECT_NE(logged().find("warning: Connection rate limit exceeded: 3 from "
                          "unknown[198.51.100.7] for service smtp"),
            std::string::npos);
  // The next window forgives.
  now += 60s;
  EXPECT_FALSE(limits.check(ClientEvent::message, a, label));
}

TEST_F(RateLimitsTest, NewTlsSessionsAreCheckedBeforeAndCountedAfter) {
  RateLimits limits(settings(), *log_, [this] { return now; });
  const std::string a = "198.51.100.7", label = "unknown[198.51.100.7]";
  EXPECT_FALSE(limits.check_new_tls(a, label, false));
  limits.count_new_tls(a);
  EXPECT_EQ(limits.check_new_tls(a, label, false)->to_wire(),
            "454 4.7.0 Error: too many new TLS sessions from unknown[198.51.100.7]\r\n");
  EXPECT_EQ(limits.check_new_tls(a, label, true)->to_wire(),
            "421 4.7.0 mx.example.test Error: too many new TLS sessions from "
            "unknown[198.51.100.7]\r\n");
  EXPECT_NE(logged().find("warning: New TLS session rate limit exceeded: 1 from "
                          "unknown[198.51.100.7] for service smtp"),
            std::string::npos);
}

TEST_F(RateLimitsTest, ExceptionsAndZeroLimitsCountNothing) {
  auto s = settings();
  s.limits[static_cast<size_t>(ClientEvent::recipient)] = 0;
  RateLimits limits(s, *log_, [this] { return now; });
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE(limits.check(ClientEvent::message, "192.0.2.9", "x[192.0.2.9]"));
    EXPECT_FALSE(limits.check(ClientEvent::recipient, "203.0.113.1", "x[203.0.113.1]"));
  }
  EXPECT_EQ(limits.rates().tracked(), 0u);
}

TEST_F(RateLimitsTest, StatisticsAreLoggedOncePerPeriod) {
  RateLimits limits(settings(), *log_, [this] { return now; });
  (void)limits.check(ClientEvent::recipient, "198.51.100.7", "x");
  (void)limits.check(ClientEvent::recipient, "198.51.100.7", "x");
  now += 601s;
  (void)limits.check(ClientEvent::message, "198.51.100.8", "y");
  EXPECT_NE(logged().find("statistics: max recipient rate 2/60s for (smtp:198.51.100.7) at "),
            std::string::npos)
      << logged();
  EXPECT_NE(logged().find("statistics: max cache size 1"), std::string::npos);
}

}  // namespace
}  // namespace correio::smtpd
