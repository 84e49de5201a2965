// Tests for rate_limiter.h, on a fixed clock: a burst is allowed and then
// refused with a wait that is whole milliseconds, long enough, and exact for
// the rate; keys have their own buckets; forgetting buckets beyond
// max_keys never refills one that is in use; and threads racing for one
// bucket never get more than it holds.

#include "service/authz/rate_limiter.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "service/token/clock.h"

namespace captoken::authz {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

// Takes every token `key` has (at most `limit`) and returns how many.
int Drain(RateLimiter& limiter, const std::string& key, double per_second,
          double burst, int limit = 1000) {
  int taken = 0;
  while (taken < limit &&
         limiter.Acquire(key, per_second, burst) == absl::ZeroDuration()) {
    ++taken;
  }
  return taken;
}

TEST(RateLimiter, BurstIsAllowedThenRefusedWithAPositiveWait) {
  token::FixedClock clock(kNow);
  RateLimiter limiter(&clock);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.Acquire("caller", 1.0, 3), absl::ZeroDuration()) << i;
  }
  const absl::Duration wait = limiter.Acquire("caller", 1.0, 3);
  EXPECT_GT(wait, absl::ZeroDuration());
  // Refused calls take nothing: the wait does not grow.
  EXPECT_EQ(limiter.Acquire("caller", 1.0, 3), wait);
}

TEST(RateLimiter, WaitIsExactForTheRateRoundedUpToAMillisecond) {
  struct Case {
    double per_second;
    absl::Duration wait;
  };
  for (const Case& c : {
           Case{1, absl::Seconds(1)}, Case{10, absl::Milliseconds(100)},
           Case{3, absl::Milliseconds(334)},     // 333.33... ms
           Case{0.3, absl::Milliseconds(3334)},  // 3333.33... ms
           Case{7, absl::Milliseconds(143)},     // 142.857... ms
           Case{3000, absl::Milliseconds(1)},    // 0.333... ms
           Case{1e6, absl::Milliseconds(1)},     // 1 us
       }) {
    token::FixedClock clock(kNow);
    RateLimiter limiter(&clock);
    ASSERT_EQ(Drain(limiter, "caller", c.per_second, 1), 1) << c.per_second;
    EXPECT_EQ(limiter.Acquire("caller", c.per_second, 1), c.wait)
        << c.per_second;
  }
}

TEST(RateLimiter, WaitIsWholeMillisecondsAndEnough) {
  // After a partial refill the bucket holds a fraction of a token; the wait
  // for the rest must still be whole milliseconds, and waiting that long
  // must be enough.
  for (double per_second : {1.0, 3.0, 7.0, 10.0, 0.1, 0.3, 0.7, 2.5, 33.3,
                            1000.0 / 3, 999.0, 12345.0}) {
    for (absl::Duration partial :
         {absl::ZeroDuration(), absl::Microseconds(1), absl::Milliseconds(1),
          absl::Microseconds(1234567), absl::Nanoseconds(333333333)}) {
      token::FixedClock clock(kNow);
      RateLimiter limiter(&clock);
      ASSERT_EQ(Drain(limiter, "caller", per_second, 1), 1);
      clock.Advance(partial);
      if (limiter.Acquire("caller", per_second, 1) == absl::ZeroDuration()) {
        continue;  // The partial refill was a whole token.
      }
      const absl::Duration wait = limiter.Acquire("caller", per_second, 1);
      ASSERT_GT(wait, absl::ZeroDuration()) << per_second;
      EXPECT_EQ(wait, absl::Milliseconds(absl::ToInt64Milliseconds(wait)))
          << per_second << " after " << partial << ": " << wait;
      clock.Advance(wait);
      EXPECT_EQ(limiter.Acquire("caller", per_second, 1), absl::ZeroDuration())
          << per_second << " after " << partial << ": " << wait;
    }
  }
}

TEST(RateLimiter, AdvancingByTheWaitAlwaysSucceeds) {
  // Repeatedly: take every token, ask how long, wait exactly that long.
  for (double per_second : {1.0, 3.0, 0.3, 7.0, 1000.0 / 3, 12345.0}) {
    token::FixedClock clock(kNow);
    RateLimiter limiter(&clock);
    for (int i = 0; i < 200; ++i) {
      Drain(limiter, "caller", per_second, 2);
      const absl::Duration wait = limiter.Acquire("caller", per_second, 2);
      ASSERT_GT(wait, absl::ZeroDuration()) << per_second << " call " << i;
      clock.Advance(wait);
      ASSERT_EQ(limiter.Acquire("caller", per_second, 2), absl::ZeroDuration())
          << per_second << " call " << i;
    }
  }
}

