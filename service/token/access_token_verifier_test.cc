// Tests for access_token_verifier.h: tokens of both profiles verify and
// read back as their specs, and every check fails with its
// VerificationFailure.

#include "service/token/access_token_verifier.h"

#include <cstdint>
#include <cstdlib>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/access_grant.h"
#include "service/token/access_token_signer.h"
#include "service/token/access_token_spec.h"
#include "service/token/api_key.h"
#include "service/token/clock.h"
#include "service/token/internal/base64url.h"
#include "service/token/json_value.h"
#include "service/token/jwt.h"
#include "service/token/verification_failure.h"
#include "tests/testing/status_matchers.h"

namespace captoken::token {

// Test failures print a VerificationFailure by its name.
void PrintTo(VerificationFailure failure, std::ostream* os) {
  *os << VerificationFailureName(failure);
}

namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

constexpr absl::string_view kAccountSid = "AC0123456789abcdef0123456789abcdef";
constexpr absl::string_view kOtherAccountSid =
    "ACfedcba9876543210fedcba9876543210";
constexpr absl::string_view kKeySid = "SK00112233445566778899aabbccddeeff";
constexpr absl::string_view kOtherKeySid = "SKffeeddccbbaa99887766554433221100";
constexpr absl::string_view kSecret = "sEcReT0123456789sEcReT0123456789";
constexpr absl::string_view kOtherSecret = "another secret";
constexpr absl::string_view kAppSid = "AP89abcdef0123456789abcdef01234567";
constexpr int64_t kNow = 1700000000;

constexpr absl::string_view kNodeHeader =
    R"({"alg":"HS256","typ":"JWT","cty":"twilio-fpa;v=1"})";

ApiKey KeyFor(absl::string_view sid, absl::string_view secret) {
  absl::StatusOr<ApiKey> key = ApiKey::Create(sid, secret);
  if (!key.ok()) std::abort();
  return *std::move(key);
}

AccessTokenSpec FullSpec(Profile profile) {
  AccessTokenSpec spec;
  spec.profile = profile;
  spec.account_sid = std::string(kAccountSid);
  spec.identity = "alice";
  VoiceGrant voice;
  voice.incoming_allow = true;
  voice.outgoing_application_sid = std::string(kAppSid);
  voice.outgoing_application_params =
      JsonValue::Object({{"n", JsonValue::Int(1)}});
  voice.push_credential_sid = "CR0123456789abcdef0123456789abcdef";
  voice.endpoint_id = "e1";
  spec.grants = {
      voice,
      ChatGrant{"IS0123456789abcdef0123456789abcdef", "e2",
                "RL0123456789abcdef0123456789abcdef", ""},
      VideoGrant{"room", ""},
      SyncGrant{"IS0123456789abcdef0123456789abcdef", ""},
      TaskRouterGrant{"WS0123456789abcdef0123456789abcdef", "", "worker"},
      PlaybackGrant{
          JsonValue::Object({{"playbackUrl", JsonValue::String("u")}})},
  };
  spec.region = "ie1";
  spec.not_before = absl::FromUnixSeconds(kNow - 10);
  return spec;
}

// A token with exactly `header` and `payload`, signed with `secret`.
std::string TokenWith(absl::string_view payload,
                      absl::string_view header = kNodeHeader,
                      absl::string_view secret = kSecret) {
  std::string encoded_header;
  internal::AppendBase64Url(header, &encoded_header);
  absl::StatusOr<HmacSha256Key> key = HmacSha256Key::Create(secret);
  if (!key.ok()) std::abort();
  return SignHs256Jwt(encoded_header, payload, *key);
}

// Minimal valid claims; `grants` is the grants object's inside after
// identity, `extra` is spliced in after it.
std::string Claims(absl::string_view grants = "",
                   absl::string_view extra = "") {
  return absl::StrCat(R"({"jti":"SK-1","grants":{"identity":"alice")", grants,
                      R"(},"exp":)", kNow + 60, R"(,"iss":")", kKeySid,
                      R"(","sub":")", kAccountSid, R"(")", extra, "}");
}

