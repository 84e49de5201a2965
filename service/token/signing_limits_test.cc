// Tests for signing_limits.h: the limits' defaults, every branch of
// ResolveLifetime (which every token kind's lifetime goes through) and
// CheckTokenSize.

#include "service/token/signing_limits.h"

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace captoken::token {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

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

// ---- ResolveLifetime: neither set ------------------------------------------

TEST(ResolveLifetime, NeitherSetMeansTheDefaultTtl) {
  ASSERT_OK_AND_ASSIGN(absl::Time expiry, Resolve(std::nullopt, std::nullopt));
  EXPECT_EQ(expiry, kNowTime + absl::Hours(1));
}

TEST(ResolveLifetime, DefaultTtlComesFromTheLimits) {
  ASSERT_OK_AND_ASSIGN(absl::Time expiry,
                       Resolve(std::nullopt, std::nullopt, kNowTime,
                               {.default_ttl = absl::Minutes(5)}));
  EXPECT_EQ(expiry, kNowTime + absl::Minutes(5));
}

TEST(ResolveLifetime, NowIsTruncatedToTheSecond) {
  // Spec §1.4: a clock at .999 s still signs the second it is in.
  ASSERT_OK_AND_ASSIGN(
      absl::Time expiry,
      Resolve(std::nullopt, std::nullopt, kNowTime + absl::Milliseconds(999)));
  EXPECT_EQ(expiry, kNowTime + absl::Hours(1));
}

TEST(ResolveLifetime, DefaultTtlOverMaxTtlIsRefused) {
  SigningLimits limits;
  limits.max_ttl = absl::Minutes(30);
  EXPECT_THAT(Resolve(std::nullopt, std::nullopt, kNowTime, limits),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ttl: longer than the maximum lifetime of 1800 s"));
}

// ---- ResolveLifetime: a ttl
// --------------------------------------------------

TEST(ResolveLifetime, TtlIsAddedToNowTruncated) {
  ASSERT_OK_AND_ASSIGN(absl::Time expiry,
                       Resolve(absl::Seconds(600), std::nullopt));
  EXPECT_EQ(expiry, kNowTime + absl::Seconds(600));
  ASSERT_OK_AND_ASSIGN(absl::Time from_fraction,
                       Resolve(absl::Seconds(600), std::nullopt,
                               kNowTime + absl::Milliseconds(999)));
  EXPECT_EQ(from_fraction, kNowTime + absl::Seconds(600));
}

TEST(ResolveLifetime, OneSecondTtlIsAllowed) {
  ASSERT_OK_AND_ASSIGN(absl::Time expiry,
                       Resolve(absl::Seconds(1), std::nullopt));
  EXPECT_EQ(expiry, kNowTime + absl::Seconds(1));
}

TEST(ResolveLifetime, ZeroOrNegativeTtlIsRefusedWithoutEchoingIt) {
  EXPECT_THAT(
      Resolve(absl::ZeroDuration(), std::nullopt),
      StatusIs(absl::StatusCode::kInvalidArgument, "ttl: must be positive"));
  const absl::StatusOr<absl::Time> negative =
      Resolve(absl::Seconds(-3600), std::nullopt);
  EXPECT_THAT(negative, StatusIs(absl::StatusCode::kInvalidArgument,
                                 "ttl: must be positive"));
  EXPECT_THAT(std::string(negative.status().message()), Not(HasSubstr("3600")));
}

TEST(ResolveLifetime, FractionalTtlIsRefused) {
  for (absl::Duration ttl : {absl::Milliseconds(1500), absl::Milliseconds(500),
                             absl::Nanoseconds(3600LL * 1000000000 + 1),
                             absl::Milliseconds(-1500)}) {
    EXPECT_THAT(Resolve(ttl, std::nullopt),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         "ttl: must be a whole number of seconds"))
        << ttl;
  }
}

TEST(ResolveLifetime, TtlOfExactlyMaxTtlIsAllowed) {
  ASSERT_OK_AND_ASSIGN(absl::Time expiry,
                       Resolve(absl::Hours(24), std::nullopt));
  EXPECT_EQ(expiry, kNowTime + absl::Hours(24));
}

TEST(ResolveLifetime, TtlOverMaxTtlIsRefusedWithoutEchoingIt) {
  const absl::StatusOr<absl::Time> expiry =
      Resolve(absl::Hours(24) + absl::Seconds(1), std::nullopt);
  EXPECT_THAT(expiry,
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ttl: longer than the maximum lifetime of 86400 s"));
  EXPECT_THAT(std::string(expiry.status().message()), Not(HasSubstr("86401")));
  EXPECT_THAT(Resolve(absl::Seconds(601), std::nullopt, kNowTime,
                      {.max_ttl = absl::Seconds(600)}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ttl: longer than the maximum lifetime of 600 s"));
}

// ---- ResolveLifetime: an expire_time ---------------------------------------

TEST(ResolveLifetime, ExpireTimeIsUsedAsIs) {
  ASSERT_OK_AND_ASSIGN(absl::Time expiry,
                       Resolve(std::nullopt, kNowTime + absl::Seconds(600)));
  EXPECT_EQ(expiry, kNowTime + absl::Seconds(600));
}

TEST(ResolveLifetime, ExpireTimeIsTruncatedToTheSecond) {
  const absl::Time expire_time =
      kNowTime + absl::Seconds(600) + absl::Milliseconds(700);
  ASSERT_OK_AND_ASSIGN(absl::Time expiry, Resolve(std::nullopt, expire_time));
  EXPECT_EQ(expiry, kNowTime + absl::Seconds(600));
  ASSERT_OK_AND_ASSIGN(
      absl::Time from_fraction,
      Resolve(std::nullopt, expire_time, kNowTime + absl::Milliseconds(900)));
  EXPECT_EQ(from_fraction, kNowTime + absl::Seconds(600));
}

TEST(ResolveLifetime, ExpireTimeNotAfterNowIsRefusedWithoutEchoingIt) {
  const absl::StatusOr<absl::Time> past =
      Resolve(std::nullopt, kNowTime - absl::Seconds(1));
  EXPECT_THAT(past, StatusIs(absl::StatusCode::kInvalidArgument,
                             "expire_time: must be after the signing time"));
  EXPECT_THAT(std::string(past.status().message()),
              Not(HasSubstr(absl::StrCat(kNow - 1))));
  EXPECT_THAT(Resolve(std::nullopt, kNowTime),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "expire_time: must be after the signing time"));
  // Both truncate to the same second: a zero lifetime.
  EXPECT_THAT(Resolve(std::nullopt, kNowTime + absl::Milliseconds(900),
                      kNowTime + absl::Milliseconds(100)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "expire_time: must be after the signing time"));
}

TEST(ResolveLifetime, ExpireTimeExactlyMaxTtlAheadIsAllowed) {
  ASSERT_OK_AND_ASSIGN(absl::Time expiry,
                       Resolve(std::nullopt, kNowTime + absl::Hours(24)));
  EXPECT_EQ(expiry, kNowTime + absl::Hours(24));
}

TEST(ResolveLifetime, ExpireTimeBeyondMaxTtlIsRefused) {
  EXPECT_THAT(
      Resolve(std::nullopt, kNowTime + absl::Hours(24) + absl::Seconds(1)),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "expire_time: longer than the maximum lifetime of 86400 s"));
  EXPECT_THAT(Resolve(std::nullopt, absl::InfiniteFuture()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expire_time: longer than")));
}

// ---- ResolveLifetime: both
// ---------------------------------------------------

TEST(ResolveLifetime, TtlAndExpireTimeTogetherAreRefused) {
  EXPECT_THAT(Resolve(absl::Hours(48), kNowTime + absl::Seconds(600)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ttl, expire_time: set at most one of them"));
  EXPECT_THAT(Resolve(absl::Seconds(600), kNowTime + absl::Seconds(600)),
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

TEST(CheckTokenSize, RefusesOnlyATokenOverTheLimitNamingTheField) {
  SigningLimits limits;
  limits.max_token_bytes = 4;
  EXPECT_THAT(CheckTokenSize("abcd", "scopes", limits), IsOk());
  EXPECT_THAT(CheckTokenSize("abcde", "grants", limits),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "grants: the token would be longer than 4 bytes"));
}

}  // namespace
}  // namespace captoken::token
