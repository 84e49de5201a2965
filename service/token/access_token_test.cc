// Tests for access_token.h: the twilio-python-shaped C++ API.

#include "service/token/access_token.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/access_grant.h"
#include "service/token/clock.h"
#include "service/token/internal/base64url.h"
#include "service/token/json_value.h"
#include "service/token/jwt.h"
#include "tests/testing/status_matchers.h"

namespace captoken::token {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::string_view kAccountSid = "AC0123456789abcdef0123456789abcdef";
constexpr absl::string_view kKeySid = "SK00112233445566778899aabbccddeeff";
constexpr absl::string_view kSecret = "sEcReT0123456789sEcReT0123456789";

// Vector py5_at13 (twilio-python 5.7): AccessToken(AC, SK, secret,
// identity="alice", nbf=1699999940) with VideoGrant(configuration_profile_sid
// =VS), at 1700000000.123.
constexpr absl::string_view kPy5At13Token =
    "eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJIUzI1NiIsICJjdHkiOiAidHdpbGlvLWZwYTt2PTEi"
    "fQ.eyJqdGkiOiAiU0swMDExMjIzMzQ0NTU2Njc3ODg5OWFhYmJjY2RkZWVmZi0xNzAwMDAwM"
    "DAwIiwgImlzcyI6ICJTSzAwMTEyMjMzNDQ1NTY2Nzc4ODk5YWFiYmNjZGRlZWZmIiwgInN1Y"
    "iI6ICJBQzAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmIiwgImV4cCI6IDE3MDAwM"
    "DM2MDAsICJncmFudHMiOiB7ImlkZW50aXR5IjogImFsaWNlIiwgInZpZGVvIjogeyJjb25ma"
    "Wd1cmF0aW9uX3Byb2ZpbGVfc2lkIjogIlZTMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhY"
    "mNkZWYifX0sICJuYmYiOiAxNjk5OTk5OTQwfQ.58IGGj5hZXpZCoBqfG490nDKR-1E1I3ERj"
    "nZ2o86hSI";

// Vector at14 (twilio-node): region au1, VoiceGrant({incomingAllow: true}).
constexpr absl::string_view kAt14Token =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImN0eSI6InR3aWxpby1mcGE7dj0xIiwidHdy"
    "IjoiYXUxIn0.eyJqdGkiOiJTSzAwMTEyMjMzNDQ1NTY2Nzc4ODk5YWFiYmNjZGRlZWZmLTE3"
    "MDAwMDAwMDAiLCJncmFudHMiOnsiaWRlbnRpdHkiOiJhbGljZSIsInZvaWNlIjp7ImluY29t"
    "aW5nIjp7ImFsbG93Ijp0cnVlfX19LCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMzYw"
    "MCwiaXNzIjoiU0swMDExMjIzMzQ0NTU2Njc3ODg5OWFhYmJjY2RkZWVmZiIsInN1YiI6IkFD"
    "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYifQ.7TEKrLMqR3YSQbgJp_w8cdHs-"
    "hARritq_SVHC5JP4zA";

class AccessTokenTest : public ::testing::Test {
 protected:
  absl::StatusOr<AccessToken> Create(AccessToken::Options options = {}) {
    options.clock = &clock_;
    return AccessToken::Create(kAccountSid, kKeySid, kSecret, "alice",
                               std::move(options));
  }

