// qmgr's concurrency feedback (Postfix's SCHEDULER_README): the feedback value forms, the
// window arithmetic, dead sites, and the destination gate that admits by the window.
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include "delivery/protocol.hpp"
#include "qmgr/concurrency_window.hpp"
#include "qmgr/destination_limit.hpp"

namespace correio::qmgr {
namespace {

TEST(ConcurrencyFeedback, ParsesEveryPostfixForm) {
  auto one = parse_feedback("1");
  ASSERT_TRUE(one);
  EXPECT_DOUBLE_EQ(one->value(7), 1.0);
  auto eighth = parse_feedback("1/8");
  ASSERT_TRUE(eighth);
  EXPECT_DOUBLE_EQ(eighth->value(3), 0.125);
  auto per = parse_feedback("1/concurrency");
  ASSERT_TRUE(per);
  EXPECT_TRUE(per->per_concurrency);
  EXPECT_DOUBLE_EQ(per->value(4), 0.25);
  auto spaced = parse_feedback("0.5 / concurrency");
  ASSERT_TRUE(spaced);
  EXPECT_DOUBLE_EQ(spaced->value(2), 0.25);
  EXPECT_TRUE(parse_feedback("0"));
}

TEST(ConcurrencyFeedback, RefusesWhatPostfixWouldNotUse) {
  for (const char* bad : {"", "x", "2", "-1", "1/0", "1/x", "1/concurrencyx", "1/", "/8", "1 2"})
    EXPECT_FALSE(parse_feedback(bad)) << bad;
}

WindowSettings settings(int initial, int limit, const char* positive, const char* negative,
                        int cohorts = 1) {
  WindowSettings s;
  s.initial = initial;
  s.limit = limit;
  s.cohort_limit = cohorts;
  s.positive = *parse_feedback(positive);
  s.negative = *parse_feedback(negative);
  return s;
}

TEST(ConcurrencyWindow, StartsAtInitialCappedByLimit) {
  EXPECT_EQ(ConcurrencyWindow(settings(5, 20, "1", "1")).window(), 5);
  EXPECT_EQ(ConcurrencyWindow(settings(5, 2, "1", "1")).window(), 2);  // local's limit 2
  EXPECT_EQ(ConcurrencyWindow(settings(0, 20, "1", "1")).window(), 1);
}

TEST(ConcurrencyWindow, PositiveOneGrowsByOnePerSuccessUpToTheLimit) {
  ConcurrencyWindow w(settings(5, 8, "1", "1"));
  w.success();
  EXPECT_EQ(w.window(), 6);
  w.success();
  w.success();
  EXPECT_EQ(w.window(), 8);
  w.success();
  EXPECT_EQ(w.window(), 8);
}

TEST(ConcurrencyWindow, PerConcurrencyGrowsByOnePerWindowOfSuccesses) {
  ConcurrencyWindow w(settings(4, 20, "1/concurrency", "1"));
  for (int i = 0; i < 3; ++i) w.success();
  EXPECT_EQ(w.window(), 4);  // 3/4 of a window
  w.success();
  EXPECT_EQ(w.window(), 5);  // a whole window: +1
  for (int i = 0; i < 4; ++i) w.success();
  EXPECT_EQ(w.window(), 5);
  w.success();
  EXPECT_EQ(w.window(), 6);  // five more (the window is 5 now)
}

TEST(ConcurrencyWindow, FixedFractionNeedsOneOverFeedbackSuccesses) {
  ConcurrencyWindow w(settings(2, 20, "1/3", "1"));
  w.success();
  w.success();
  EXPECT_EQ(w.window(), 2);
  w.success();  // 3 × 1/3 = 1, despite rounding
  EXPECT_EQ(w.window(), 3);
}

TEST(ConcurrencyWindow, NegativeFeedbackShrinksAtTheStartOfASequence) {
  ConcurrencyWindow w(settings(10, 20, "1", "1/concurrency", 0));
  w.failure();
  EXPECT_EQ(w.window(), 9);  // at once
  for (int i = 0; i < 7; ++i) w.failure();
  EXPECT_EQ(w.window(), 9);  // then not before a window's worth of failures
  w.failure();
  w.failure();
  EXPECT_EQ(w.window(), 8);
  ConcurrencyWindow fixed(settings(3, 20, "1", "1", 0));
  for (int i = 0; i < 5; ++i) fixed.failure();
  EXPECT_EQ(fixed.window(), 1);  // never below 1 while alive
  EXPECT_FALSE(fixed.dead());    // cohort limit 0: never dead
}

TEST(ConcurrencyWindow, DeadAfterTheFailedCohortLimit) {
  // Cohorts: 1/5 + 1/4 + 1/3 + 1/2 >= 1 after four failures in a row.
  ConcurrencyWindow w(settings(5, 20, "1", "1", 1));
  for (int i = 0; i < 3; ++i) w.failure();
  EXPECT_FALSE(w.dead());
  EXPECT_EQ(w.window(), 2);
  w.failure();
  EXPECT_TRUE(w.dead());
  EXPECT_EQ(w.window(), 0);
  w.revive();
  EXPECT_EQ(w.window(), 5);
  // A success in between starts the count again.
  for (int i = 0; i < 3; ++i) w.failure();
  w.success();
  for (int i = 0; i < 2; ++i) w.failure();
  EXPECT_FALSE(w.dead());
}

TEST(ConcurrencyWindow, ConcurrencyOneDiesAtTheFirstFailure) {
  // A rate delay or a limit of 1: one failure is a whole cohort (Postfix's behaviour).
  ConcurrencyWindow w(settings(5, 1, "1", "1", 1));
  w.failure();
  EXPECT_TRUE(w.dead());
  ConcurrencyWindow patient(settings(1, 1, "1", "1", 3));
  patient.failure();
  patient.failure();
  EXPECT_FALSE(patient.dead());
  patient.failure();
  EXPECT_TRUE(patient.dead());
}

TEST(DestinationLimit, AdmitsByTheWindowAndTurnsAwayWaitersWhenDead) {
  // poll(), not run(): waiters sleep on timers that only release() or revive() wake.
  asio::io_context io;
  DestinationLimit limit(settings(2, 10, "1", "1", 1), {}, std::chrono::hours(1));
  int admitted = 0, refused = 0;
  auto one = [&]() -> asio::awaitable<void> {
    bool ok = co_await limit.acquire();
    ok ? ++admitted : ++refused;
  };
  for (int i = 0; i < 5; ++i) asio::co_spawn(io, one(), asio::detached);
  io.poll();
  io.restart();
  EXPECT_EQ(admitted, 2);  // the initial concurrency
  EXPECT_EQ(limit.active(), 2);
  // One back and the window grows to 3: two waiters get a slot, in order.
  limit.release(DestinationLimit::Outcome::reached);
  io.poll();
  io.restart();
  EXPECT_EQ(admitted, 4);
  EXPECT_EQ(limit.window(), 3);
  EXPECT_EQ(limit.active(), 3);
  // Failures shrink the window (3, 2, 1) and no slot is passed on; they are 1/3 + 1/2 +
  // 1/1 of a cohort, so the third kills the site and the last waiter is turned away.
  EXPECT_FALSE(limit.release(DestinationLimit::Outcome::site_failed, "refused"));
  EXPECT_FALSE(limit.release(DestinationLimit::Outcome::site_failed, "refused"));
  io.poll();
  io.restart();
  EXPECT_EQ(refused, 0);
  EXPECT_TRUE(limit.release(DestinationLimit::Outcome::site_failed, "connect: refused"));
  io.poll();
  io.restart();
  EXPECT_TRUE(limit.dead());
  EXPECT_EQ(limit.dead_reason(), "connect: refused");
  EXPECT_EQ(admitted, 4);
  EXPECT_EQ(refused, 1);
  // Dead: turned away at once, until revived.
  asio::co_spawn(io, one(), asio::detached);
  io.poll();
  io.restart();
  EXPECT_EQ(refused + admitted, 6);
  int before = admitted;
  limit.revive();
  EXPECT_EQ(limit.window(), 2);
  asio::co_spawn(io, one(), asio::detached);
  io.poll();
  EXPECT_EQ(admitted, before + 1);
}

TEST(DeliveryProtocol, SiteFailureTravels) {
  delivery::RecipientResult r{12, delivery::DeliveryStatus::deferred, "4.4.1",
                              "connect to x[127.0.0.5]:25: Connection refused"};
  r.site_failure = true;
  auto decoded = delivery::decode_results(delivery::encode_results({r}));
  ASSERT_TRUE(decoded);
  ASSERT_EQ(decoded->size(), 1u);
  EXPECT_TRUE((*decoded)[0].site_failure);
  EXPECT_EQ((*decoded)[0].text, r.text);
  r.site_failure = false;
  decoded = delivery::decode_results(delivery::encode_results({r}));
  ASSERT_TRUE(decoded);
  EXPECT_FALSE((*decoded)[0].site_failure);
  // A relayed success keeps the remote server's word too.
  delivery::RecipientResult sent{
      3, delivery::DeliveryStatus::sent, "2.0.0", "ok", "mx.test", "smtp; 250 ok"};
  sent.success = delivery::RecipientResult::Success::relayed;
  decoded = delivery::decode_results(delivery::encode_results({sent}));
  ASSERT_TRUE(decoded);
  EXPECT_EQ((*decoded)[0].remote_mta, "mx.test");
  EXPECT_EQ((*decoded)[0].success, delivery::RecipientResult::Success::relayed);
}

}  // namespace
}  // namespace correio::qmgr
