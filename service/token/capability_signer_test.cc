// Tests for capability_signer.h: tokens byte for byte as each SDK profile
// writes them, and every way signing can fail.

#include "service/token/capability_signer.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/capability_scope.h"
#include "service/token/capability_spec.h"
#include "service/token/crypto.h"
#include "service/token/internal/base64url.h"
#include "service/token/jwt.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_keys.h"

namespace captoken::token {
namespace {

using ::captoken::testing::TestKey;

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::string_view kAccountSid = "AC0123456789abcdef0123456789abcdef";
constexpr absl::string_view kAuthToken = "f0e1d2c3b4a5968778695a4b3c2d1e0f";
constexpr absl::string_view kAppSid = "AP89abcdef0123456789abcdef01234567";
constexpr int64_t kNow = 1700000000;

// The vectors' clock: 1700000000.123 s.
const absl::Time kVectorNow = absl::FromUnixMillis(1700000000123);

// Spec §2.7, vector cc09 (twilio-node).
constexpr absl::string_view kCc09Token =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzY29wZSI6InNjb3BlOmNsaWVudDpvdXRnb2luZz9hcHBTaWQ9QVA4OWFiY2RlZjAxMjM0"
    "NTY3ODlhYmNkZWYwMTIzNDU2NyZjbGllbnROYW1lPWJvYiZhcHBQYXJhbXM9VG8lM0QlMjUy"
    "QjE1NTUxMjM0NTY3JTI2Q2FsbGVySWQlM0RjbGllbnQlMjUzQWJvYiIsImlzcyI6IkFDMDEy"
    "MzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYiLCJleHAiOjE3MDAwMDM2MDAsImlhdCI6"
    "MTcwMDAwMDAwMH0.iQBvegNFrIaEBG4jJ-_-If0UY52Qaj7V-LZF4T68xcE";

// Vector py5_cc10 (twilio-python 5.7): allow_client_incoming("alice"), then
// allow_client_outgoing(app).
constexpr absl::string_view kPy5Cc10Token =
    "eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJIUzI1NiJ9."
    "eyJzY29wZSI6ICJzY29wZTpjbGllbnQ6aW5jb21pbmc_Y2xpZW50TmFtZT1hbGljZSBzY29w"
    "ZTpjbGllbnQ6b3V0Z29pbmc_YXBwU2lkPUFQODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmMDEy"
    "MzQ1NjcmY2xpZW50TmFtZT1hbGljZSIsICJpc3MiOiAiQUMwMTIzNDU2Nzg5YWJjZGVmMDEy"
    "MzQ1Njc4OWFiY2RlZiIsICJleHAiOiAxNzAwMDAzNjAwfQ."
    "jzBIiyZ9l_2-vF2jX7wVTj8J0831r91OiDmh6h-5faE";

CapabilitySpec SpecFor(Profile profile, std::vector<CapabilityScope> scopes) {
  CapabilitySpec spec;
  spec.account_sid = std::string(kAccountSid);
  spec.scopes = std::move(scopes);
  spec.profile = profile;
  return spec;
}

CapabilitySpec Cc09Spec() {
  return SpecFor(
      Profile::kTwilioNode,
      {ClientOutgoingScope{std::string(kAppSid),
                           {{"To", "+15551234567"}, {"CallerId", "client:bob"}},
                           "bob"}});
}

// The decoded header and payload of a token, or an error.
struct Parts {
  std::string header;
  std::string payload;
};

absl::StatusOr<Parts> Decode(absl::string_view token) {
  absl::StatusOr<JwtSegments> segments = SplitCompactJwt(token, 1 << 20);
  if (!segments.ok()) return segments.status();
  absl::StatusOr<std::string> header =
      internal::StrictBase64UrlDecode(segments->header);
  if (!header.ok()) return header.status();
  absl::StatusOr<std::string> payload =
      internal::StrictBase64UrlDecode(segments->payload);
  if (!payload.ok()) return payload.status();
  return Parts{*std::move(header), *std::move(payload)};
}

class CapabilitySignerTest : public ::testing::Test {
 protected:
  absl::StatusOr<SignedToken> Sign(const CapabilitySpec& spec,
                                   absl::Time now = absl::FromUnixSeconds(kNow),
                                   const SigningLimits& limits = {}) {
    return SignCapabilityToken(spec, key_, now, limits);
  }

  // Signs, expecting failure, and checks that the message holds neither
  // the auth token nor `value`.
  absl::Status SignFailure(const CapabilitySpec& spec,
                           absl::string_view value = "",
                           const SigningLimits& limits = {}) {
    absl::StatusOr<SignedToken> signed_token =
        Sign(spec, absl::FromUnixSeconds(kNow), limits);
    EXPECT_FALSE(signed_token.ok());
    if (signed_token.ok()) return absl::OkStatus();
    const std::string message(signed_token.status().message());
    EXPECT_THAT(message, Not(HasSubstr(std::string(kAuthToken))));
    if (!value.empty()) {
      EXPECT_THAT(message, Not(HasSubstr(std::string(value))));
    }
    return signed_token.status();
  }

