#include "service/authz/rate_limiter.h"

#include <algorithm>
#include <cmath>

#include "absl/hash/hash.h"

namespace captoken::authz {

RateLimiter::RateLimiter(const token::Clock* clock, size_t max_keys)
    : clock_(clock),
      max_keys_per_shard_(std::max<size_t>(1, max_keys / kShards)) {}

absl::Duration RateLimiter::Acquire(absl::string_view key, double per_second,
                                    double burst) {
  const absl::Time now = clock_->Now();
  Shard& shard = shards_[absl::Hash<absl::string_view>()(key) % kShards];
  absl::MutexLock lock(&shard.mutex);

  auto it = shard.buckets.find(key);
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= max_keys_per_shard_) {
      // Forget buckets that have refilled: they would behave the same anew.
      absl::erase_if(shard.buckets, [&](const auto& entry) {
        const Bucket& bucket = entry.second;
        return bucket.tokens + absl::ToDoubleSeconds(now - bucket.updated) *
                                   bucket.per_second >=
               bucket.burst;
      });
    }
    it = shard.buckets
             .emplace(std::string(key), Bucket{burst, now, per_second, burst})
             .first;
  }
  Bucket& bucket = it->second;
  bucket.per_second = per_second;
  bucket.burst = burst;
  const double elapsed =
      std::max(0.0, absl::ToDoubleSeconds(now - bucket.updated));
  bucket.tokens = std::min(burst, bucket.tokens + elapsed * per_second);
  bucket.updated = now;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return absl::ZeroDuration();
  }
  // Round up to the millisecond so that retrying after the delay succeeds.
  const double seconds = (1.0 - bucket.tokens) / per_second;
  return absl::Milliseconds(std::ceil(seconds * 1000.0));
}

}  // namespace captoken::authz
