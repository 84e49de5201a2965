// Tests for signing_limits.h: the limits' defaults and every branch of
// ResolveLifetime. (capability_spec_test.cc covers the same rules through
// ResolveExpiry.)

#include "service/token/signing_limits.h"

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace captoken::token {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;

constexpr int64_t kNow = 1700000000;
const absl::Time kNowTime = absl::FromUnixSeconds(kNow);

absl::StatusOr<absl::Time> Resolve(std::optional<absl::Duration> ttl,
                                   std::optional<absl::Time> expire_time,
                                   absl::Time now = kNowTime,
                                   const SigningLimits& limits = {}) {
  return ResolveLifetime(ttl, expire_time, now, limits);
}

TEST(SigningLimits, NewLimitsHaveRoomForEveryStandardToken) {
  const SigningLimits limits;
  EXPECT_EQ(limits.max_policies, 64u);
  EXPECT_EQ(limits.max_filters_per_policy, 32u);
  EXPECT_EQ(limits.max_grants, 16u);
  EXPECT_EQ(limits.max_json_depth, 8u);
  EXPECT_EQ(limits.max_json_values, 256u);
}

TEST(ResolveLifetime, NeitherSetMeansTheDefaultTtl) {
  ASSERT_OK_AND_ASSIGN(absl::Time expiry, Resolve(std::nullopt, std::nullopt));
  EXPECT_EQ(expiry, kNowTime + absl::Hours(1));
}

TEST(ResolveLifetime, TtlIsAddedToNowTruncated) {
  ASSERT_OK_AND_ASSIGN(absl::Time expiry,
                       Resolve(absl::Seconds(600), std::nullopt,
                               kNowTime + absl::Milliseconds(999)));
  EXPECT_EQ(expiry, kNowTime + absl::Seconds(600));
}

TEST(ResolveLifetime, TtlOfExactlyMaxTtlIsAllowed) {
  EXPECT_THAT(Resolve(absl::Hours(24), std::nullopt), IsOk());
}

TEST(ResolveLifetime, TtlOverMaxTtlIsRefused) {
  EXPECT_THAT(Resolve(absl::Hours(24) + absl::Seconds(1), std::nullopt),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ttl: longer than the maximum lifetime of 86400 s"));
}

TEST(ResolveLifetime, ZeroOrNegativeTtlIsRefused) {
  EXPECT_THAT(
      Resolve(absl::ZeroDuration(), std::nullopt),
      StatusIs(absl::StatusCode::kInvalidArgument, "ttl: must be positive"));
  EXPECT_THAT(
      Resolve(absl::Seconds(-1), std::nullopt),
      StatusIs(absl::StatusCode::kInvalidArgument, "ttl: must be positive"));
}

TEST(ResolveLifetime, FractionalTtlIsRefused) {
  EXPECT_THAT(Resolve(absl::Milliseconds(1500), std::nullopt),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ttl: must be a whole number of seconds"));
}

TEST(ResolveLifetime, ExpireTimeIsTruncatedToTheSecond) {
  ASSERT_OK_AND_ASSIGN(absl::Time expiry,
                       Resolve(std::nullopt, kNowTime + absl::Seconds(60) +
                                                 absl::Milliseconds(900)));
  EXPECT_EQ(expiry, kNowTime + absl::Seconds(60));
}

TEST(ResolveLifetime, ExpireTimeNotAfterNowIsRefused) {
  EXPECT_THAT(Resolve(std::nullopt, kNowTime),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "expire_time: must be after the signing time"));
}

TEST(ResolveLifetime, ExpireTimeBeyondMaxTtlIsRefused) {
  EXPECT_THAT(
      Resolve(std::nullopt, kNowTime + absl::Hours(25)),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "expire_time: longer than the maximum lifetime of 86400 s"));
}

TEST(ResolveLifetime, DefaultTtlOverMaxTtlIsRefused) {
  SigningLimits limits;
  limits.max_ttl = absl::Minutes(30);
  EXPECT_THAT(Resolve(std::nullopt, std::nullopt, kNowTime, limits),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ttl: longer than the maximum lifetime of 1800 s"));
}

TEST(ResolveLifetime, TtlAndExpireTimeTogetherAreRefused) {
  EXPECT_THAT(Resolve(absl::Seconds(60), kNowTime + absl::Seconds(60)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ttl, expire_time: set at most one of them"));
}

TEST(CheckLifetimeSetAtMostOnce, AcceptsEitherOrNeither) {
  EXPECT_THAT(CheckLifetimeSetAtMostOnce(std::nullopt, std::nullopt), IsOk());
  EXPECT_THAT(CheckLifetimeSetAtMostOnce(absl::Seconds(1), std::nullopt),
              IsOk());
  EXPECT_THAT(CheckLifetimeSetAtMostOnce(std::nullopt, kNowTime), IsOk());
  EXPECT_THAT(CheckLifetimeSetAtMostOnce(absl::Seconds(1), kNowTime),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ttl, expire_time: set at most one of them"));
}

}  // namespace
}  // namespace captoken::token
