// Tests for jwt_verifier.h: options, and the JWT-level checks any Twilio
// token goes through (size, shape, MAC, header, exp/nbf).

#include "service/token/jwt_verifier.h"

#include <cstdint>
#include <cstdlib>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/clock.h"
#include "service/token/crypto.h"
#include "service/token/internal/base64url.h"
#include "service/token/jwt.h"
#include "service/token/verification_failure.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_keys.h"

namespace captoken::token {

// Test failures print a VerificationFailure by its name.
void PrintTo(VerificationFailure failure, std::ostream* os) {
  *os << VerificationFailureName(failure);
}

namespace {

using ::captoken::testing::TestKey;

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Optional;

constexpr int64_t kNow = 1700000000;
constexpr absl::string_view kAuthToken = "f0e1d2c3b4a5968778695a4b3c2d1e0f";
constexpr absl::string_view kNodeHeader = R"({"alg":"HS256","typ":"JWT"})";

// Spec §2.7, vector cc09: expires at 1700003600.
constexpr absl::string_view kCc09Token =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzY29wZSI6InNjb3BlOmNsaWVudDpvdXRnb2luZz9hcHBTaWQ9QVA4OWFiY2RlZjAxMjM0"
    "NTY3ODlhYmNkZWYwMTIzNDU2NyZjbGllbnROYW1lPWJvYiZhcHBQYXJhbXM9VG8lM0QlMjUy"
    "QjE1NTUxMjM0NTY3JTI2Q2FsbGVySWQlM0RjbGllbnQlMjUzQWJvYiIsImlzcyI6IkFDMDEy"
    "MzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYiLCJleHAiOjE3MDAwMDM2MDAsImlhdCI6"
    "MTcwMDAwMDAwMH0.iQBvegNFrIaEBG4jJ-_-If0UY52Qaj7V-LZF4T68xcE";

std::string B64(absl::string_view data) {
  std::string out;
  internal::AppendBase64Url(data, &out);
  return out;
}

std::string Craft(absl::string_view header_json, absl::string_view payload_json,
                  const HmacSha256Key& key) {
  return SignHs256Jwt(B64(header_json), payload_json, key);
}

class JwtVerifierTest : public ::testing::Test {
 protected:
  absl::StatusOr<VerifiedJwt> Verify(absl::string_view token,
                                     JwtVerifier::Options options = {}) {
    options.clock = &clock_;
    absl::StatusOr<JwtVerifier> verifier = JwtVerifier::Create(options);
    if (!verifier.ok()) return verifier.status();
    const HmacSha256Key* keys[] = {&key_};
    return verifier->Verify(token, keys);
  }

  // A token with exp (and nbf if given) at these offsets from now.
  std::string TokenAt(int64_t exp_offset) {
    return Craft(kNodeHeader,
                 absl::StrCat(R"({"exp":)", kNow + exp_offset, "}"), key_);
  }

  // A valid token exactly `length` bytes long, padded with a claim (every
  // length from a hundred bytes or so can be written).
  std::string TokenOfLength(size_t length) {
    for (size_t pad = length * 3 / 4 - 100; pad < length; ++pad) {
      std::string token =
          Craft(kNodeHeader,
                absl::StrCat(R"({"exp":)", kNow + 60, R"(,"pad":")",
                             std::string(pad, 'a'), R"("})"),
                key_);
      if (token.size() == length) return token;
      if (token.size() > length) break;
    }
    ADD_FAILURE() << "no token of " << length << " bytes";
    return "";
  }

  FixedClock clock_{absl::FromUnixSeconds(kNow)};
  const HmacSha256Key key_ = TestKey(kAuthToken);
  const HmacSha256Key old_key_ = TestKey("previous auth token");
};

// ---- Create ---------------------------------------------------------------

TEST(JwtVerifierCreate, DefaultOptionsAreValid) {
  EXPECT_THAT(JwtVerifier::Create({}), IsOk());
}

TEST(JwtVerifierCreate, DefaultsMatchTheSdks) {
  const JwtVerifier::Options options;
  EXPECT_EQ(options.clock, &Clock::Real());
  EXPECT_EQ(options.leeway, absl::ZeroDuration());
  EXPECT_EQ(options.max_token_bytes, kMaxVerifyTokenBytes);
}