class AccessTokenVerifierTest : public ::testing::Test {
 protected:
  AccessTokenVerifier Verifier(std::string expected_account_sid = "") {
    absl::StatusOr<AccessTokenVerifier> verifier = AccessTokenVerifier::Create(
        {.jwt = {.clock = &clock_},
         .expected_account_sid = std::move(expected_account_sid)});
    if (!verifier.ok()) std::abort();
    return *std::move(verifier);
  }

  std::string Sign(const AccessTokenSpec& spec) {
    absl::StatusOr<SignedToken> signed_token = SignAccessToken(
        spec, key_, absl::FromUnixSeconds(kNow), SigningLimits());
    EXPECT_THAT(signed_token, IsOk());
    return signed_token.ok() ? signed_token->token : "";
  }

  VerificationFailure FailureOf(absl::string_view token) {
    return VerificationFailureOf(Verifier().Verify(token, key_).status());
  }

  FixedClock clock_{absl::FromUnixSeconds(kNow)};
  ApiKey key_ = KeyFor(kKeySid, kSecret);
};

// ---- what verifies
// ------------------------------------------------------------

TEST_F(AccessTokenVerifierTest, EachProfilesTokenReadsBackAsItsSpec) {
  for (Profile profile : {Profile::kTwilioNode, Profile::kTwilioPython}) {
    const AccessTokenSpec spec = FullSpec(profile);
    ASSERT_OK_AND_ASSIGN(
        VerifiedAccessToken verified,
        Verifier(std::string(kAccountSid)).Verify(Sign(spec), key_));
    const AccessTokenClaims& claims = verified.claims();
    EXPECT_EQ(claims.token_id, absl::StrCat(kKeySid, "-", kNow));
    EXPECT_EQ(claims.api_key_sid, kKeySid);
    EXPECT_EQ(claims.account_sid, kAccountSid);
    EXPECT_EQ(claims.identity, "alice");
    EXPECT_EQ(claims.grants, spec.grants);
    EXPECT_TRUE(claims.legacy_grants.empty());
    EXPECT_EQ(claims.region, "ie1");
    EXPECT_EQ(claims.expire_time, absl::FromUnixSeconds(kNow + 3600));
    EXPECT_THAT(claims.not_before, Optional(absl::FromUnixSeconds(kNow - 10)));
    EXPECT_EQ(claims.issue_time.has_value(), profile == Profile::kTwilioNode);
  }
}

TEST_F(AccessTokenVerifierTest, LegacyGrantsComeBackAsJson) {
  ASSERT_OK_AND_ASSIGN(
      VerifiedAccessToken verified,
      Verifier().Verify(
          TokenWith(Claims(R"(,"ip_messaging":{"service_sid":"IS1"},)"
                           R"("rtc":{"configuration_profile_sid":"VS1"})")),
          key_));
  ASSERT_EQ(verified.claims().legacy_grants.size(), 2u);
  EXPECT_EQ(verified.claims().legacy_grants[0].key, "ip_messaging");
  EXPECT_EQ(verified.claims().legacy_grants[1].key, "rtc");
  EXPECT_EQ(verified.claims().legacy_grants[1].payload,
            JsonValue::Object(
                {{"configuration_profile_sid", JsonValue::String("VS1")}}));
}

TEST_F(AccessTokenVerifierTest, IdentityIsOptionalAsInPython5) {
  const std::string payload =
      absl::StrReplaceAll(Claims(), {{R"("identity":"alice")", ""}});
  ASSERT_OK_AND_ASSIGN(VerifiedAccessToken verified,
                       Verifier().Verify(TokenWith(payload), key_));
  EXPECT_EQ(verified.claims().identity, "");
}

TEST_F(AccessTokenVerifierTest, AHeaderWithoutTypAndInAnyOrderVerifies) {
  EXPECT_EQ(FailureOf(TokenWith(Claims(),
                                R"({"cty":"twilio-fpa;v=1","alg":"HS256"})")),
            VerificationFailure::kNone);
}

TEST_F(AccessTokenVerifierTest, FindsTheKeyThatSignedAmongSeveral) {
  const std::string token = Sign(FullSpec(Profile::kTwilioNode));
  const ApiKey other = KeyFor(kOtherKeySid, kOtherSecret);
  const ApiKey* keys[] = {&other, &key_};
  EXPECT_THAT(Verifier().Verify(token, keys), IsOk());
}

