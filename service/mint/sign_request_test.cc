// Tests for sign_request.h: one request of each kind signs to the official
// SDK's bytes (tests/vectors), refusals name the request's fields, and the
// caller's key_for runs only for a request that passed every check.

#include "service/mint/sign_request.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "captoken/v1/access_token.pb.h"
#include "captoken/v1/capability.pb.h"
#include "captoken/v1/taskrouter.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "service/token/api_key.h"
#include "service/token/clock.h"
#include "service/token/crypto.h"
#include "service/token/json_value.h"
#include "tests/testing/sdk_cases.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/vectors.h"

namespace captoken::mint {
namespace {

using ::captoken::testing::Member;
using ::captoken::testing::PythonCaseNow;
using ::captoken::testing::ReadVector;
using ::captoken::testing::StatusIs;
using ::testing::Eq;
using ::testing::StartsWith;

// The vectors' fixed, fake credentials (tests/vectors/README.md).
constexpr char kAuthToken[] = "f0e1d2c3b4a5968778695a4b3c2d1e0f";
constexpr char kKeySid[] = "SK00112233445566778899aabbccddeeff";
constexpr char kKeySecret[] = "sEcReT0123456789sEcReT0123456789";

template <typename Request>
Request FromJson(absl::string_view json) {
  Request request;
  EXPECT_TRUE(
      google::protobuf::util::JsonStringToMessage(std::string(json), &request)
          .ok())
      << json;
  return request;
}

// The auth token, as the minter and the CLI hold it.
const token::HmacSha256Key& AuthToken() {
  static const auto* const key =
      new token::HmacSha256Key(*token::HmacSha256Key::Create(kAuthToken));
  return *key;
}

const token::ApiKey& ApiKey() {
  static const auto* const key =
      new token::ApiKey(*token::ApiKey::Create(kKeySid, kKeySecret));
  return *key;
}

// A key_for that hands out `key` and counts its calls.
template <typename Key>
struct CountingKey {
  const Key* key;
  int* calls;
  template <typename Checked>
  absl::StatusOr<const Key*> operator()(const Checked&) const {
    ++*calls;
    return key;
  }
};

// Signs `request` as the python case `id` was, at its frozen second.
template <typename Request, typename Key>
absl::StatusOr<std::string> SignAsCase(const Request& request,
                                       absl::string_view id, const Key& key) {
  absl::StatusOr<token::JsonValue> vector = ReadVector("python", id);
  if (!vector.ok()) return vector.status();
  const token::FixedClock clock(PythonCaseNow(*vector));
  int calls = 0;
  absl::StatusOr<SignedRequest> signed_request =
      SignRequest(request, {.clock = &clock}, CountingKey<Key>{&key, &calls});
  if (!signed_request.ok()) return signed_request.status();
  EXPECT_EQ(calls, 1);
  return signed_request->token.token;
}

std::string CaseToken(absl::string_view id) {
  absl::StatusOr<token::JsonValue> vector = ReadVector("python", id);
  EXPECT_TRUE(vector.ok()) << id;
  return vector.ok() ? Member(*vector, "token").text() : "";
}

// ---- Known answers
// -----------------------------------------------------------

TEST(SignRequest, CapabilityGivesTheSdksToken) {
  // twilio-python 9.11: allow_client_incoming("alice"),
  // allow_client_outgoing(APP_SID).
  const auto request = FromJson<v1::CapabilityRequest>(
      R"({"account_sid":"AC0123456789abcdef0123456789abcdef",
          "profile":"PROFILE_TWILIO_PYTHON_7",
          "scopes":[{"client_incoming":{"client_name":"alice"}},
                    {"client_outgoing":{
                      "application_sid":"AP89abcdef0123456789abcdef01234567"}}]})");
  EXPECT_EQ(SignAsCase(request, "py9_cc10_incoming_then_outgoing", AuthToken())
                .value_or(""),
            CaseToken("py9_cc10_incoming_then_outgoing"));
}

TEST(SignRequest, TheDefaultProfileIsUsedWhenNoneIsNamed) {
  // twilio-python 5.7, the default: allow_client_incoming("alice").
  const auto request = FromJson<v1::CapabilityRequest>(
      R"({"account_sid":"AC0123456789abcdef0123456789abcdef",
          "scopes":[{"client_incoming":{"client_name":"alice"}}]})");
  EXPECT_EQ(
      SignAsCase(request, "py5_cc01_incoming_only", AuthToken()).value_or(""),
      CaseToken("py5_cc01_incoming_only"));