TEST(JwtVerifierCreate, TheOneVerifyLimitIs16KiB) {
  // The server's VerifyToken and `captoken verify` both use it; a change is
  // a change to what both accept.
  EXPECT_EQ(kMaxVerifyTokenBytes, 16u * 1024);
}

TEST(JwtVerifierCreate, NullClockIsRefused) {
  EXPECT_THAT(JwtVerifier::Create({.clock = nullptr}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("clock: required")));
}

TEST(JwtVerifierCreate, LeewayMustBeBetweenZeroAndTenMinutes) {
  EXPECT_THAT(JwtVerifier::Create({.leeway = absl::ZeroDuration()}), IsOk());
  EXPECT_THAT(JwtVerifier::Create({.leeway = absl::Minutes(10)}), IsOk());
  for (absl::Duration leeway :
       {absl::Seconds(-1), absl::Nanoseconds(-1),
        absl::Minutes(10) + absl::Nanoseconds(1), absl::Hours(1),
        absl::InfiniteDuration(), -absl::InfiniteDuration()}) {
    EXPECT_THAT(JwtVerifier::Create({.leeway = leeway}),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("leeway: must be between 0 and 10 min")))
        << leeway;
  }
}

TEST(JwtVerifierCreate, ZeroMaxTokenBytesIsRefused) {
  EXPECT_THAT(JwtVerifier::Create({.max_token_bytes = 0}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("max_token_bytes: must be positive")));
  EXPECT_THAT(JwtVerifier::Create({.max_token_bytes = 1}), IsOk());
}

TEST(JwtVerifierCreateForAccount, AnyAccountOrOneAccountSid) {
  EXPECT_THAT(JwtVerifier::CreateForAccount({}, ""), IsOk());
  EXPECT_THAT(
      JwtVerifier::CreateForAccount({}, "AC0123456789abcdef0123456789abcdef"),
      IsOk());
  for (absl::string_view sid :
       {"AC0123456789abcdef0123456789abcde",
        "SK0123456789abcdef0123456789abcdef",
        "ac0123456789abcdef0123456789abcdef", "not a sid"}) {
    EXPECT_THAT(JwtVerifier::CreateForAccount({}, sid),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("expected_account_sid: must be \"AC\"")))
        << sid;
  }
}

TEST(JwtVerifierCreateForAccount, ChecksTheJwtOptionsToo) {
  EXPECT_THAT(JwtVerifier::CreateForAccount({.clock = nullptr}, ""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("clock: required")));
}

// ---- Verify ---------------------------------------------------------------

TEST_F(JwtVerifierTest, KnownTokenVerifiesWithItsTimes) {
  ASSERT_OK_AND_ASSIGN(VerifiedJwt verified, Verify(kCc09Token));
  EXPECT_EQ(verified.times.expire_time, absl::FromUnixSeconds(1700003600));
  EXPECT_THAT(verified.times.issue_time,
              Optional(absl::FromUnixSeconds(1700000000)));
  EXPECT_EQ(verified.times.not_before, std::nullopt);
  EXPECT_EQ(verified.jwt.header_json, kNodeHeader);
}

TEST_F(JwtVerifierTest, KnownTokenExpiresAtItsExp) {
  clock_.Set(absl::FromUnixSeconds(1700003599));
  EXPECT_THAT(Verify(kCc09Token), IsOk());
  clock_.Set(absl::FromUnixSeconds(1700003600));
  absl::StatusOr<VerifiedJwt> verified = Verify(kCc09Token);
  EXPECT_THAT(verified, StatusIs(absl::StatusCode::kUnauthenticated,
                                 HasSubstr("expired")));
  EXPECT_EQ(VerificationFailureOf(verified.status()),
            VerificationFailure::kExpired);
}

TEST_F(JwtVerifierTest, ReadsTheClockOnEveryCall) {
  ASSERT_OK_AND_ASSIGN(JwtVerifier verifier,
                       JwtVerifier::Create({.clock = &clock_}));
  const HmacSha256Key* keys[] = {&key_};
  const std::string token = TokenAt(10);
  EXPECT_THAT(verifier.Verify(token, keys), IsOk());
  clock_.Advance(absl::Seconds(10));
  EXPECT_EQ(VerificationFailureOf(verifier.Verify(token, keys).status()),
            VerificationFailure::kExpired);
}

TEST_F(JwtVerifierTest, TokenWithExpEqualToNowIsRejected) {
  EXPECT_EQ(VerificationFailureOf(Verify(TokenAt(0)).status()),
            VerificationFailure::kExpired);
}