// ---- what fails
// ---------------------------------------------------------------

TEST_F(AccessTokenVerifierTest, NoMatchingKeyIsABadSignature) {
  const std::string token = Sign(FullSpec(Profile::kTwilioNode));
  const ApiKey other = KeyFor(kOtherKeySid, kOtherSecret);
  AccessTokenClaims claims;
  absl::StatusOr<VerifiedAccessToken> verified =
      Verifier().Verify(token, other, &claims);
  EXPECT_EQ(VerificationFailureOf(verified.status()),
            VerificationFailure::kBadSignature);
  EXPECT_TRUE(claims.identity.empty()) << "claims of an unverified token";
  EXPECT_EQ(VerificationFailureOf(Verifier().Verify(token, {}).status()),
            VerificationFailure::kBadSignature);
}

TEST_F(AccessTokenVerifierTest, IssNamingAnotherKeyIsABadSignature) {
  // Signed with our secret, but claiming to come from another key.
  const std::string payload = absl::StrReplaceAll(
      Claims(), {{absl::StrCat(R"("iss":")", kKeySid),
                  absl::StrCat(R"("iss":")", kOtherKeySid)}});
  EXPECT_EQ(FailureOf(TokenWith(payload)), VerificationFailure::kBadSignature);
}

TEST_F(AccessTokenVerifierTest, MalformedBeforeTheMacStopsAtTheFirstKey) {
  const ApiKey other = KeyFor(kOtherKeySid, kOtherSecret);
  const ApiKey* keys[] = {&other, &key_};
  EXPECT_EQ(VerificationFailureOf(Verifier().Verify("a.b", keys).status()),
            VerificationFailure::kMalformed);
}

TEST_F(AccessTokenVerifierTest, HeaderProblemsAreUnsupportedHeaders) {
  for (absl::string_view header :
       {R"({"alg":"HS256","typ":"JWT"})",
        R"({"alg":"HS256","typ":"JWT","cty":"JWT"})",
        R"({"alg":"HS256","typ":"JWT","cty":"twilio-fpa;v=1","twr":1})",
        R"({"alg":"HS256","typ":"JWT","cty":"twilio-fpa;v=1","kid":"x"})",
        R"({"alg":"HS512","typ":"JWT","cty":"twilio-fpa;v=1"})"}) {
    EXPECT_EQ(FailureOf(TokenWith(Claims(), header)),
              VerificationFailure::kUnsupportedHeader)
        << header;
  }
}

TEST_F(AccessTokenVerifierTest, EachMalformedClaimIsMalformed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"unexpected claim", Claims("", R"(,"scope":"")")},
      {"no jti", absl::StrReplaceAll(Claims(), {{R"("jti":"SK-1",)", ""}})},
      {"jti not a string",
       absl::StrReplaceAll(Claims(), {{R"("jti":"SK-1")", R"("jti":1)"}})},
      {"no iss",
       absl::StrReplaceAll(
           Claims(), {{absl::StrCat(R"(,"iss":")", kKeySid, R"(")"), ""}})},
      {"iss not a key",
       absl::StrReplaceAll(Claims(), {{absl::StrCat(R"("iss":")", kKeySid),
                                       R"("iss":"key id)"}})},
      {"no sub",
       absl::StrReplaceAll(
           Claims(), {{absl::StrCat(R"(,"sub":")", kAccountSid, R"(")"), ""}})},
      {"sub not an account",
       absl::StrReplaceAll(
           Claims(),
           {{absl::StrCat(R"("sub":")", kAccountSid, R"(")"), R"("sub":42)"}})},
      {"no grants", absl::StrReplaceAll(
                        Claims(), {{R"("grants":{"identity":"alice"},)", ""}})},
      {"grants not an object",
       absl::StrReplaceAll(Claims(), {{R"({"identity":"alice"})", "[]"}})},
      {"identity not a string",
       absl::StrReplaceAll(Claims(),
                           {{R"("identity":"alice")", R"("identity":42)"}})},
      {"unexpected grant", Claims(R"(,"conversations":{})")},
      {"grant not an object", Claims(R"(,"video":"room")")},
      {"unexpected grant member", Claims(R"(,"video":{"room":"r","size":1})")},
      {"grant member not a string", Claims(R"(,"chat":{"service_sid":1})")},
      {"voice incoming not an object", Claims(R"(,"voice":{"incoming":true})")},
      {"voice incoming allow not a boolean",
       Claims(R"(,"voice":{"incoming":{"allow":"yes"}})")},
      {"voice incoming extra member",
       Claims(R"(,"voice":{"incoming":{"allow":true,"x":1}})")},
      {"voice outgoing not an object", Claims(R"(,"voice":{"outgoing":"AP"})")},
      {"voice outgoing extra member",
       Claims(R"(,"voice":{"outgoing":{"app":"AP"}})")},
      {"voice params not an object",
       Claims(R"(,"voice":{"outgoing":{"params":[]}})")},
      {"voice endpoint not a string",
       Claims(R"(,"voice":{"endpoint_id":null})")},
      {"sync member unknown", Claims(R"(,"data_sync":{"room":"r"})")},
      {"task_router member not a string",
       Claims(R"(,"task_router":{"role":{}})")},
      {"player not an object", Claims(R"(,"player":null)")},
      {"legacy grant not an object", Claims(R"(,"rtc":"VS1")")},
      {"exp not an integer",
       absl::StrReplaceAll(Claims(), {{absl::StrCat(kNow + 60), "1e9"}})},
  };
  ASSERT_EQ(FailureOf(TokenWith(Claims())), VerificationFailure::kNone);
  for (const auto& [what, payload] : cases) {
    absl::StatusOr<VerifiedAccessToken> verified =
        Verifier().Verify(TokenWith(payload), key_);
    EXPECT_EQ(VerificationFailureOf(verified.status()),
              VerificationFailure::kMalformed)
        << what << ": " << payload;
    EXPECT_THAT(std::string(verified.status().message()),
                Not(HasSubstr("alice")));
  }
}

TEST_F(AccessTokenVerifierTest, OtherAccountIsWrongAccountWithClaims) {
  const std::string token = Sign(FullSpec(Profile::kTwilioPython));
  AccessTokenClaims claims;
  absl::StatusOr<VerifiedAccessToken> verified =
      Verifier(std::string(kOtherAccountSid)).Verify(token, key_, &claims);
  EXPECT_EQ(VerificationFailureOf(verified.status()),
            VerificationFailure::kWrongAccount);
  EXPECT_EQ(claims.identity, "alice");
}

TEST_F(AccessTokenVerifierTest, ExpiredTokenFailsButItsClaimsAreReturned) {
  const std::string token = Sign(FullSpec(Profile::kTwilioNode));
  clock_.Set(absl::FromUnixSeconds(kNow + 3600));
  AccessTokenClaims claims;
  absl::StatusOr<VerifiedAccessToken> verified =
      Verifier().Verify(token, key_, &claims);
  EXPECT_EQ(VerificationFailureOf(verified.status()),
            VerificationFailure::kExpired);
  EXPECT_THAT(claims.grants, ::testing::SizeIs(6));
}

TEST_F(AccessTokenVerifierTest, FutureNbfIsNotYetValid) {
  EXPECT_EQ(
      FailureOf(TokenWith(Claims("", absl::StrCat(R"(,"nbf":)", kNow + 1)))),
      VerificationFailure::kNotYetValid);
  EXPECT_EQ(FailureOf(TokenWith(Claims("", absl::StrCat(R"(,"nbf":)", kNow)))),
            VerificationFailure::kNone);
}

TEST(AccessTokenVerifierCreate, RefusesBadOptions) {
  EXPECT_THAT(AccessTokenVerifier::Create({.jwt = {.clock = nullptr}}),
              StatusIs(absl::StatusCode::kInvalidArgument, "clock: required"));
  EXPECT_THAT(
      AccessTokenVerifier::Create({.expected_account_sid = "AC-secret"}),
      StatusIs(
          absl::StatusCode::kInvalidArgument,
          "expected_account_sid: must be \"AC\" followed by 32 hex digits"));
}

}  // namespace
}  // namespace captoken::token