  int calls = 0;
  ASSERT_OK_AND_ASSIGN(
      SignedRequest node,
      SignRequest(request, {.default_profile = token::Profile::kTwilioNode},
                  CountingKey<token::HmacSha256Key>{&AuthToken(), &calls}));
  EXPECT_EQ(node.profile, token::Profile::kTwilioNode);
}

TEST(SignRequest, TaskRouterGivesTheSdksToken) {
  // twilio-python 9.11: WorkerCapabilityToken(allow_update_activities=True,
  // allow_update_reservations=True).
  const auto request = FromJson<v1::TaskRouterRequest>(
      R"({"account_sid":"AC0123456789abcdef0123456789abcdef",
          "workspace_sid":"WS0123456789abcdef0123456789abcdef",
          "channel_id":"WK0123456789abcdef0123456789abcdef",
          "profile":"PROFILE_TWILIO_PYTHON_7",
          "policy_sets":["TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS",
                         "TASK_ROUTER_POLICY_SET_UPDATE_ACTIVITIES",
                         "TASK_ROUTER_POLICY_SET_UPDATE_RESERVATIONS"]})");
  EXPECT_EQ(
      SignAsCase(request, "py9_tr02_worker_updates", AuthToken()).value_or(""),
      CaseToken("py9_tr02_worker_updates"));
}

TEST(SignRequest, AccessTokenGivesTheSdksToken) {
  // twilio-python 9.11: region="au1", VoiceGrant(incoming_allow=True).
  const auto request = FromJson<v1::AccessTokenRequest>(
      R"({"account_sid":"AC0123456789abcdef0123456789abcdef",
          "api_key_sid":"SK00112233445566778899aabbccddeeff",
          "identity":"alice","profile":"PROFILE_TWILIO_PYTHON_7",
          "region":"au1","grants":[{"voice":{"incoming_allow":true}}]})");
  EXPECT_EQ(SignAsCase(request, "py9_at14_region", ApiKey()).value_or(""),
            CaseToken("py9_at14_region"));
}

// ---- Refusals
// ----------------------------------------------------------------

TEST(SignRequest, ARefusedRequestNeverAsksForAKey) {
  // An empty client name: twilio-python signs it, we refuse it
  // (docs/token-library.md).
  const auto request = FromJson<v1::CapabilityRequest>(
      R"({"account_sid":"AC0123456789abcdef0123456789abcdef",
          "scopes":[{"client_incoming":{"client_name":""}}]})");
  int calls = 0;
  EXPECT_THAT(
      SignRequest(request, {},
                  CountingKey<token::HmacSha256Key>{&AuthToken(), &calls}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               StartsWith("scopes[0].client_incoming.client_name: ")));
  EXPECT_EQ(calls, 0);
}

TEST(SignRequest, CountsAreCheckedBeforeConversion) {
  v1::CapabilityRequest request;
  request.set_account_sid("AC0123456789abcdef0123456789abcdef");
  for (int i = 0; i < 3; ++i) {
    request.add_scopes()->mutable_client_incoming()->set_client_name("a");
  }
  SignOptions options;
  options.limits.max_scopes = 2;
  int converted = 0;
  int calls = 0;
  EXPECT_THAT(
      SignRequest(request, options,
                  CountingKey<token::HmacSha256Key>{&AuthToken(), &calls},
                  [&](const token::CapabilitySpec&) { ++converted; }),
      StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("scopes: ")));
  EXPECT_EQ(converted, 0);
  EXPECT_EQ(calls, 0);
}

