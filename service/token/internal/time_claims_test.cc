// Tests for time_claims.h: reading exp/iat/nbf and the boundaries of the
// expiry and not-before checks (exp <= now is expired; nbf > now is early).

#include "service/token/internal/time_claims.h"

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/json_value.h"
#include "service/token/verification_failure.h"
#include "tests/testing/status_matchers.h"

namespace captoken::token::internal {

// Test failures print a VerificationFailure by its name.
void PrintTo(VerificationFailure failure, std::ostream* os) {
  *os << VerificationFailureName(failure);
}

namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Optional;

constexpr int64_t kNow = 1700000000;

absl::StatusOr<TimeClaims> Read(absl::string_view payload_json) {
  absl::StatusOr<JsonValue> payload = ParseJson(payload_json);
  if (!payload.ok()) return payload.status();
  return ReadTimeClaims(*payload);
}

// ---- IsTimeClaim ----------------------------------------------------------

TEST(IsTimeClaim, NamesExactlyExpIatAndNbf) {
  EXPECT_TRUE(IsTimeClaim("exp"));
  EXPECT_TRUE(IsTimeClaim("iat"));
  EXPECT_TRUE(IsTimeClaim("nbf"));
  for (absl::string_view name :
       {"", "iss", "scope", "jti", "sub", "EXP", "exp ", "expires", "ex"}) {
    EXPECT_FALSE(IsTimeClaim(name)) << name;
  }
}

// ---- ReadTimeClaims -------------------------------------------------------

TEST(ReadTimeClaims, ReadsExpAlone) {
  ASSERT_OK_AND_ASSIGN(TimeClaims times,
                       Read(R"({"scope":"s","exp":1700003600})"));
  EXPECT_EQ(times.expire_time, absl::FromUnixSeconds(1700003600));
  EXPECT_EQ(times.issue_time, std::nullopt);
  EXPECT_EQ(times.not_before, std::nullopt);
}

TEST(ReadTimeClaims, ReadsAllThree) {
  ASSERT_OK_AND_ASSIGN(TimeClaims times,
                       Read(R"({"nbf":1699999990,"iat":1700000000,)"
                            R"("exp":1700003600})"));
  EXPECT_EQ(times.expire_time, absl::FromUnixSeconds(1700003600));
  EXPECT_THAT(times.issue_time, Optional(absl::FromUnixSeconds(1700000000)));
  EXPECT_THAT(times.not_before, Optional(absl::FromUnixSeconds(1699999990)));
}

TEST(ReadTimeClaims, AcceptsZeroAndNegativeIntegers) {
  ASSERT_OK_AND_ASSIGN(TimeClaims zero, Read(R"({"exp":0})"));
  EXPECT_EQ(zero.expire_time, absl::UnixEpoch());
  ASSERT_OK_AND_ASSIGN(TimeClaims negative, Read(R"({"exp":-1,"nbf":-5})"));
  EXPECT_EQ(negative.expire_time, absl::FromUnixSeconds(-1));
  EXPECT_THAT(negative.not_before, Optional(absl::FromUnixSeconds(-5)));
}

TEST(ReadTimeClaims, MissingExpIsMalformed) {
  for (absl::string_view payload :
       {R"({})", R"({"iat":1700000000})", R"({"nbf":1,"iat":1})",
        R"({"EXP":1700003600})"}) {
    SCOPED_TRACE(payload);
    absl::StatusOr<TimeClaims> times = Read(payload);
    EXPECT_THAT(times, StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("no exp claim")));
    EXPECT_EQ(VerificationFailureOf(times.status()),
              VerificationFailure::kMalformed);
  }
}

TEST(ReadTimeClaims, NonIntegerTimesAreMalformed) {
  for (absl::string_view value :
       {"1.5", "1700003600.0", R"("1700003600")", "1e9", "1E9", "1.7e9", "true",
        "null", "[1700003600]", R"({"t":1})", "9223372036854775808",
        "-9223372036854775809"}) {
    for (absl::string_view claim : {"exp", "iat", "nbf"}) {
      SCOPED_TRACE(absl::StrCat(claim, ": ", value));
      const std::string payload =
          claim == "exp" ? absl::StrCat(R"({"exp":)", value, "}")
                         : absl::StrCat(R"({"exp":1700003600,")", claim,
                                        R"(":)", value, "}");
      absl::StatusOr<TimeClaims> times = Read(payload);
      EXPECT_THAT(
          times,
          StatusIs(absl::StatusCode::kInvalidArgument,
                   HasSubstr(absl::StrCat(claim, " is not an integer"))));
      EXPECT_EQ(VerificationFailureOf(times.status()),
                VerificationFailure::kMalformed);
    }
  }
}

