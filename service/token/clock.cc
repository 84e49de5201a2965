#include "service/token/clock.h"

#include "absl/time/clock.h"

namespace captoken::token {
namespace {

class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace

const Clock& Clock::Real() {
  // Never destroyed, so it outlives every thread that may still read it.
  static const RealClock* const clock = new RealClock;
  return *clock;
}

}  // namespace captoken::token
