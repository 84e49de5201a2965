// Known-answer tests against the official SDKs: every Access Token case in
// //tests/vectors, byte for byte (node/at* in the node profile,
// python/py5_at* in kTwilioPython, py6_at* and py6_decode* in
// kTwilioPython6, py9_at* and py9_decode* in kTwilioPython7), and every
// Access Token an SDK signed read back by our verifier.
//
// Node cases are replayed from their recorded inputs through AccessToken
// (the C++ API shaped like the SDKs'); python cases record no inputs (or
// only some), so each is replayed from its description by a function in
// the table below.
// A case is expected to match the SDK unless the exceptions table says
// otherwise, with the reason: that way a new case added to the vectors is
// tested by default (a new python case fails until it has a replay).

#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/access_grant.h"
#include "service/token/access_token.h"
#include "service/token/access_token_verifier.h"
#include "service/token/api_key.h"
#include "service/token/clock.h"
#include "service/token/json_value.h"
#include "service/token/verification_failure.h"
#include "tests/testing/sdk_cases.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/vectors.h"

namespace captoken::token {
namespace {

using ::captoken::testing::Deviation;
using ::captoken::testing::ExpectSameAsSdk;
using ::captoken::testing::FindSdkCaseException;
using ::captoken::testing::IsNotExpressible;
using ::captoken::testing::IsOk;
using ::captoken::testing::ListVectorIds;
using ::captoken::testing::Member;
using ::captoken::testing::PythonCaseNow;
using ::captoken::testing::PythonCaseProfile;
using ::captoken::testing::ReadVector;
using ::captoken::testing::SdkCaseException;
using ::captoken::testing::SdkCaseExceptions;

// The vectors' fixed inputs (node/index.json "fixed_inputs").
constexpr absl::string_view kAccountSid = "AC0123456789abcdef0123456789abcdef";
constexpr absl::string_view kKeySid = "SK00112233445566778899aabbccddeeff";
constexpr absl::string_view kSecret = "sEcReT0123456789sEcReT0123456789";
constexpr absl::string_view kAppSid = "AP89abcdef0123456789abcdef01234567";

const SdkCaseExceptions& Exceptions() {
  static const auto* const kExceptions = new SdkCaseExceptions({
      {"at17_hs384",
       {Deviation::kWeRefuse,
        "we sign HS256 only: Twilio documents HS256 for Access Tokens"}},
      {"at18_hs512",
       {Deviation::kWeRefuse,
        "we sign HS256 only: Twilio documents HS256 for Access Tokens"}},
      {"at21_ttl_timespan_string",
       {Deviation::kNotExpressible,
        "a TTL is a duration, not jsonwebtoken's timespan string; \"2h\" as "
        "a duration (absl::Hours(2)) gives the SDK's bytes, checked by "
        "TwoHourTtlGivesTheTimespanCasesBytes below"}},
      {"at22_region_non_latin1_quirk",
       {Deviation::kWeRefuse,
        "a region is ASCII: node's header encoder keeps only the low byte "
        "of each UTF-16 unit, so the header is not valid UTF-8 JSON"}},
      {"at24_sid_shaped_anything",
       {Deviation::kWeRefuse,
        "the account SID must be \"AC\" + 32 hex digits and the API key SID "
        "\"SK\" + 32 hex digits"}},
      {"at25_nbf_non_integer",
       {Deviation::kWeRefuse,
        "nbf must be a whole number of seconds (node copied 1699999940.5)"}},
      {"at26_identity_boolean_dropped",
       {Deviation::kNotExpressible,
        "an identity is a string; node dropped a boolean one silently, and "
        "a token without identity is refused"}},
      {"at27_identity_float_dropped",
       {Deviation::kNotExpressible,
        "an identity is a string; node dropped a fractional number "
        "silently, and a token without identity is refused"}},
      {"at28_nbf_string_ignored",
       {Deviation::kNotExpressible,
        "nbf is a time, not a string; node ignored the string, which is a "
        "request without nbf (at20's shape)"}},
      {"py6_decode07_hs512_rejected",
       {Deviation::kNotExpressible,
        "a bare Jwt (iss and exp only) signed with HS512, made to test "
        "decoding: no token kind captoken mints, and we sign HS256 only"}},
      {"py9_decode07_hs512_rejected",
       {Deviation::kNotExpressible,
        "a bare Jwt (iss and exp only) signed with HS512, made to test "
        "decoding: no token kind captoken mints, and we sign HS256 only"}},
  });
  return *kExceptions;
}

const SdkCaseException* FindException(absl::string_view id) {
  return FindSdkCaseException(Exceptions(), id);
}

// A JavaScript number from a vector as a time: whole seconds exactly, a
// fraction to the nanosecond.
absl::Time TimeOfNumber(const JsonValue& number) {
  if (std::optional<int64_t> seconds = number.AsInt64()) {
    return absl::FromUnixSeconds(*seconds);
  }
  double seconds = 0;
  EXPECT_TRUE(absl::SimpleAtod(number.text(), &seconds));
  const double whole = std::floor(seconds);
  return absl::FromUnixSeconds(static_cast<int64_t>(whole)) +
         absl::Nanoseconds(std::llround((seconds - whole) * 1e9));
}

// A grant from node's {type, options}.
AccessGrant GrantOf(const JsonValue& call) {
  const std::string& type = Member(call, "type").text();
  const JsonValue& options = Member(call, "options");
  auto text = [&options](absl::string_view name) {
    return Member(options, name).text();
  };
  if (type == "VoiceGrant") {
    VoiceGrant grant;
    grant.incoming_allow = Member(options, "incomingAllow").is_bool() &&
                           Member(options, "incomingAllow").bool_value();
    grant.outgoing_application_sid = text("outgoingApplicationSid");
    if (Member(options, "outgoingApplicationParams").is_object()) {
      grant.outgoing_application_params =
          Member(options, "outgoingApplicationParams");
    }
    grant.push_credential_sid = text("pushCredentialSid");
    grant.endpoint_id = text("endpointId");
    return grant;
  }
  if (type == "ChatGrant") {
    return ChatGrant{text("serviceSid"), text("endpointId"),
                     text("deploymentRoleSid"), text("pushCredentialSid")};
  }
  if (type == "VideoGrant") return VideoGrant{text("room"), ""};
  if (type == "SyncGrant")
    return SyncGrant{text("serviceSid"), text("endpointId")};
  if (type == "TaskRouterGrant") {
    return TaskRouterGrant{text("workspaceSid"), text("workerSid"),
                           text("role")};
  }
  EXPECT_EQ(type, "PlaybackGrant");
  return PlaybackGrant{Member(options, "grant")};
}

// Replays a node case's inputs through AccessToken (node profile).
absl::StatusOr<std::string> SignNodeCase(const JsonValue& vector) {
  const JsonValue& inputs = Member(vector, "inputs");
  const JsonValue& options = Member(inputs, "options");
  FixedClock clock(absl::FromUnixMillis(*Member(vector, "now_ms").AsInt64()));
  AccessToken::Options token_options{.profile = Profile::kTwilioNode,
                                     .clock = &clock};
  // The SDK treats a missing or zero ttl as its default.
  if (const JsonValue& ttl = Member(options, "ttl"); ttl.is_number()) {
    double seconds = 0;
    EXPECT_TRUE(absl::SimpleAtod(ttl.text(), &seconds));
    if (seconds != 0) token_options.ttl = absl::Seconds(seconds);
  }
  if (const JsonValue& nbf = Member(options, "nbf"); nbf.is_number()) {
    token_options.not_before = TimeOfNumber(nbf);
  }
  token_options.region = Member(options, "region").text();
  // Node writes an integer identity as String(n): a typed request sends
  // that string (at12).
  const std::string identity = Member(options, "identity").text();

  absl::StatusOr<AccessToken> token = AccessToken::Create(
      Member(inputs, "accountSid").text(), Member(inputs, "keySid").text(),
      Member(inputs, "secret").text(), identity, std::move(token_options));
  if (!token.ok()) return token.status();
  for (const JsonValue& grant : Member(inputs, "grants").elements()) {
    token->AddGrant(GrantOf(grant));
  }
  const JsonValue& algorithm = Member(inputs, "algorithm");
  return algorithm.is_string() ? token->ToJwt(algorithm.text())
                               : token->ToJwt();
}

// The python cases, replayed from their descriptions, each in the profile
// of its SDK major. twilio-python 5.7: AccessToken(account_sid,
// signing_key_sid, secret, identity=..., ttl=3600, nbf=None)
// .add_grant(...).to_jwt(); 6.63 and 9.11: AccessToken(account_sid,
// signing_key_sid, secret, identity=..., ttl=3600, nbf=<now>, region=None)
// with the grants as add_grant calls. Keyed by the id without its "pyN_".
using PythonReplay = std::function<absl::StatusOr<std::string>(
    const Clock& clock, Profile profile)>;

struct PythonTokenOptions {
  std::string identity = "alice";
  std::optional<absl::Duration> ttl;
  std::optional<absl::Time> not_before;
  std::string region;
};

absl::StatusOr<AccessToken> PythonToken(const Clock& clock, Profile profile,
                                        PythonTokenOptions options = {}) {
  return AccessToken::Create(kAccountSid, kKeySid, kSecret, options.identity,
                             {.profile = profile,
                              .clock = &clock,
                              .ttl = options.ttl,
                              .not_before = options.not_before,
                              .region = options.region});
}

// VoiceGrant(incoming_allow=True).
VoiceGrant IncomingVoice() {
  VoiceGrant voice;
  voice.incoming_allow = true;
  return voice;
}

// The token of the decoder cases: AccessToken(..., identity="alice",
// ttl=600) with no grants, or nbf=1700000060 and the default ttl.
PythonReplay DecodeCase(PythonTokenOptions options) {
  return [options](const Clock& clock,
                   Profile profile) -> absl::StatusOr<std::string> {
    absl::StatusOr<AccessToken> token = PythonToken(clock, profile, options);
    if (!token.ok()) return token.status();
    return token->ToJwt();
  };
}

const absl::flat_hash_map<absl::string_view, PythonReplay>& PythonReplays() {
  static const auto* const kReplays = new absl::flat_hash_map<absl::string_view,
                                                              PythonReplay>({
      // VoiceGrant(outgoing_application_sid=AP, outgoing_application_params=
      // {"foo": "bar"}, push_credential_sid=CR, endpoint_id=...).
      {"at01_voice",
       [](const Clock& clock, Profile profile) -> absl::StatusOr<std::string> {
         absl::StatusOr<AccessToken> token = PythonToken(clock, profile);
         if (!token.ok()) return token.status();
         VoiceGrant voice;
         voice.outgoing_application_sid = std::string(kAppSid);
         voice.outgoing_application_params =
             JsonValue::Object({{"foo", JsonValue::String("bar")}});
         voice.push_credential_sid = "CR0123456789abcdef0123456789abcdef";
         voice.endpoint_id = "alice-device-1";
         return token->AddGrant(voice).ToJwt();
       }},
      // at01_voice with incoming_allow=True as well (compare node at01).
      {"at01_voice_full",
       [](const Clock& clock, Profile profile) -> absl::StatusOr<std::string> {
         absl::StatusOr<AccessToken> token = PythonToken(clock, profile);
         if (!token.ok()) return token.status();
         VoiceGrant voice = IncomingVoice();
         voice.outgoing_application_sid = std::string(kAppSid);
         voice.outgoing_application_params =
             JsonValue::Object({{"foo", JsonValue::String("bar")}});
         voice.push_credential_sid = "CR0123456789abcdef0123456789abcdef";
         voice.endpoint_id = "alice-device-1";
         return token->AddGrant(voice).ToJwt();
       }},
      // identity="multi": VideoGrant(room="r1"), ChatGrant(service_sid=IS),
      // VoiceGrant(incoming_allow=True).
      {"at09_multiple_grants",
       [](const Clock& clock, Profile profile) -> absl::StatusOr<std::string> {
         absl::StatusOr<AccessToken> token =
             PythonToken(clock, profile, {.identity = "multi"});
         if (!token.ok()) return token.status();
         ChatGrant chat;
         chat.service_sid = "IS0123456789abcdef0123456789abcdef";
         return token->AddGrant(VideoGrant{"r1", ""})
             .AddGrant(chat)
             .AddGrant(IncomingVoice())
             .ToJwt();
       }},
      // identity="Zoë 🎧 用户", VoiceGrant(incoming_allow=True).
      {"at10_unicode_identity",
       [](const Clock& clock, Profile profile) -> absl::StatusOr<std::string> {
         absl::StatusOr<AccessToken> token = PythonToken(
             clock, profile,
             {.identity =
                  "Zo\xC3\xAB \xF0\x9F\x8E\xA7 \xE7\x94\xA8\xE6\x88\xB7"});
         if (!token.ok()) return token.status();
         return token->AddGrant(IncomingVoice()).ToJwt();
       }},
      // region="au1", VoiceGrant(incoming_allow=True).
      {"at14_region",
       [](const Clock& clock, Profile profile) -> absl::StatusOr<std::string> {
         absl::StatusOr<AccessToken> token =
             PythonToken(clock, profile, {.region = "au1"});
         if (!token.ok()) return token.status();
         return token->AddGrant(IncomingVoice()).ToJwt();
       }},
      // nbf=1699999940, VideoGrant(configuration_profile_sid=VS).
      {"at13_nbf",
       [](const Clock& clock, Profile profile) -> absl::StatusOr<std::string> {
         absl::StatusOr<AccessToken> token = PythonToken(
             clock, profile, {.not_before = absl::FromUnixSeconds(1699999940)});
         if (!token.ok()) return token.status();
         return token
             ->AddGrant(VideoGrant{"", "VS0123456789abcdef0123456789abcdef"})
             .ToJwt();
       }},
      {"decode01_valid", DecodeCase({.ttl = absl::Seconds(600)})},
      {"decode02_exp_boundary_minus_1s",
       DecodeCase({.ttl = absl::Seconds(600)})},
      {"decode03_exp_equal_now", DecodeCase({.ttl = absl::Seconds(600)})},
      {"decode04_nbf_future",
       DecodeCase({.not_before = absl::FromUnixSeconds(1700000060)})},
      {"decode05_nbf_equal_now",
       DecodeCase({.not_before = absl::FromUnixSeconds(1700000060)})},
      // The same token as decode01, verified with another key.
      {"decode06_wrong_key", DecodeCase({.ttl = absl::Seconds(600)})},
  });
  return *kReplays;
}

absl::Time PythonNow(const JsonValue& vector) { return PythonCaseNow(vector); }

std::string CaseName(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

class NodeAccessTokenVectorTest : public ::testing::TestWithParam<std::string> {
};

TEST_P(NodeAccessTokenVectorTest, MatchesTwilioNode) {
  ASSERT_OK_AND_ASSIGN(JsonValue vector, ReadVector("node", GetParam()));
  const SdkCaseException* exception = FindException(GetParam());
  if (IsNotExpressible(exception)) GTEST_SKIP() << exception->reason;
  ExpectSameAsSdk(vector, SignNodeCase(vector), exception);
}

INSTANTIATE_TEST_SUITE_P(AllCases, NodeAccessTokenVectorTest,
                         ::testing::ValuesIn(ListVectorIds("node", "at")),
                         CaseName);

class PythonAccessTokenVectorTest
    : public ::testing::TestWithParam<std::string> {};

TEST_P(PythonAccessTokenVectorTest, MatchesTwilioPythonOfItsMajor) {
  ASSERT_OK_AND_ASSIGN(JsonValue vector, ReadVector("python", GetParam()));
  const SdkCaseException* exception = FindException(GetParam());
  if (IsNotExpressible(exception)) GTEST_SKIP() << exception->reason;
  // "py6_at01_voice_full" is replayed as "at01_voice_full".
  auto replay = PythonReplays().find(absl::string_view(GetParam()).substr(4));
  ASSERT_NE(replay, PythonReplays().end())
      << "no replay for this case: add one to PythonReplays() from its "
         "description, header_json and payload_json";
  FixedClock clock(PythonNow(vector));
  ExpectSameAsSdk(vector, replay->second(clock, PythonCaseProfile(GetParam())),
                  exception);
}

std::vector<std::string> PythonCases() {
  std::vector<std::string> ids;
  for (absl::string_view prefix :
       {"py5_at", "py6_at", "py9_at", "py6_decode", "py9_decode"}) {
    for (std::string& id : ListVectorIds("python", prefix)) {
      ids.push_back(std::move(id));
    }
  }
  return ids;
}

INSTANTIATE_TEST_SUITE_P(AllCases, PythonAccessTokenVectorTest,
                         ::testing::ValuesIn(PythonCases()), CaseName);

TEST(AccessTokenVectors, TwoHourTtlGivesTheTimespanCasesBytes) {
  ASSERT_OK_AND_ASSIGN(JsonValue vector,
                       ReadVector("node", "at21_ttl_timespan_string"));
  FixedClock clock(absl::FromUnixMillis(*Member(vector, "now_ms").AsInt64()));
  ASSERT_OK_AND_ASSIGN(
      AccessToken token,
      AccessToken::Create(kAccountSid, kKeySid, kSecret, "alice",
                          {.profile = Profile::kTwilioNode,
                           .clock = &clock,
                           .ttl = absl::Hours(2)}));
  ASSERT_OK_AND_ASSIGN(std::string jwt, token.ToJwt());
  EXPECT_EQ(jwt, Member(vector, "token").text());
}

// ---- every SDK-signed token verifies ----------------------------------------

// Tokens our verifier refuses on purpose, and the failure it reports.
const absl::flat_hash_map<absl::string_view, VerificationFailure>&
VerifierRefusals() {
  static const auto* const kRefusals =
      new absl::flat_hash_map<absl::string_view, VerificationFailure>({
          // HS384 / HS512: we check an HS256 MAC, which does not match.
          {"at17_hs384", VerificationFailure::kBadSignature},
          {"at18_hs512", VerificationFailure::kBadSignature},
          // The header is not valid UTF-8 JSON.
          {"at22_region_non_latin1_quirk", VerificationFailure::kMalformed},
          // Signed with the key "key id" / "x", which no ApiKey can hold
          // (not an "SK" SID): our key's MAC does not match.
          {"at24_sid_shaped_anything", VerificationFailure::kBadSignature},
          // nbf is not an integer.
          {"at25_nbf_non_integer", VerificationFailure::kMalformed},
      });
  return *kRefusals;
}

class SignedAccessTokenVectorTest
    : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(SignedAccessTokenVectorTest, OurVerifierReadsTheSdksToken) {
  const auto& [folder, id] = GetParam();
  ASSERT_OK_AND_ASSIGN(JsonValue vector, ReadVector(folder, id));
  if (Member(vector, "result").text() != "ok") GTEST_SKIP() << "no token";
  FixedClock clock(folder == "node" ? absl::FromUnixMillis(
                                          *Member(vector, "now_ms").AsInt64())
                                    : PythonNow(vector));
  ASSERT_OK_AND_ASSIGN(AccessTokenVerifier verifier,
                       AccessTokenVerifier::Create({.jwt = {.clock = &clock}}));
  ASSERT_OK_AND_ASSIGN(ApiKey key, ApiKey::Create(kKeySid, kSecret));

  absl::StatusOr<VerifiedAccessToken> verified =
      verifier.Verify(Member(vector, "token").text(), key);

  if (auto refusal = VerifierRefusals().find(id);
      refusal != VerifierRefusals().end()) {
    EXPECT_EQ(VerificationFailureOf(verified.status()), refusal->second)
        << verified.status();
    return;
  }
  ASSERT_THAT(verified, IsOk());
  const AccessTokenClaims& claims = verified->claims();
  const JsonValue& payload = Member(vector, "payload");
  const JsonValue& grants = Member(payload, "grants");
  EXPECT_EQ(claims.account_sid, kAccountSid);
  EXPECT_EQ(claims.api_key_sid, kKeySid);
  EXPECT_EQ(claims.token_id, Member(payload, "jti").text());
  EXPECT_EQ(claims.identity, Member(grants, "identity").text());
  EXPECT_EQ(claims.region, Member(Member(vector, "header"), "twr").text());
  const size_t identities = grants.Find("identity") != nullptr ? 1 : 0;
  ASSERT_EQ(claims.grants.size(), grants.member_names().size() - identities);
  // The grants come back in token order, under their keys.
  size_t next = 0;
  for (const std::string& name : grants.member_names()) {
    if (name == "identity") continue;
    EXPECT_EQ(GrantKey(claims.grants[next++]), name);
  }
}

std::vector<std::pair<std::string, std::string>> AllSignedCases() {
  std::vector<std::pair<std::string, std::string>> cases;
  for (std::string& id : ListVectorIds("node", "at")) {
    cases.emplace_back("node", std::move(id));
  }
  for (absl::string_view prefix : {"py5_at", "py6_at", "py9_at"}) {
    for (std::string& id : ListVectorIds("python", prefix)) {
      cases.emplace_back("python", std::move(id));
    }
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(
    AllCases, SignedAccessTokenVectorTest,
    ::testing::ValuesIn(AllSignedCases()),
    [](const ::testing::TestParamInfo<std::pair<std::string, std::string>>&
           info) { return info.param.second; });

// The decoded grants of at01 equal the request's, params included.
TEST(AccessTokenVectors, At01ReadsBackAsItsRequest) {
  ASSERT_OK_AND_ASSIGN(JsonValue vector, ReadVector("node", "at01_voice_full"));
  FixedClock clock(absl::FromUnixMillis(*Member(vector, "now_ms").AsInt64()));
  ASSERT_OK_AND_ASSIGN(AccessTokenVerifier verifier,
                       AccessTokenVerifier::Create({.jwt = {.clock = &clock}}));
  ASSERT_OK_AND_ASSIGN(ApiKey key, ApiKey::Create(kKeySid, kSecret));
  ASSERT_OK_AND_ASSIGN(VerifiedAccessToken verified,
                       verifier.Verify(Member(vector, "token").text(), key));
  const JsonValue& grants = Member(Member(vector, "inputs"), "grants");
  ASSERT_EQ(verified.claims().grants.size(), 1u);
  EXPECT_EQ(verified.claims().grants[0], GrantOf(grants.elements()[0]));
}

// The vectors must be there: an empty folder would otherwise pass.
TEST(AccessTokenVectors, AllCaseFilesArePresent) {
  EXPECT_GE(ListVectorIds("node", "at").size(), 31u);
  EXPECT_GE(ListVectorIds("python", "py5_at").size(), 2u);
  EXPECT_GE(ListVectorIds("python", "py6_at").size(), 4u);
  EXPECT_GE(ListVectorIds("python", "py9_at").size(), 3u);
  EXPECT_GE(ListVectorIds("python", "py6_decode").size(), 7u);
  EXPECT_GE(ListVectorIds("python", "py9_decode").size(), 7u);
}

}  // namespace
}  // namespace captoken::token