TEST(ReadTimeClaims, TimesOutsideTheProtobufTimestampRangeAreMalformed) {
  // A verdict carries its times as google.protobuf.Timestamp, which holds
  // 0001-01-01 to 9999-12-31 only: a correctly signed token outside that
  // range would otherwise verify and then have no JSON form to print.
  for (absl::string_view value :
       {"9223372036854775807", "253402300800" /* 10000-01-01 */,
        "-62135596801" /* 0000-12-31T23:59:59 */, "-9223372036854775808"}) {
    for (absl::string_view claim : {"exp", "iat", "nbf"}) {
      SCOPED_TRACE(absl::StrCat(claim, ": ", value));
      const std::string payload =
          claim == "exp" ? absl::StrCat(R"({"exp":)", value, "}")
                         : absl::StrCat(R"({"exp":1700003600,")", claim,
                                        R"(":)", value, "}");
      absl::StatusOr<TimeClaims> times = Read(payload);
      EXPECT_THAT(times,
                  StatusIs(absl::StatusCode::kInvalidArgument,
                           HasSubstr(absl::StrCat(claim, " is out of range"))));
      EXPECT_EQ(VerificationFailureOf(times.status()),
                VerificationFailure::kMalformed);
      EXPECT_THAT(std::string(times.status().message()),
                  ::testing::Not(HasSubstr(value)));
    }
  }
}

TEST(ReadTimeClaims, TheEndsOfTheProtobufTimestampRangeAreAccepted) {
  for (int64_t seconds : {kMinTimeClaimSeconds, kMaxTimeClaimSeconds}) {
    SCOPED_TRACE(seconds);
    ASSERT_OK_AND_ASSIGN(
        TimeClaims times,
        Read(absl::StrCat(R"({"exp":)", seconds, R"(,"iat":)", seconds,
                          R"(,"nbf":)", seconds, "}")));
    EXPECT_EQ(times.expire_time, absl::FromUnixSeconds(seconds));
    EXPECT_THAT(times.issue_time, Optional(absl::FromUnixSeconds(seconds)));
    EXPECT_THAT(times.not_before, Optional(absl::FromUnixSeconds(seconds)));
  }
  // The constants are the documented range: 0001-01-01T00:00:00Z and
  // 9999-12-31T23:59:59Z.
  EXPECT_EQ(absl::ToCivilSecond(absl::FromUnixSeconds(kMinTimeClaimSeconds),
                                absl::UTCTimeZone()),
            absl::CivilSecond(1, 1, 1, 0, 0, 0));
  EXPECT_EQ(absl::ToCivilSecond(absl::FromUnixSeconds(kMaxTimeClaimSeconds),
                                absl::UTCTimeZone()),
            absl::CivilSecond(9999, 12, 31, 23, 59, 59));
}

TEST(ReadTimeClaims, MessagesNeverQuoteTheValue) {
  absl::StatusOr<TimeClaims> times = Read(R"({"exp":"31337313373"})");
  ASSERT_FALSE(times.ok());
  EXPECT_THAT(std::string(times.status().message()),
              ::testing::Not(HasSubstr("31337")));
}

// ---- CheckTimeClaims ------------------------------------------------------

TimeClaims ExpiringAt(int64_t exp) {
  return TimeClaims{absl::FromUnixSeconds(exp), std::nullopt, std::nullopt};
}

TimeClaims ValidFrom(int64_t nbf) {
  return TimeClaims{absl::FromUnixSeconds(kNow + 3600), std::nullopt,
                    absl::FromUnixSeconds(nbf)};
}

absl::Status CheckAtNow(const TimeClaims& claims,
                        absl::Duration leeway = absl::ZeroDuration()) {
  return CheckTimeClaims(claims, absl::FromUnixSeconds(kNow), leeway);
}

