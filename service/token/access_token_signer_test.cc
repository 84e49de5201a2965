// Tests for access_token_signer.h: the header and claims each profile
// writes, byte for byte, and every way signing can fail.
// (access_token_vectors_test.cc checks whole tokens against the SDKs.)

#include "service/token/access_token_signer.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/access_grant.h"
#include "service/token/access_token_spec.h"
#include "service/token/api_key.h"
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
constexpr absl::string_view kAppSid = "AP89abcdef0123456789abcdef01234567";
constexpr int64_t kNow = 1700000000;
const absl::Time kVectorNow = absl::FromUnixMillis(1700000000123);

ApiKey Key() {
  absl::StatusOr<ApiKey> key = ApiKey::Create(kKeySid, kSecret);
  if (!key.ok()) std::abort();
  return *std::move(key);
}

AccessTokenSpec SpecFor(Profile profile) {
  AccessTokenSpec spec;
  spec.profile = profile;
  spec.account_sid = std::string(kAccountSid);
  spec.identity = "alice";
  return spec;
}

struct Parts {
  std::string header;
  std::string payload;
};

Parts Decode(absl::string_view token) {
  absl::StatusOr<JwtSegments> segments = SplitCompactJwt(token, 1 << 20);
  EXPECT_THAT(segments, IsOk());
  if (!segments.ok()) return {};
  return {internal::StrictBase64UrlDecode(segments->header).value_or(""),
          internal::StrictBase64UrlDecode(segments->payload).value_or("")};
}

absl::StatusOr<SignedToken> Sign(const AccessTokenSpec& spec,
                                 absl::Time now = kVectorNow,
                                 const SigningLimits& limits = {}) {
  return SignAccessToken(spec, Key(), now, limits);
}

Parts PartsOf(const AccessTokenSpec& spec) {
  absl::StatusOr<SignedToken> signed_token = Sign(spec);
  EXPECT_THAT(signed_token, IsOk());
  return signed_token.ok() ? Decode(signed_token->token) : Parts{};
}

// The grants claim of a token, as written.
std::string GrantsOf(const AccessTokenSpec& spec) {
  const std::string payload = PartsOf(spec).payload;
  const bool spaced = spec.profile == Profile::kTwilioPython;
  const size_t start = payload.find(spaced ? "\"grants\": " : "\"grants\":");
  if (start == std::string::npos) return "";
  const size_t begin = payload.find('{', start);
  int depth = 0;
  for (size_t i = begin; i < payload.size(); ++i) {
    if (payload[i] == '{') ++depth;
    if (payload[i] == '}' && --depth == 0) {
      return payload.substr(begin, i - begin + 1);
    }
  }
  return "";
}

// ---- headers
// ------------------------------------------------------------------

TEST(SignAccessToken, NodeHeaderIsJsonwebtokensWithTheContentType) {
  EXPECT_EQ(PartsOf(SpecFor(Profile::kTwilioNode)).header,
            R"({"alg":"HS256","typ":"JWT","cty":"twilio-fpa;v=1"})");
}

TEST(SignAccessToken, PythonHeaderIsPython5sDictUpdated) {
  EXPECT_EQ(PartsOf(SpecFor(Profile::kTwilioPython)).header,
            R"({"typ": "JWT", "alg": "HS256", "cty": "twilio-fpa;v=1"})");
}

TEST(SignAccessToken, RegionIsAppendedAsTwr) {
  AccessTokenSpec spec = SpecFor(Profile::kTwilioNode);
  spec.region = "au1";
  EXPECT_EQ(
      PartsOf(spec).header,
      R"({"alg":"HS256","typ":"JWT","cty":"twilio-fpa;v=1","twr":"au1"})");
  spec.profile = Profile::kTwilioPython;
  EXPECT_EQ(PartsOf(spec).header,
            R"({"typ": "JWT", "alg": "HS256", "cty": "twilio-fpa;v=1", )"
            R"("twr": "au1"})");
}

// PyJWT 1.x updates {"typ", "alg"} with the token's headers; PyJWT 2.5+
// (twilio-python 7+) sorts them.
TEST(SignAccessToken, Python6And7HeadersAreCompactInTheirPyJwtsOrder) {
  AccessTokenSpec spec = SpecFor(Profile::kTwilioPython6);
  EXPECT_EQ(PartsOf(spec).header,
            R"({"typ":"JWT","alg":"HS256","cty":"twilio-fpa;v=1"})");
  spec.region = "au1";
  EXPECT_EQ(
      PartsOf(spec).header,
      R"({"typ":"JWT","alg":"HS256","cty":"twilio-fpa;v=1","twr":"au1"})");
  spec.profile = Profile::kTwilioPython7;
  EXPECT_EQ(
      PartsOf(spec).header,
      R"({"alg":"HS256","cty":"twilio-fpa;v=1","twr":"au1","typ":"JWT"})");
  spec.region.clear();
  EXPECT_EQ(PartsOf(spec).header,
            R"({"alg":"HS256","cty":"twilio-fpa;v=1","typ":"JWT"})");
}

