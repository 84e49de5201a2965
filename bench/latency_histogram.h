// File: latency_histogram.h
// -----------------------------------------------------------------------------
//
// LatencyHistogram counts nanosecond durations in log-linear buckets, like
// HdrHistogram: exact below 256 ns, then 128 buckets per power of two, so a
// percentile is within 0.8% of the true value. Record() is one relaxed
// atomic increment, safe from any number of threads at once and free of
// allocation; the load generator calls it from gRPC's callback threads.
//
// Example:
//
//   LatencyHistogram histogram;
//   histogram.Record(end_ns - start_ns);       // any thread
//   double p99_ns = histogram.Percentile(0.99);  // once recording is done

#ifndef CAPTOKEN_BENCH_LATENCY_HISTOGRAM_H_
#define CAPTOKEN_BENCH_LATENCY_HISTOGRAM_H_

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace captoken::bench {

class LatencyHistogram {
 public:
  // Values of 2^kMaxBits ns (about 18 minutes) and more land in the last
  // bucket.
  static constexpr int kSubBits = 7;
  static constexpr int kMaxBits = 40;
  static constexpr size_t kBuckets =
      (size_t{2} << kSubBits) +
      size_t{kMaxBits - kSubBits - 1} * (1 << kSubBits);

  // BucketOf maps a value to its bucket.
  static size_t BucketOf(int64_t ns) {
    if (ns < 0) ns = 0;
    const uint64_t v = static_cast<uint64_t>(ns);
    if (v < (uint64_t{2} << kSubBits)) return static_cast<size_t>(v);
    const int msb = 63 - __builtin_clzll(v);
    const int shift = msb - kSubBits;  // v >> shift is in [128, 256)
    const size_t index = (size_t{2} << kSubBits) +
                         static_cast<size_t>(shift - 1) * (1 << kSubBits) +
                         static_cast<size_t>((v >> shift) - (1 << kSubBits));
    return std::min(index, kBuckets - 1);
  }

  // BucketLow and BucketHigh bound the values of bucket `index`:
  // [low, high).
  static int64_t BucketLow(size_t index) {
    if (index < (size_t{2} << kSubBits)) return static_cast<int64_t>(index);
    const size_t rest = index - (size_t{2} << kSubBits);
    const int shift = static_cast<int>(rest >> kSubBits) + 1;
    const uint64_t mantissa = (rest & ((1 << kSubBits) - 1)) + (1 << kSubBits);
    return static_cast<int64_t>(mantissa << shift);
  }
  static int64_t BucketHigh(size_t index) {
    if (index < (size_t{2} << kSubBits)) {
      return static_cast<int64_t>(index) + 1;
    }
    const size_t rest = index - (size_t{2} << kSubBits);
    const int shift = static_cast<int>(rest >> kSubBits) + 1;
    return BucketLow(index) + (int64_t{1} << shift);
  }

  void Record(int64_t ns) {
    buckets_[BucketOf(ns)].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(ns, std::memory_order_relaxed);
    int64_t max = max_.load(std::memory_order_relaxed);
    while (ns > max &&
           !max_.compare_exchange_weak(max, ns, std::memory_order_relaxed)) {
    }
  }

  int64_t count() const { return count_.load(); }
  double max() const { return static_cast<double>(max_.load()); }
  double mean() const {
    const int64_t n = count();
    return n == 0 ? 0.0 : static_cast<double>(sum_.load()) / n;
  }

  // Percentile returns the value at quantile `q` (0.99 for p99): the
  // midpoint of the bucket holding the ceil(q * count)-th smallest value,
  // capped at the largest value recorded. 0 if nothing was recorded.
  double Percentile(double q) const {
    const int64_t n = count();
    if (n == 0) return 0;
    int64_t rank = static_cast<int64_t>(q * static_cast<double>(n) + 0.999999);
    rank = std::max<int64_t>(1, std::min(rank, n));
    int64_t seen = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
      seen += buckets_[i].load(std::memory_order_relaxed);
      if (seen >= rank) {
        const double mid = (static_cast<double>(BucketLow(i)) +
                            static_cast<double>(BucketHigh(i) - 1)) /
                           2;
        return std::min(mid, max());
      }
    }
    return max();
  }

 private:
  std::array<std::atomic<int64_t>, kBuckets> buckets_{};
  std::atomic<int64_t> count_{0};
  std::atomic<int64_t> sum_{0};
  std::atomic<int64_t> max_{0};
};

}  // namespace captoken::bench

#endif  // CAPTOKEN_BENCH_LATENCY_HISTOGRAM_H_