TEST(CheckTimeClaims, TokenWithExpInTheFutureIsValid) {
  EXPECT_THAT(CheckAtNow(ExpiringAt(kNow + 3600)), IsOk());
}

TEST(CheckTimeClaims, TokenWithExpOneSecondAfterNowIsValid) {
  EXPECT_THAT(CheckAtNow(ExpiringAt(kNow + 1)), IsOk());
}

TEST(CheckTimeClaims, TokenWithExpEqualToNowIsExpired) {
  const absl::Status status = CheckAtNow(ExpiringAt(kNow));
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnauthenticated,
                               HasSubstr("token expired")));
  EXPECT_EQ(VerificationFailureOf(status), VerificationFailure::kExpired);
}

TEST(CheckTimeClaims, TokenWithExpInThePastIsExpired) {
  EXPECT_EQ(VerificationFailureOf(CheckAtNow(ExpiringAt(kNow - 1))),
            VerificationFailure::kExpired);
  EXPECT_EQ(VerificationFailureOf(CheckAtNow(ExpiringAt(0))),
            VerificationFailure::kExpired);
}

TEST(CheckTimeClaims, ExpIsComparedWithTheExactNowNotItsSecond) {
  // At now = 1700000000.5, exp = 1700000000 is past and 1700000001 is not.
  const absl::Time now = absl::FromUnixMillis(kNow * 1000 + 500);
  EXPECT_EQ(VerificationFailureOf(
                CheckTimeClaims(ExpiringAt(kNow), now, absl::ZeroDuration())),
            VerificationFailure::kExpired);
  EXPECT_THAT(CheckTimeClaims(ExpiringAt(kNow + 1), now, absl::ZeroDuration()),
              IsOk());
}

TEST(CheckTimeClaims, LeewayExtendsExpiry) {
  EXPECT_THAT(CheckAtNow(ExpiringAt(kNow - 30), absl::Seconds(60)), IsOk());
  EXPECT_THAT(CheckAtNow(ExpiringAt(kNow - 59), absl::Seconds(60)), IsOk());
  EXPECT_EQ(VerificationFailureOf(
                CheckAtNow(ExpiringAt(kNow - 60), absl::Seconds(60))),
            VerificationFailure::kExpired);
  EXPECT_EQ(VerificationFailureOf(
                CheckAtNow(ExpiringAt(kNow - 61), absl::Seconds(60))),
            VerificationFailure::kExpired);
}

TEST(CheckTimeClaims, TokenWithNbfEqualToNowIsValid) {
  EXPECT_THAT(CheckAtNow(ValidFrom(kNow)), IsOk());
}

TEST(CheckTimeClaims, TokenWithNbfInThePastIsValid) {
  EXPECT_THAT(CheckAtNow(ValidFrom(kNow - 1)), IsOk());
}

TEST(CheckTimeClaims, TokenWithNbfInTheFutureIsNotYetValid) {
  const absl::Status status = CheckAtNow(ValidFrom(kNow + 1));
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnauthenticated,
                               HasSubstr("not yet valid")));
  EXPECT_EQ(VerificationFailureOf(status), VerificationFailure::kNotYetValid);
}

TEST(CheckTimeClaims, LeewayExtendsNotBefore) {
  EXPECT_THAT(CheckAtNow(ValidFrom(kNow + 60), absl::Seconds(60)), IsOk());
  EXPECT_EQ(VerificationFailureOf(
                CheckAtNow(ValidFrom(kNow + 61), absl::Seconds(60))),
            VerificationFailure::kNotYetValid);
}

TEST(CheckTimeClaims, IatIsNotChecked) {
  TimeClaims claims = ExpiringAt(kNow + 60);
  claims.issue_time = absl::FromUnixSeconds(kNow + 10000);  // In the future.
  EXPECT_THAT(CheckAtNow(claims), IsOk());
}

TEST(CheckTimeClaims, ExpiryIsReportedBeforeNotBefore) {
  TimeClaims claims = ExpiringAt(kNow - 1);
  claims.not_before = absl::FromUnixSeconds(kNow + 1);
  EXPECT_EQ(VerificationFailureOf(CheckAtNow(claims)),
            VerificationFailure::kExpired);
}

}  // namespace
}  // namespace captoken::token::internal