// ---- claims
// -------------------------------------------------------------------

TEST(SignAccessToken, NodeClaimOrder) {
  AccessTokenSpec spec = SpecFor(Profile::kTwilioNode);
  spec.not_before = absl::FromUnixSeconds(kNow - 60);
  ASSERT_OK_AND_ASSIGN(SignedToken signed_token, Sign(spec));
  EXPECT_EQ(Decode(signed_token.token).payload,
            absl::StrCat(R"({"jti":")", kKeySid,
                         R"(-1700000000","grants":{"identity":"alice"},)"
                         R"("nbf":1699999940,"iat":1700000000,)"
                         R"("exp":1700003600,"iss":")",
                         kKeySid, R"(","sub":")", kAccountSid, R"("})"));
  EXPECT_EQ(signed_token.issue_time, absl::FromUnixSeconds(kNow));
  EXPECT_EQ(signed_token.expire_time, absl::FromUnixSeconds(kNow + 3600));
}

TEST(SignAccessToken, PythonClaimOrder) {
  AccessTokenSpec spec = SpecFor(Profile::kTwilioPython);
  spec.not_before = absl::FromUnixSeconds(kNow - 60);
  EXPECT_EQ(PartsOf(spec).payload,
            absl::StrCat(R"({"jti": ")", kKeySid, R"(-1700000000", "iss": ")",
                         kKeySid, R"(", "sub": ")", kAccountSid,
                         R"(", "exp": 1700003600, )"
                         R"("grants": {"identity": "alice"}, )"
                         R"("nbf": 1699999940})"));
}

TEST(SignAccessToken, NoNbfUnlessGiven) {
  EXPECT_THAT(PartsOf(SpecFor(Profile::kTwilioNode)).payload,
              Not(HasSubstr("nbf")));
  EXPECT_THAT(PartsOf(SpecFor(Profile::kTwilioPython)).payload,
              Not(HasSubstr("nbf")));
}

// twilio-python 6+: {jti, grants{..., identity}} then iss, exp, nbf, sub.
TEST(SignAccessToken, Python6And7ClaimOrderPutsTheIdentityLast) {
  for (Profile profile : {Profile::kTwilioPython6, Profile::kTwilioPython7}) {
    SCOPED_TRACE(ProfileName(profile));
    AccessTokenSpec spec = SpecFor(profile);
    spec.grants.push_back(VideoGrant{"standup", ""});
    EXPECT_EQ(PartsOf(spec).payload,
              absl::StrCat(R"({"jti":")", kKeySid,
                           R"(-1700000000","grants":{"video":)"
                           R"({"room":"standup"},"identity":"alice"},)"
                           R"("iss":")",
                           kKeySid,
                           R"(","exp":1700003600,"nbf":1700000000,)"
                           R"("sub":")",
                           kAccountSid, R"("})"));
  }
}

// Python 6+'s nbf: the signing time by default (GENERATE), a given time,
// or none (nbf=None).
TEST(SignAccessToken, Python6And7NbfIsNowGivenOrOmitted) {
  AccessTokenSpec spec = SpecFor(Profile::kTwilioPython7);
  spec.not_before = absl::FromUnixSeconds(kNow - 60);
  EXPECT_THAT(PartsOf(spec).payload,
              HasSubstr(R"("exp":1700003600,"nbf":1699999940,"sub")"));
  spec.not_before.reset();
  spec.omit_not_before = true;
  EXPECT_THAT(PartsOf(spec).payload, Not(HasSubstr("nbf")));
  // The other profiles write none, asked or not.
  for (Profile profile : {Profile::kTwilioPython, Profile::kTwilioNode}) {
    spec.profile = profile;
    EXPECT_THAT(PartsOf(spec).payload, Not(HasSubstr("nbf")));
  }
}

