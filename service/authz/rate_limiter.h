// File: rate_limiter.h
// -----------------------------------------------------------------------------
//
// RateLimiter keeps a token bucket per key (a caller identity): `per_second`
// tokens flow in, up to `burst`, and each call takes one. A call that finds
// the bucket empty is refused and told how long until a token is there.
// Buckets live in shards with their own locks, so callers rarely contend;
// idle full buckets are dropped when a shard grows too large.
//
// Example:
//
//   RateLimiter limiter(&clock);
//   absl::Duration wait = limiter.Acquire(identity, 10.0, 20);
//   if (wait > absl::ZeroDuration()) return RESOURCE_EXHAUSTED(wait);

#ifndef CAPTOKEN_SERVICE_AUTHZ_RATE_LIMITER_H_
#define CAPTOKEN_SERVICE_AUTHZ_RATE_LIMITER_H_

#include <array>
#include <cstddef>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "service/token/clock.h"

namespace captoken::authz {

class RateLimiter {
 public:
  // `clock` must outlive the limiter. At most about `max_keys` buckets are
  // kept (idle full ones are forgotten first: forgetting them changes
  // nothing).
  explicit RateLimiter(const token::Clock* clock, size_t max_keys = 100000);

  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Acquire takes a token from `key`'s bucket and returns zero, or returns
  // how long until one will be available (and takes nothing).
  absl::Duration Acquire(absl::string_view key, double per_second,
                         double burst);

 private:
  struct Bucket {
    double tokens;
    absl::Time updated;
    // The rate of the bucket's last call: whether it has refilled depends on
    // its own rate, not on the rate of the call that looks.
    double per_second;
    double burst;
  };
  struct Shard {
    absl::Mutex mutex;
    absl::flat_hash_map<std::string, Bucket> buckets ABSL_GUARDED_BY(mutex);
  };
  static constexpr size_t kShards = 16;

  const token::Clock* clock_;
  const size_t max_keys_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace captoken::authz

#endif  // CAPTOKEN_SERVICE_AUTHZ_RATE_LIMITER_H_