  FixedClock clock_{absl::FromUnixMillis(1700000000123)};
};

TEST_F(AccessTokenTest, PortsPython5LineByLine) {
  ASSERT_OK_AND_ASSIGN(
      AccessToken token,
      Create({.not_before = absl::FromUnixSeconds(1699999940)}));
  token.AddGrant(VideoGrant{"", "VS0123456789abcdef0123456789abcdef"});
  ASSERT_OK_AND_ASSIGN(std::string jwt, token.ToJwt());
  EXPECT_EQ(jwt, kPy5At13Token);
}

TEST_F(AccessTokenTest, NodeProfileWithARegion) {
  ASSERT_OK_AND_ASSIGN(
      AccessToken token,
      Create({.profile = Profile::kTwilioNode, .region = "au1"}));
  VoiceGrant voice;
  voice.incoming_allow = true;
  ASSERT_OK_AND_ASSIGN(std::string jwt, token.AddGrant(voice).ToJwt("HS256"));
  EXPECT_EQ(jwt, kAt14Token);
}

TEST_F(AccessTokenTest, TtlOptionSetsTheLifetime) {
  ASSERT_OK_AND_ASSIGN(
      AccessToken token,
      Create({.profile = Profile::kTwilioNode, .ttl = absl::Seconds(600)}));
  ASSERT_OK_AND_ASSIGN(std::string jwt, token.ToJwt());
  ASSERT_OK_AND_ASSIGN(JwtSegments segments, SplitCompactJwt(jwt, 1 << 20));
  ASSERT_OK_AND_ASSIGN(std::string payload,
                       internal::StrictBase64UrlDecode(segments.payload));
  EXPECT_THAT(payload, HasSubstr(R"("exp":1700000600)"));
}

TEST_F(AccessTokenTest, ReadsTheClockAtEachToJwt) {
  ASSERT_OK_AND_ASSIGN(AccessToken token, Create());
  ASSERT_OK_AND_ASSIGN(std::string first, token.ToJwt());
  clock_.Advance(absl::Seconds(1));
  ASSERT_OK_AND_ASSIGN(std::string second, token.ToJwt());
  EXPECT_NE(first, second);
}

TEST_F(AccessTokenTest, SpecShowsWhatWouldBeSigned) {
  ASSERT_OK_AND_ASSIGN(AccessToken token, Create({.region = "ie1"}));
  token.AddGrant(ChatGrant()).AddGrant(SyncGrant());
  EXPECT_EQ(token.spec().account_sid, kAccountSid);
  EXPECT_EQ(token.spec().identity, "alice");
  EXPECT_EQ(token.spec().region, "ie1");
  EXPECT_EQ(token.spec().grants.size(), 2u);
  EXPECT_EQ(token.spec().profile, Profile::kTwilioPython);
}

TEST_F(AccessTokenTest, ToJwtRefusesOtherAlgorithms) {
  ASSERT_OK_AND_ASSIGN(AccessToken token, Create());
  EXPECT_THAT(token.ToJwt("HS384"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "algorithm: only HS256 is supported"));
}

TEST_F(AccessTokenTest, ToJwtReportsTheFirstBadGrant) {
  ASSERT_OK_AND_ASSIGN(AccessToken token, Create());
  token.AddGrant(VideoGrant()).AddGrant(ChatGrant{"IS-bad", "", "", ""});
  EXPECT_THAT(token.ToJwt(), StatusIs(absl::StatusCode::kInvalidArgument,
                                      HasSubstr("grants[1].chat.service_sid")));
}

TEST_F(AccessTokenTest, ToJwtRefusesBadOptions) {
  ASSERT_OK_AND_ASSIGN(AccessToken token, Create({.ttl = absl::Hours(25)}));
  EXPECT_THAT(token.ToJwt(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ttl: ")));
}

TEST(AccessTokenCreate, RefusesEachBadArgumentWithoutQuotingIt) {
  struct Case {
    absl::string_view account_sid, key_sid, secret, identity, message;
  };
  const Case cases[] = {
      {"", kKeySid, kSecret, "alice", "account_sid: required"},
      {"not-an-account", kKeySid, kSecret, "alice",
       "account_sid: must be \"AC\" followed by 32 hex digits"},
      {kAccountSid, "", kSecret, "alice", "api_key_sid: required"},
      {kAccountSid, "key id", kSecret, "alice",
       "api_key_sid: must be \"SK\" followed by 32 hex digits"},
      {kAccountSid, kKeySid, "", "alice", "api_key_secret: required"},
      {kAccountSid, kKeySid, kSecret, "", "identity: required"},
      {kAccountSid, kKeySid, kSecret, "bad\x02",
       "identity: contains a control character"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<AccessToken> token =
        AccessToken::Create(c.account_sid, c.key_sid, c.secret, c.identity);
    EXPECT_THAT(token, StatusIs(absl::StatusCode::kInvalidArgument,
                                std::string(c.message)));
    EXPECT_THAT(std::string(token.status().message()),
                Not(HasSubstr(std::string(kSecret))));
  }
}

TEST(AccessTokenCreate, RefusesANullClock) {
  EXPECT_THAT(AccessToken::Create(kAccountSid, kKeySid, kSecret, "alice",
                                  {.clock = nullptr}),
              StatusIs(absl::StatusCode::kInvalidArgument, "clock: required"));
}

TEST(AccessTokenCreate, IdentityLimitComesFromTheOptions) {
  AccessToken::Options options;
  options.limits.max_text_bytes = 3;
  EXPECT_THAT(AccessToken::Create(kAccountSid, kKeySid, kSecret, "alice",
                                  std::move(options)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "identity: longer than 3 bytes"));
}

}  // namespace
}  // namespace captoken::token