TEST(SignAccessToken, ReadsNowOnceAndTruncatesIt) {
  AccessTokenSpec spec = SpecFor(Profile::kTwilioNode);
  spec.ttl = absl::Seconds(600);
  ASSERT_OK_AND_ASSIGN(SignedToken signed_token,
                       Sign(spec, absl::FromUnixMillis(1700000000999)));
  const std::string payload = Decode(signed_token.token).payload;
  EXPECT_THAT(payload, HasSubstr("-1700000000\""));
  EXPECT_THAT(payload, HasSubstr(R"("iat":1700000000,"exp":1700000600,)"));
}

TEST(SignAccessToken, HonoursAnExpireTime) {
  AccessTokenSpec spec = SpecFor(Profile::kTwilioPython);
  spec.expire_time = absl::FromUnixSeconds(kNow + 86400);
  EXPECT_THAT(PartsOf(spec).payload, HasSubstr(R"("exp": 1700086400,)"));
}

// ---- grants
// -------------------------------------------------------------------

TEST(SignAccessToken, WritesEveryGrantInNodesMemberOrder) {
  AccessTokenSpec spec = SpecFor(Profile::kTwilioNode);
  VoiceGrant voice;
  voice.incoming_allow = true;
  voice.outgoing_application_sid = std::string(kAppSid);
  voice.outgoing_application_params = JsonValue::Object(
      {{"foo", JsonValue::String("bar")},
       {"nested",
        JsonValue::Object({{"deep", JsonValue::Array({JsonValue::Int(1)})}})}});
  voice.push_credential_sid = "CR0123456789abcdef0123456789abcdef";
  voice.endpoint_id = "e1";
  spec.grants = {
      voice,
      ChatGrant{"IS0123456789abcdef0123456789abcdef", "e2",
                "RL0123456789abcdef0123456789abcdef",
                "CR0123456789abcdef0123456789abcdef"},
      VideoGrant{"room", "VS0123456789abcdef0123456789abcdef"},
      SyncGrant{"IS0123456789abcdef0123456789abcdef", "e3"},
      TaskRouterGrant{"WS0123456789abcdef0123456789abcdef",
                      "WK0123456789abcdef0123456789abcdef", "worker"},
      PlaybackGrant{JsonValue::Object(
          {{"z", JsonValue::Null()}, {"a", JsonValue::Bool(false)}})},
  };
  EXPECT_EQ(
      GrantsOf(spec),
      absl::StrCat(
          R"({"identity":"alice","voice":{"incoming":{"allow":true},)",
          R"("outgoing":{"application_sid":")", kAppSid,
          R"(","params":{"foo":"bar","nested":{"deep":[1]}}},)",
          R"("push_credential_sid":"CR0123456789abcdef0123456789abcdef",)",
          R"("endpoint_id":"e1"},)",
          R"("chat":{"service_sid":"IS0123456789abcdef0123456789abcdef",)",
          R"("endpoint_id":"e2",)",
          R"("deployment_role_sid":"RL0123456789abcdef0123456789abcdef",)",
          R"("push_credential_sid":"CR0123456789abcdef0123456789abcdef"},)",
          R"("video":{"room":"room",)",
          R"("configuration_profile_sid":"VS0123456789abcdef0123456789abcdef"},)",
          R"("data_sync":{"service_sid":"IS0123456789abcdef0123456789abcdef",)",
          R"("endpoint_id":"e3"},)",
          R"("task_router":{"workspace_sid":"WS0123456789abcdef0123456789abcdef",)",
          R"("worker_sid":"WK0123456789abcdef0123456789abcdef","role":"worker"},)",
          R"("player":{"z":null,"a":false}})"));
}

TEST(SignAccessToken, EmptyGrantFieldsAreLeftOut) {
  AccessTokenSpec spec = SpecFor(Profile::kTwilioNode);
  spec.grants = {VoiceGrant(), ChatGrant(), VideoGrant(), SyncGrant(),
                 TaskRouterGrant()};
  EXPECT_EQ(GrantsOf(spec),
            R"({"identity":"alice","voice":{},"chat":{},"video":{},)"
            R"("data_sync":{},"task_router":{}})");
}

TEST(SignAccessToken, EmptyParamsAreWrittenByNodeAndLeftOutByPython) {
  AccessTokenSpec spec = SpecFor(Profile::kTwilioNode);
  VoiceGrant voice;
  voice.outgoing_application_sid = std::string(kAppSid);
  voice.outgoing_application_params = JsonValue::Object({});
  spec.grants = {voice};
  EXPECT_THAT(GrantsOf(spec), HasSubstr(R"("params":{})"));
  spec.profile = Profile::kTwilioPython;
  EXPECT_THAT(GrantsOf(spec), Not(HasSubstr("params")));
}