TEST(SignRequest, OnConvertedSeesTheSpecOfARequestTheCheckRefuses) {
  const auto request = FromJson<v1::CapabilityRequest>(
      R"({"account_sid":"not a sid","profile":"PROFILE_TWILIO_NODE"})");
  token::Profile seen = token::Profile::kTwilioPython;
  int calls = 0;
  EXPECT_THAT(
      SignRequest(
          request, {}, CountingKey<token::HmacSha256Key>{&AuthToken(), &calls},
          [&](const token::CapabilitySpec& spec) { seen = spec.profile; }),
      StatusIs(absl::StatusCode::kInvalidArgument,
               StartsWith("account_sid: ")));
  EXPECT_EQ(seen, token::Profile::kTwilioNode);
}

TEST(SignRequest, TaskRouterRefusalsNameTheRequestsFields) {
  const auto request = FromJson<v1::TaskRouterRequest>(
      R"({"account_sid":"AC0123456789abcdef0123456789abcdef",
          "workspace_sid":"WS0123456789abcdef0123456789abcdef",
          "channel_id":"WK0123456789abcdef0123456789abcdef",
          "profile":"PROFILE_TWILIO_NODE",
          "policy_sets":["TASK_ROUTER_POLICY_SET_EVENT_BRIDGE"],
          "policies":[{"url":"https://taskrouter.twilio.com/v1/Workspaces/WS0123456789abcdef0123456789abcdef/Tasks",
                       "deny":true}]})");
  int calls = 0;
  EXPECT_THAT(
      SignRequest(request, {},
                  CountingKey<token::HmacSha256Key>{&AuthToken(), &calls}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               Eq("policies[0].deny: the twilio-node profile cannot "
                  "express a deny policy")));
  EXPECT_EQ(calls, 0);
}

TEST(SignRequest, AccessTokenRefusalsNameTheRequestsFields) {
  const auto grant = FromJson<v1::AccessTokenRequest>(
      R"({"account_sid":"AC0123456789abcdef0123456789abcdef",
          "identity":"alice",
          "grants":[{"playback":{"grant_json":"[1]"}}]})");
  int calls = 0;
  EXPECT_THAT(
      SignRequest(grant, {}, CountingKey<token::ApiKey>{&ApiKey(), &calls}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               StartsWith("grants[0].playback.grant_json: ")));
  const auto key_sid = FromJson<v1::AccessTokenRequest>(
      R"({"account_sid":"AC0123456789abcdef0123456789abcdef",
          "api_key_sid":"AC0123456789abcdef0123456789abcdef",
          "identity":"alice"})");
  EXPECT_THAT(
      SignRequest(key_sid, {}, CountingKey<token::ApiKey>{&ApiKey(), &calls}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               StartsWith("api_key_sid: ")));
  EXPECT_EQ(calls, 0);
}

TEST(SignRequest, AnAccessTokenMayLeaveTheKeyToTheCaller) {
  // The server picks the account's first key when none is named.
  const auto request = FromJson<v1::AccessTokenRequest>(
      R"({"account_sid":"AC0123456789abcdef0123456789abcdef",
          "identity":"alice"})");
  int calls = 0;
  EXPECT_THAT(
      SignRequest(request, {}, CountingKey<token::ApiKey>{&ApiKey(), &calls}),
      ::captoken::testing::IsOk());
  EXPECT_EQ(calls, 1);
}

TEST(SignRequest, KeyForsRefusalIsReturnedAndNothingIsSigned) {
  const auto request = FromJson<v1::CapabilityRequest>(
      R"({"account_sid":"AC0123456789abcdef0123456789abcdef"})");
  EXPECT_THAT(SignRequest(request, {},
                          [](const token::CheckedCapability& checked)
                              -> absl::StatusOr<const token::HmacSha256Key*> {
                            EXPECT_EQ(checked.lifetime(), absl::Hours(1));
                            return absl::PermissionDeniedError("not yours");
                          }),
              StatusIs(absl::StatusCode::kPermissionDenied, Eq("not yours")));
}

}  // namespace
}  // namespace captoken::mint