TEST(RateLimiter, TokensFlowInAtTheRate) {
  token::FixedClock clock(kNow);
  RateLimiter limiter(&clock);
  ASSERT_EQ(Drain(limiter, "caller", 2.0, 4), 4);
  clock.Advance(absl::Milliseconds(500));
  EXPECT_EQ(Drain(limiter, "caller", 2.0, 4), 1);
  clock.Advance(absl::Milliseconds(250));
  EXPECT_EQ(Drain(limiter, "caller", 2.0, 4), 0);
  clock.Advance(absl::Milliseconds(250));
  EXPECT_EQ(Drain(limiter, "caller", 2.0, 4), 1);
  clock.Advance(absl::Milliseconds(1500));
  EXPECT_EQ(Drain(limiter, "caller", 2.0, 4), 3);
}

TEST(RateLimiter, BucketNeverHoldsMoreThanTheBurst) {
  token::FixedClock clock(kNow);
  RateLimiter limiter(&clock);
  ASSERT_EQ(Drain(limiter, "caller", 100.0, 5), 5);
  clock.Advance(absl::Hours(1));
  EXPECT_EQ(Drain(limiter, "caller", 100.0, 5), 5);
}

TEST(RateLimiter, KeysHaveTheirOwnBuckets) {
  token::FixedClock clock(kNow);
  RateLimiter limiter(&clock);
  EXPECT_EQ(Drain(limiter, "first", 1.0, 2), 2);
  EXPECT_EQ(Drain(limiter, "second", 1.0, 3), 3);
  EXPECT_GT(limiter.Acquire("first", 1.0, 2), absl::ZeroDuration());
  EXPECT_EQ(Drain(limiter, "third", 1.0, 1), 1);
  // Keys are compared whole.
  EXPECT_EQ(Drain(limiter, "first ", 1.0, 2), 2);
  EXPECT_EQ(Drain(limiter, "firs", 1.0, 2), 2);
}

TEST(RateLimiter, ManyKeysBeyondMaxKeysStillWork) {
  token::FixedClock clock(kNow);
  RateLimiter limiter(&clock, /*max_keys=*/16);
  ASSERT_EQ(Drain(limiter, "busy", 1.0, 2), 2);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(limiter.Acquire(absl::StrCat("key-", i), 1.0, 2),
              absl::ZeroDuration())
        << i;
  }
  // None of those buckets was full, and "busy" is empty: nothing forgotten
  // may give "busy" a new burst.
  EXPECT_GT(limiter.Acquire("busy", 1.0, 2), absl::ZeroDuration());
  // Every old key still has its one remaining token, then none.
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(Drain(limiter, absl::StrCat("key-", i), 1.0, 2), 1) << i;
  }

  // Later every bucket is full again: they may be forgotten, and new keys
  // (and old ones) get their burst.
  clock.Advance(absl::Seconds(10));
  ASSERT_EQ(Drain(limiter, "busy", 1.0, 2), 2);
  for (int i = 1000; i < 2000; ++i) {
    EXPECT_EQ(Drain(limiter, absl::StrCat("key-", i), 1.0, 2), 2) << i;
  }
  EXPECT_GT(limiter.Acquire("busy", 1.0, 2), absl::ZeroDuration());
  EXPECT_EQ(Drain(limiter, "key-0", 1.0, 2), 2);
}

TEST(RateLimiter, AnotherKeysRateDoesNotForgetASlowBucket) {
  // "slow" may call once per 1000 s. One second later its bucket is nearly
  // empty, though at a fast caller's rate it would long be full: forgetting
  // it to make room for fast callers would hand it a new token.
  token::FixedClock clock(kNow);
  RateLimiter limiter(&clock, /*max_keys=*/16);
  ASSERT_EQ(Drain(limiter, "slow", 0.001, 1), 1);
  clock.Advance(absl::Seconds(1));
  for (int i = 0; i < 500; ++i) {
    EXPECT_EQ(limiter.Acquire(absl::StrCat("fast-", i), 100.0, 1),
              absl::ZeroDuration())
        << i;
  }
  EXPECT_GT(limiter.Acquire("slow", 0.001, 1), absl::ZeroDuration());
}

TEST(RateLimiter, ConcurrentCallersGetNoMoreThanTheBurst) {
  token::FixedClock clock(kNow);
  RateLimiter limiter(&clock);
  constexpr int kThreads = 8;
  constexpr int kCallsPerThread = 200;
  constexpr int kBurst = 50;
  std::atomic<int> allowed{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kCallsPerThread; ++i) {
        const absl::Duration wait = limiter.Acquire("shared", 1.0, kBurst);
        if (wait == absl::ZeroDuration()) {
          allowed.fetch_add(1);
        } else if (wait > absl::ZeroDuration()) {
          refused.fetch_add(1);
        }
        // Other keys alongside, so the shards really are shared.
        limiter.Acquire(absl::StrCat("other-", i % 7), 1.0, 1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(allowed.load(), kBurst);
  EXPECT_EQ(refused.load(), kThreads * kCallsPerThread - kBurst);
}

}  // namespace
}  // namespace captoken::authz