TEST_F(JwtVerifierTest, TokenWithExpOneSecondAfterNowIsAccepted) {
  EXPECT_THAT(Verify(TokenAt(1)), IsOk());
}

TEST_F(JwtVerifierTest, LeewayAcceptsARecentlyExpiredToken) {
  EXPECT_THAT(Verify(TokenAt(-30), {.leeway = absl::Seconds(60)}), IsOk());
  EXPECT_EQ(VerificationFailureOf(
                Verify(TokenAt(-60), {.leeway = absl::Seconds(60)}).status()),
            VerificationFailure::kExpired);
}

TEST_F(JwtVerifierTest, NotBeforeBoundaries) {
  const auto token_with_nbf = [&](int64_t nbf_offset) {
    return Craft(kNodeHeader,
                 absl::StrCat(R"({"exp":)", kNow + 3600, R"(,"nbf":)",
                              kNow + nbf_offset, "}"),
                 key_);
  };
  EXPECT_THAT(Verify(token_with_nbf(0)), IsOk());
  EXPECT_THAT(Verify(token_with_nbf(-100)), IsOk());
  absl::StatusOr<VerifiedJwt> early = Verify(token_with_nbf(1));
  EXPECT_THAT(early, StatusIs(absl::StatusCode::kUnauthenticated,
                              HasSubstr("not yet valid")));
  EXPECT_EQ(VerificationFailureOf(early.status()),
            VerificationFailure::kNotYetValid);
  EXPECT_THAT(Verify(token_with_nbf(30), {.leeway = absl::Seconds(30)}),
              IsOk());
}

TEST_F(JwtVerifierTest, AcceptsTheAccessTokenHeaderExtras) {
  const std::string token =
      Craft(R"({"alg":"HS256","typ":"JWT","cty":"twilio-fpa;v=1","twr":"au1"})",
            absl::StrCat(R"({"exp":)", kNow + 60, "}"), key_);
  EXPECT_THAT(Verify(token), IsOk());
  EXPECT_THAT(kTwilioHeaderExtras, ::testing::ElementsAre("cty", "twr"));
}

TEST_F(JwtVerifierTest, RefusesOtherHeaderMembers) {
  const std::string token =
      Craft(R"({"alg":"HS256","typ":"JWT","kid":"SK0"})",
            absl::StrCat(R"({"exp":)", kNow + 60, "}"), key_);
  EXPECT_EQ(VerificationFailureOf(Verify(token).status()),
            VerificationFailure::kUnsupportedHeader);
}

TEST_F(JwtVerifierTest, ByDefaultATokenOfTheOneVerifyLimitIsAccepted) {
  const std::string at_limit = TokenOfLength(kMaxVerifyTokenBytes);
  ASSERT_EQ(at_limit.size(), kMaxVerifyTokenBytes);
  EXPECT_THAT(Verify(at_limit), IsOk());
  const std::string over = TokenOfLength(kMaxVerifyTokenBytes + 1);
  ASSERT_EQ(over.size(), kMaxVerifyTokenBytes + 1);
  absl::StatusOr<VerifiedJwt> verified = Verify(over);
  EXPECT_EQ(VerificationFailureOf(verified.status()),
            VerificationFailure::kTooLarge);
}

TEST_F(JwtVerifierTest, RefusesATokenOverTheSizeLimit) {
  const std::string token = TokenAt(60);
  EXPECT_THAT(Verify(token, {.max_token_bytes = token.size()}), IsOk());
  absl::StatusOr<VerifiedJwt> verified =
      Verify(token, {.max_token_bytes = token.size() - 1});
  EXPECT_THAT(verified, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("longer than")));
  EXPECT_EQ(VerificationFailureOf(verified.status()),
            VerificationFailure::kTooLarge);
}

TEST_F(JwtVerifierTest, RefusesAMissingOrNonIntegerExp) {
  for (absl::string_view payload :
       {R"({})", R"({"exp":1700003600.5})", R"({"exp":"1700003600"})",
        R"({"exp":17e8})"}) {
    SCOPED_TRACE(payload);
    EXPECT_EQ(VerificationFailureOf(
                  Verify(Craft(kNodeHeader, payload, key_)).status()),
              VerificationFailure::kMalformed);
  }
}