  const HmacSha256Key key_ = TestKey(kAuthToken);
};

// ---- known answers --------------------------------------------------------

TEST_F(CapabilitySignerTest, NodeProfileReproducesTheSpecWorkedExample) {
  ASSERT_OK_AND_ASSIGN(SignedToken signed_token, Sign(Cc09Spec(), kVectorNow));
  EXPECT_EQ(signed_token.token, kCc09Token);
  EXPECT_EQ(signed_token.issue_time, absl::FromUnixSeconds(1700000000));
  EXPECT_EQ(signed_token.expire_time, absl::FromUnixSeconds(1700003600));
}

TEST_F(CapabilitySignerTest, PythonProfileReproducesTwilioPython5) {
  ASSERT_OK_AND_ASSIGN(
      SignedToken signed_token,
      Sign(SpecFor(Profile::kTwilioPython,
                   {ClientIncomingScope{"alice"},
                    ClientOutgoingScope{std::string(kAppSid), {}, ""}}),
           kVectorNow));
  EXPECT_EQ(signed_token.token, kPy5Cc10Token);
  EXPECT_EQ(signed_token.issue_time, absl::FromUnixSeconds(1700000000));
  EXPECT_EQ(signed_token.expire_time, absl::FromUnixSeconds(1700003600));
}

TEST_F(CapabilitySignerTest, SigningIsDeterministic) {
  ASSERT_OK_AND_ASSIGN(SignedToken first, Sign(Cc09Spec()));
  ASSERT_OK_AND_ASSIGN(SignedToken second, Sign(Cc09Spec()));
  EXPECT_EQ(first.token, second.token);
}

// ---- bytes of each profile ------------------------------------------------

TEST_F(CapabilitySignerTest, NodeHeaderAndClaimsAreCompactWithIat) {
  CapabilitySpec spec =
      SpecFor(Profile::kTwilioNode, {ClientIncomingScope{"alice"}});
  spec.ttl = absl::Seconds(600);
  ASSERT_OK_AND_ASSIGN(SignedToken signed_token, Sign(spec));
  ASSERT_OK_AND_ASSIGN(Parts parts, Decode(signed_token.token));
  EXPECT_EQ(parts.header, R"({"alg":"HS256","typ":"JWT"})");
  EXPECT_EQ(parts.payload,
            R"({"scope":"scope:client:incoming?clientName=alice",)"
            R"("iss":"AC0123456789abcdef0123456789abcdef",)"
            R"("exp":1700000600,"iat":1700000000})");
}

TEST_F(CapabilitySignerTest, PythonHeaderAndClaimsAreSpacedWithoutIat) {
  CapabilitySpec spec =
      SpecFor(Profile::kTwilioPython, {ClientIncomingScope{"alice"}});
  spec.ttl = absl::Seconds(600);
  ASSERT_OK_AND_ASSIGN(SignedToken signed_token, Sign(spec));
  ASSERT_OK_AND_ASSIGN(Parts parts, Decode(signed_token.token));
  EXPECT_EQ(parts.header, R"({"typ": "JWT", "alg": "HS256"})");
  EXPECT_EQ(parts.payload,
            R"({"scope": "scope:client:incoming?clientName=alice", )"
            R"("iss": "AC0123456789abcdef0123456789abcdef", )"
            R"("exp": 1700000600})");
}

// twilio-python 6.x (PyJWT 1.x) and 7.x+ (PyJWT 2.5+, sorted header):
// compact JSON, the 5.x claim order, and nbf = now by default.
TEST_F(CapabilitySignerTest, Python6And7AreCompactWithADefaultNbf) {
  for (Profile profile : {Profile::kTwilioPython6, Profile::kTwilioPython7}) {
    CapabilitySpec spec = SpecFor(profile, {ClientIncomingScope{"alice"}});
    spec.ttl = absl::Seconds(600);
    ASSERT_OK_AND_ASSIGN(SignedToken signed_token, Sign(spec));
    ASSERT_OK_AND_ASSIGN(Parts parts, Decode(signed_token.token));
    EXPECT_EQ(parts.header, profile == Profile::kTwilioPython6
                                ? R"({"typ":"JWT","alg":"HS256"})"
                                : R"({"alg":"HS256","typ":"JWT"})");
    EXPECT_EQ(parts.payload,
              R"({"scope":"scope:client:incoming?clientName=alice",)"
              R"("iss":"AC0123456789abcdef0123456789abcdef",)"
              R"("exp":1700000600,"nbf":1700000000})");
  }
}

TEST_F(CapabilitySignerTest, OmitNotBeforeDropsOnlyThePython6And7Nbf) {
  for (Profile profile : kAllProfiles) {
    SCOPED_TRACE(ProfileName(profile));
    CapabilitySpec spec = SpecFor(profile, {ClientIncomingScope{"alice"}});
    ASSERT_OK_AND_ASSIGN(SignedToken with_default, Sign(spec));
    spec.omit_not_before = true;
    ASSERT_OK_AND_ASSIGN(SignedToken without, Sign(spec));
    ASSERT_OK_AND_ASSIGN(Parts parts, Decode(without.token));
    EXPECT_THAT(parts.payload, Not(HasSubstr("nbf")));
    // The other profiles write no nbf either way.
    EXPECT_EQ(with_default.token == without.token,
              !WritesDefaultNotBefore(profile));
  }
}

TEST_F(CapabilitySignerTest, NoScopesGiveAnEmptyScopeClaim) {
  ASSERT_OK_AND_ASSIGN(SignedToken signed_token,
                       Sign(SpecFor(Profile::kTwilioNode, {})));
  ASSERT_OK_AND_ASSIGN(Parts parts, Decode(signed_token.token));
  EXPECT_THAT(parts.payload, HasSubstr(R"({"scope":"","iss":)"));
}

TEST_F(CapabilitySignerTest, NonAsciiInputsYieldAnAsciiPayload) {
  // Scope strings are percent-encoded, so neither JSON style has anything
  // left to escape.
  for (Profile profile : {Profile::kTwilioNode, Profile::kTwilioPython}) {
    ASSERT_OK_AND_ASSIGN(
        SignedToken signed_token,
        Sign(
            SpecFor(profile, {ClientIncomingScope{"Jos\xC3\xA9"},
                              EventStreamScope{{{"k", "\xF0\x9F\x98\x80"}}}})));
    ASSERT_OK_AND_ASSIGN(Parts parts, Decode(signed_token.token));
    for (char c : parts.payload) {
      EXPECT_GE(static_cast<unsigned char>(c), 0x20);
      EXPECT_LT(static_cast<unsigned char>(c), 0x7f);
    }
    EXPECT_THAT(parts.payload, HasSubstr("Jos%C3%A9"));
  }
}

TEST_F(CapabilitySignerTest, TheTwoProfilesSignDifferentBytes) {
  CapabilitySpec node = Cc09Spec();
  CapabilitySpec python = Cc09Spec();
  python.profile = Profile::kTwilioPython;
  ASSERT_OK_AND_ASSIGN(SignedToken node_token, Sign(node));
  ASSERT_OK_AND_ASSIGN(SignedToken python_token, Sign(python));
  EXPECT_NE(node_token.token, python_token.token);
  EXPECT_EQ(node_token.expire_time, python_token.expire_time);
}

// ---- time -----------------------------------------------------------------

TEST_F(CapabilitySignerTest, ReadsNowOnceAndTruncatesIt) {
  const CapabilitySpec spec =
      SpecFor(Profile::kTwilioNode, {ClientIncomingScope{"alice"}});
  ASSERT_OK_AND_ASSIGN(SignedToken signed_token,
                       Sign(spec, absl::FromUnixMillis(kNow * 1000 + 999)));
  EXPECT_EQ(signed_token.issue_time, absl::FromUnixSeconds(kNow));
  EXPECT_EQ(signed_token.expire_time, absl::FromUnixSeconds(kNow + 3600));
  ASSERT_OK_AND_ASSIGN(Parts parts, Decode(signed_token.token));
  EXPECT_THAT(parts.payload,
              HasSubstr(R"("exp":1700003600,"iat":1700000000})"));
}

TEST_F(CapabilitySignerTest, TtlSetsExp) {
  CapabilitySpec spec =
      SpecFor(Profile::kTwilioPython, {ClientIncomingScope{"alice"}});
  spec.ttl = absl::Hours(24);
  ASSERT_OK_AND_ASSIGN(SignedToken signed_token, Sign(spec));
  EXPECT_EQ(signed_token.expire_time, absl::FromUnixSeconds(kNow + 86400));
  ASSERT_OK_AND_ASSIGN(Parts parts, Decode(signed_token.token));
  EXPECT_THAT(parts.payload, HasSubstr(R"("exp": 1700086400})"));
}

TEST_F(CapabilitySignerTest, ExpireTimeSetsExpTruncated) {
  CapabilitySpec spec =
      SpecFor(Profile::kTwilioNode, {ClientIncomingScope{"alice"}});
  spec.expire_time = absl::FromUnixMillis((kNow + 90) * 1000 + 600);
  ASSERT_OK_AND_ASSIGN(SignedToken signed_token, Sign(spec));
  EXPECT_EQ(signed_token.expire_time, absl::FromUnixSeconds(kNow + 90));
  ASSERT_OK_AND_ASSIGN(Parts parts, Decode(signed_token.token));
  EXPECT_THAT(parts.payload,
              HasSubstr(R"("exp":1700000090,"iat":1700000000})"));
}

TEST_F(CapabilitySignerTest, DefaultTtlComesFromTheLimits) {
  ASSERT_OK_AND_ASSIGN(
      SignedToken signed_token,
      Sign(SpecFor(Profile::kTwilioNode, {}), absl::FromUnixSeconds(kNow),
           {.default_ttl = absl::Seconds(120)}));
  EXPECT_EQ(signed_token.expire_time, absl::FromUnixSeconds(kNow + 120));
}

// ---- the MAC --------------------------------------------------------------

TEST_F(CapabilitySignerTest, TokenVerifiesUnderItsKeyOnly) {
  ASSERT_OK_AND_ASSIGN(SignedToken signed_token, Sign(Cc09Spec()));
  ASSERT_OK_AND_ASSIGN(JwtSegments segments,
                       SplitCompactJwt(signed_token.token, 1 << 20));
  EXPECT_THAT(VerifyHs256Mac(segments, key_), IsOk());
  EXPECT_FALSE(VerifyHs256Mac(segments, TestKey("another auth token")).ok());
}

// ---- failures -------------------------------------------------------------

TEST_F(CapabilitySignerTest, InvalidSpecIsRefused) {
  CapabilitySpec spec = Cc09Spec();
  spec.account_sid = "ACnotasid";
  EXPECT_THAT(
      SignFailure(spec, "ACnotasid"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "account_sid: must be \"AC\" followed by 32 hex digits"));
}

TEST_F(CapabilitySignerTest, InvalidScopeIsRefusedWithItsPath) {
  CapabilitySpec spec = SpecFor(
      Profile::kTwilioNode,
      {ClientIncomingScope{"alice"},
       ClientOutgoingScope{std::string(kAppSid), {{"", "secretvalue"}}, ""}});
  EXPECT_THAT(SignFailure(spec, "secretvalue"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "scopes[1].client_outgoing.params[0].key: required"));
}

TEST_F(CapabilitySignerTest, BadLifetimeIsRefused) {
  CapabilitySpec spec = Cc09Spec();
  spec.ttl = absl::ZeroDuration();
  EXPECT_THAT(SignFailure(spec), StatusIs(absl::StatusCode::kInvalidArgument,
                                          "ttl: must be positive"));
  spec.ttl = absl::Hours(25);
  EXPECT_THAT(SignFailure(spec),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("ttl: longer than the maximum lifetime")));
  spec.ttl = absl::Milliseconds(1500);
  EXPECT_THAT(SignFailure(spec),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ttl: must be a whole number of seconds"));
  spec.ttl.reset();
  spec.expire_time = absl::FromUnixSeconds(kNow - 10);
  EXPECT_THAT(SignFailure(spec),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "expire_time: must be after the signing time"));
  spec.ttl = absl::Seconds(60);
  EXPECT_THAT(SignFailure(spec),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ttl, expire_time: set at most one of them"));
}

TEST_F(CapabilitySignerTest, PythonClientNameConflictIsRefused) {
  CapabilitySpec spec =
      SpecFor(Profile::kTwilioPython,
              {ClientIncomingScope{"alicesecret"},
               ClientOutgoingScope{std::string(kAppSid), {}, "carolsecret"}});
  EXPECT_THAT(SignFailure(spec, "secret"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("scopes[1].client_outgoing.client_name")));
  spec.profile = Profile::kTwilioNode;  // Node has no hidden state.
  EXPECT_THAT(Sign(spec), IsOk());
}

TEST_F(CapabilitySignerTest, TokenLongerThanTheLimitIsRefused) {
  ASSERT_OK_AND_ASSIGN(SignedToken signed_token, Sign(Cc09Spec()));
  const size_t size = signed_token.token.size();
  EXPECT_THAT(
      Sign(Cc09Spec(), absl::FromUnixSeconds(kNow), {.max_token_bytes = size}),
      IsOk());
  EXPECT_THAT(SignFailure(Cc09Spec(), "", {.max_token_bytes = size - 1}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       absl::StrCat("scopes: the token would be longer than ",
                                    size - 1, " bytes")));
}

TEST_F(CapabilitySignerTest, ManyLongScopesExceedTheDefaultLimit) {
  std::vector<CapabilityScope> scopes;
  for (int i = 0; i < 16; ++i) {
    scopes.push_back(ClientIncomingScope{std::string(512, 'n')});
  }
  EXPECT_THAT(
      SignFailure(SpecFor(Profile::kTwilioNode, scopes), std::string(512, 'n')),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "scopes: the token would be longer than 8192 bytes"));
}

}  // namespace
}  // namespace captoken::token
