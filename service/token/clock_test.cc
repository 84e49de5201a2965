// Tests for clock.h: the real clock and the fixed clock tests use.

#include "service/token/clock.h"

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace captoken::token {
namespace {

TEST(FixedClock, ReturnsTheTimeItWasCreatedWith) {
  FixedClock clock(absl::FromUnixSeconds(1700000000));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1700000000));
  EXPECT_EQ(clock.Now(), clock.Now());
}

TEST(FixedClock, KeepsSubSecondPrecision) {
  FixedClock clock(absl::FromUnixMillis(1700000000999));
  EXPECT_EQ(clock.Now(), absl::FromUnixMillis(1700000000999));
  clock.Set(absl::FromUnixNanos(1700000000123456789));
  EXPECT_EQ(absl::ToUnixNanos(clock.Now()), 1700000000123456789);
}

TEST(FixedClock, SetReplacesTheTime) {
  FixedClock clock(absl::FromUnixSeconds(1700000000));
  clock.Set(absl::FromUnixSeconds(1600000000));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1600000000));
}

TEST(FixedClock, AdvanceMovesTheTimeForwardAndBack) {
  FixedClock clock(absl::FromUnixSeconds(1700000000));
  clock.Advance(absl::Seconds(3600));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1700003600));
  clock.Advance(absl::Milliseconds(500));
  EXPECT_EQ(clock.Now(), absl::FromUnixMillis(1700003600500));
  clock.Advance(-absl::Seconds(7200));
  EXPECT_EQ(clock.Now(), absl::FromUnixMillis(1699996400500));
}

TEST(FixedClock, WorksBeforeTheEpoch) {
  FixedClock clock(absl::FromUnixSeconds(-1));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(-1));
  EXPECT_EQ(absl::ToUnixSeconds(clock.Now()), -1);
}

TEST(FixedClock, IsUsableThroughTheClockInterface) {
  FixedClock fixed(absl::FromUnixSeconds(42));
  const Clock& clock = fixed;
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(42));
  fixed.Set(absl::FromUnixSeconds(43));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(43));
}

TEST(FixedClock, ReadersOnOtherThreadsSeeOnlyTimesThatWereSet) {
  FixedClock clock(absl::FromUnixSeconds(1000));
  std::atomic<bool> done{false};
  std::atomic<int> bad_reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      while (!done.load()) {
        // Every value the writer sets is a whole second in [1000, 2000].
        const absl::Time now = clock.Now();
        const int64_t seconds = absl::ToUnixSeconds(now);
        if (seconds < 1000 || seconds > 2000 ||
            now != absl::FromUnixSeconds(seconds)) {
          ++bad_reads;
        }
      }
    });
  }
  for (int64_t s = 1000; s <= 2000; ++s) clock.Set(absl::FromUnixSeconds(s));
  done = true;
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(bad_reads.load(), 0);
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(2000));
}

TEST(RealClock, IsCloseToTheSystemTime) {
  const absl::Time before = absl::Now();
  const absl::Time now = Clock::Real().Now();
  const absl::Time after = absl::Now();
  EXPECT_LE(before, now);
  EXPECT_LE(now, after);
}

TEST(RealClock, IsOneObjectForTheWholeProcess) {
  EXPECT_EQ(&Clock::Real(), &Clock::Real());
}

TEST(RealClock, MovesForward) {
  const absl::Time first = Clock::Real().Now();
  absl::SleepFor(absl::Milliseconds(2));
  EXPECT_GT(Clock::Real().Now(), first);
}

}  // namespace
}  // namespace captoken::token