TEST_F(JwtVerifierTest, RefusesAWrongKey) {
  ASSERT_OK_AND_ASSIGN(JwtVerifier verifier,
                       JwtVerifier::Create({.clock = &clock_}));
  const HmacSha256Key* keys[] = {&old_key_};
  absl::StatusOr<VerifiedJwt> verified = verifier.Verify(TokenAt(60), keys);
  EXPECT_THAT(verified, StatusIs(absl::StatusCode::kUnauthenticated,
                                 HasSubstr("signature")));
  EXPECT_EQ(VerificationFailureOf(verified.status()),
            VerificationFailure::kBadSignature);
}

TEST_F(JwtVerifierTest, AcceptsAnyOfSeveralKeys) {
  ASSERT_OK_AND_ASSIGN(JwtVerifier verifier,
                       JwtVerifier::Create({.clock = &clock_}));
  const HmacSha256Key* keys[] = {&old_key_, &key_};
  EXPECT_THAT(verifier.Verify(TokenAt(60), keys), IsOk());
  const std::string old_token =
      Craft(kNodeHeader, absl::StrCat(R"({"exp":)", kNow + 60, "}"), old_key_);
  EXPECT_THAT(verifier.Verify(old_token, keys), IsOk());
}

TEST_F(JwtVerifierTest, BadSignatureIsReportedBeforeExpiry) {
  const std::string expired_under_old_key =
      Craft(kNodeHeader, absl::StrCat(R"({"exp":)", kNow - 60, "}"), old_key_);
  EXPECT_EQ(VerificationFailureOf(Verify(expired_under_old_key).status()),
            VerificationFailure::kBadSignature);
}

// ---- Authenticate and CheckTimes ------------------------------------------

TEST_F(JwtVerifierTest, AuthenticateDoesNotCheckTime) {
  ASSERT_OK_AND_ASSIGN(JwtVerifier verifier,
                       JwtVerifier::Create({.clock = &clock_}));
  const HmacSha256Key* keys[] = {&key_};
  ASSERT_OK_AND_ASSIGN(VerifiedJwt verified,
                       verifier.Authenticate(TokenAt(-3600), keys, {}));
  EXPECT_EQ(verified.times.expire_time, absl::FromUnixSeconds(kNow - 3600));
  EXPECT_EQ(VerificationFailureOf(verifier.CheckTimes(verified.times)),
            VerificationFailure::kExpired);
}

TEST_F(JwtVerifierTest, AuthenticateStillReadsTheTimeClaims) {
  ASSERT_OK_AND_ASSIGN(JwtVerifier verifier,
                       JwtVerifier::Create({.clock = &clock_}));
  const HmacSha256Key* keys[] = {&key_};
  EXPECT_EQ(
      VerificationFailureOf(
          verifier
              .Authenticate(Craft(kNodeHeader, R"({"iat":1})", key_), keys, {})
              .status()),
      VerificationFailure::kMalformed);
}

TEST_F(JwtVerifierTest, AuthenticateUsesTheCallersHeaderExtras) {
  ASSERT_OK_AND_ASSIGN(JwtVerifier verifier,
                       JwtVerifier::Create({.clock = &clock_}));
  const HmacSha256Key* keys[] = {&key_};
  const std::string token =
      Craft(R"({"alg":"HS256","cty":"twilio-fpa;v=1"})",
            absl::StrCat(R"({"exp":)", kNow + 60, "}"), key_);
  EXPECT_EQ(
      VerificationFailureOf(verifier.Authenticate(token, keys, {}).status()),
      VerificationFailure::kUnsupportedHeader);
  EXPECT_THAT(verifier.Authenticate(token, keys, kTwilioHeaderExtras), IsOk());
}

TEST_F(JwtVerifierTest, CheckTimesUsesTheLeeway) {
  ASSERT_OK_AND_ASSIGN(
      JwtVerifier verifier,
      JwtVerifier::Create({.clock = &clock_, .leeway = absl::Seconds(5)}));
  internal::TimeClaims times{absl::FromUnixSeconds(kNow - 4), std::nullopt,
                             std::nullopt};
  EXPECT_THAT(verifier.CheckTimes(times), IsOk());
  times.expire_time = absl::FromUnixSeconds(kNow - 5);
  EXPECT_EQ(VerificationFailureOf(verifier.CheckTimes(times)),
            VerificationFailure::kExpired);
}

}  // namespace
}  // namespace captoken::token
