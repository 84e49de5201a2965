// File: clock.h
// -----------------------------------------------------------------------------
//
// Clock is where the token library reads the time, so that tests (and
// `captoken sign --issued-at`) can fix it. Production code uses
// Clock::Real().
//
// Example:
//
//   FixedClock clock(absl::FromUnixSeconds(1700000000));
//   TwilioCapability capability = ...Create(sid, token, {.clock = &clock});

#ifndef CAPTOKEN_SERVICE_TOKEN_CLOCK_H_
#define CAPTOKEN_SERVICE_TOKEN_CLOCK_H_

#include <atomic>
#include <cstdint>

#include "absl/time/time.h"

namespace captoken::token {

class Clock {
 public:
  virtual ~Clock() = default;

  // Now returns the current time.
  virtual absl::Time Now() const = 0;

  // Real returns the system clock. It lives for the whole process.
  static const Clock& Real();
};

// FixedClock returns the time it was last set to. It is safe to read and
// set from several threads.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(absl::Time now) : unix_nanos_(absl::ToUnixNanos(now)) {}

  absl::Time Now() const override {
    return absl::FromUnixNanos(unix_nanos_.load(std::memory_order_relaxed));
  }

  void Set(absl::Time now) {
    unix_nanos_.store(absl::ToUnixNanos(now), std::memory_order_relaxed);
  }

  void Advance(absl::Duration by) { Set(Now() + by); }

 private:
  std::atomic<int64_t> unix_nanos_;
};

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_CLOCK_H_