TEST(SignAccessToken, PythonWritesGrantsSpacedWithEscapes) {
  AccessTokenSpec spec = SpecFor(Profile::kTwilioPython);
  spec.identity = "Zo\u00eb";
  spec.grants = {VideoGrant{"r\u00e9", ""}};
  EXPECT_EQ(GrantsOf(spec),
            R"({"identity": "Zo\u00eb", "video": {"room": "r\u00e9"}})");
}

TEST(SignAccessToken, ALaterGrantOfAKindReplacesTheEarlierInPlace) {
  AccessTokenSpec spec = SpecFor(Profile::kTwilioNode);
  spec.grants = {VideoGrant{"first", ""}, ChatGrant(), VideoGrant{"second", ""},
                 VideoGrant{"third", ""}};
  EXPECT_EQ(GrantsOf(spec),
            R"({"identity":"alice","video":{"room":"third"},"chat":{}})");
}

// ---- failures
// -----------------------------------------------------------------

TEST(SignAccessToken, RefusesAnInvalidSpec) {
  AccessTokenSpec spec = SpecFor(Profile::kTwilioNode);
  spec.algorithm = "HS512";
  EXPECT_THAT(Sign(spec), StatusIs(absl::StatusCode::kInvalidArgument,
                                   "algorithm: only HS256 is supported"));
}

TEST(SignAccessToken, RefusesALifetimeOutOfBounds) {
  AccessTokenSpec spec = SpecFor(Profile::kTwilioNode);
  spec.ttl = absl::Hours(24) + absl::Seconds(1);
  EXPECT_THAT(Sign(spec),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ttl: longer than the maximum lifetime of 86400 s"));
  spec.ttl = absl::Milliseconds(1500);
  EXPECT_THAT(Sign(spec), StatusIs(absl::StatusCode::kInvalidArgument,
                                   "ttl: must be a whole number of seconds"));
}

TEST(CheckAccessToken, RefusesANotBeforeAtOrAfterTheExpiry) {
  AccessTokenSpec spec = SpecFor(Profile::kTwilioNode);
  spec.ttl = absl::Seconds(60);
  spec.not_before = absl::FromUnixSeconds(kNow + 60);
  EXPECT_THAT(CheckAccessToken(spec, kVectorNow, SigningLimits()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "not_before: must be before the expiry"));
  spec.not_before = absl::FromUnixSeconds(kNow + 59);
  EXPECT_THAT(CheckAccessToken(spec, kVectorNow, SigningLimits()), IsOk());
}

TEST(CheckAccessToken, ResolvesTheLifetimeBeforeSigning) {
  AccessTokenSpec spec = SpecFor(Profile::kTwilioPython);
  spec.ttl = absl::Minutes(10);
  ASSERT_OK_AND_ASSIGN(CheckedAccessToken checked,
                       CheckAccessToken(spec, kVectorNow, SigningLimits()));
  EXPECT_EQ(&checked.spec(), &spec);
  EXPECT_EQ(checked.issue_time(), absl::FromUnixSeconds(kNow));
  EXPECT_EQ(checked.expire_time(), absl::FromUnixSeconds(kNow + 600));
  EXPECT_EQ(checked.lifetime(), absl::Minutes(10));
  ASSERT_OK_AND_ASSIGN(SignedToken signed_token,
                       SignCheckedAccessToken(checked, Key(), SigningLimits()));
  ASSERT_OK_AND_ASSIGN(SignedToken direct, Sign(spec));
  EXPECT_EQ(signed_token.token, direct.token);
}

TEST(SignAccessToken, RefusesATokenLongerThanTheLimit) {
  AccessTokenSpec spec = SpecFor(Profile::kTwilioNode);
  SigningLimits limits;
  limits.max_token_bytes = 100;
  absl::StatusOr<SignedToken> signed_token = Sign(spec, kVectorNow, limits);
  EXPECT_THAT(signed_token,
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "grants: the token would be longer than 100 bytes"));
  EXPECT_THAT(std::string(signed_token.status().message()),
              Not(HasSubstr(std::string(kSecret))));
}

TEST(SignAccessToken, SignsWithTheApiKeySecret) {
  ASSERT_OK_AND_ASSIGN(SignedToken signed_token,
                       Sign(SpecFor(Profile::kTwilioNode)));
  ASSERT_OK_AND_ASSIGN(JwtSegments segments,
                       SplitCompactJwt(signed_token.token, 1 << 20));
  EXPECT_THAT(VerifyHs256Mac(segments, Key().hmac_key()), IsOk());
}

}  // namespace
}  // namespace captoken::token
