#include "bench/latency_histogram.h"

#include <cstdint>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace captoken::bench {
namespace {

TEST(LatencyHistogramTest, BucketsCoverEveryValueOnce) {
  // Every bucket's range starts where the previous one ends.
  for (size_t i = 1; i < LatencyHistogram::kBuckets; ++i) {
    ASSERT_EQ(LatencyHistogram::BucketLow(i),
              LatencyHistogram::BucketHigh(i - 1))
        << i;
  }
  for (int64_t v :
       {int64_t{0}, int64_t{1}, int64_t{255}, int64_t{256}, int64_t{257},
        int64_t{1000}, int64_t{123456789}, (int64_t{1} << 39) + 12345}) {
    const size_t bucket = LatencyHistogram::BucketOf(v);
    EXPECT_LE(LatencyHistogram::BucketLow(bucket), v) << v;
    EXPECT_GT(LatencyHistogram::BucketHigh(bucket), v) << v;
  }
}

TEST(LatencyHistogramTest, ExactBelow256) {
  for (int64_t v = 0; v < 256; ++v) {
    EXPECT_EQ(LatencyHistogram::BucketOf(v), static_cast<size_t>(v));
  }
}

TEST(LatencyHistogramTest, HugeAndNegativeValuesAreClamped) {
  EXPECT_EQ(LatencyHistogram::BucketOf(INT64_MAX),
            LatencyHistogram::kBuckets - 1);
  EXPECT_EQ(LatencyHistogram::BucketOf(-5), 0u);
}

TEST(LatencyHistogramTest, PercentilesWithinHalfAPercent) {
  LatencyHistogram histogram;
  // 1..100000 microseconds, once each.
  for (int64_t us = 1; us <= 100000; ++us) histogram.Record(us * 1000);
  EXPECT_EQ(histogram.count(), 100000);
  EXPECT_NEAR(histogram.Percentile(0.50), 50000e3, 50000e3 * 0.005);
  EXPECT_NEAR(histogram.Percentile(0.99), 99000e3, 99000e3 * 0.005);
  EXPECT_NEAR(histogram.Percentile(0.999), 99900e3, 99900e3 * 0.005);
  EXPECT_DOUBLE_EQ(histogram.max(), 100000e3);
  EXPECT_NEAR(histogram.mean(), 50000.5e3, 1);
  EXPECT_LE(histogram.Percentile(1.0), histogram.max());
}

TEST(LatencyHistogramTest, EmptyIsZero) {
  LatencyHistogram histogram;
  EXPECT_EQ(histogram.Percentile(0.5), 0);
  EXPECT_EQ(histogram.mean(), 0);
}

TEST(LatencyHistogramTest, ConcurrentRecordsAreAllCounted) {
  LatencyHistogram histogram;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&histogram, t] {
      for (int i = 0; i < 10000; ++i) histogram.Record(1000 * (t + 1));
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(histogram.count(), 40000);
  EXPECT_DOUBLE_EQ(histogram.max(), 4000);
  EXPECT_NEAR(histogram.Percentile(0.25), 1000, 1000 * 0.005);
  EXPECT_NEAR(histogram.Percentile(1.0), 4000, 4000 * 0.005);
}

}  // namespace
}  // namespace captoken::bench
