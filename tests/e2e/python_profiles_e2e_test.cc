// End-to-end known-answer tests of the twilio-python 6.x and 7.x-9.x
// profiles: every py6_* / py9_* signing case in //tests/vectors, as a
// captoken.v1 request in JSON, through the real `captoken sign` CLI at the
// case's frozen second, and through the real server and the C++ client at
// the server's own second, compared byte for byte with the SDK's token.
//
// A server signs with its own clock, so its token is compared with the
// SDK's token moved to the response's issue second: the case's payload
// text with its three clock-derived numbers (now, now + 600, now + 3600)
// replaced, under the case's own header bytes, signed with the case's key.
// Moving a case to its own second gives its token back, which the tests
// check first.
//
// Each request differs from its python 5.x twin only in `profile` (and in
// what the 5.x SDK could not say: twilio-python 6+'s ttl=/nbf=None
// keywords, as `ttl` and `omit_not_before`).

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "captoken/v1/token_service.grpc.pb.h"
#include "client/cpp/token_client.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "service/token/crypto.h"
#include "service/token/json_value.h"
#include "service/token/jwt.h"
#include "tests/testing/server_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/vectors.h"

namespace captoken {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::ListVectorIds;
using ::captoken::testing::Member;
using ::captoken::testing::ProcessResult;
using ::captoken::testing::ReadVector;
using ::captoken::testing::RunfilePath;
using ::captoken::testing::RunProcess;
using ::captoken::testing::ServerOptions;
using ::captoken::testing::ServerProcess;

// The vectors' fixed inputs (tests/vectors README). Fake credentials.
constexpr char kAccount[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kAuthToken[] = "f0e1d2c3b4a5968778695a4b3c2d1e0f";
constexpr char kKeySid[] = "SK00112233445566778899aabbccddeeff";
constexpr char kKeySecret[] = "sEcReT0123456789sEcReT0123456789";
constexpr int64_t kVectorNow = 1700000000;

enum class Kind { kCapability, kTaskRouter, kAccess };

struct Case {
  Kind kind;
  // The request, with $PROFILE for the profile's name.
  std::string json;
};

// The request for each case, keyed by its id without "py6_" / "py9_".
// Capability and TaskRouter cases record the SDK calls (inputs.calls,
// inputs.class/kwargs); Access Token cases only a description, which each
// request follows (compare the node case of the same number).
const absl::flat_hash_map<std::string, Case>& Cases() {
  static const auto* const kCases = new absl::flat_hash_map<std::string, Case>({
      // allow_client_incoming("alice")
      {"cc01_incoming_only",
       {Kind::kCapability,
        R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
        R"("profile":"$PROFILE",)"
        R"("scopes":[{"client_incoming":{"client_name":"alice"}}]})"}},
      // allow_client_outgoing(APP_SID, foo="bar", baz="qux")
      {"cc04_outgoing_params_simple",
       {Kind::kCapability,
        R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
        R"("profile":"$PROFILE","scopes":[{"client_outgoing":{)"
        R"("application_sid":"AP89abcdef0123456789abcdef01234567",)"
        R"("params":[{"key":"foo","value":"bar"},)"
        R"({"key":"baz","value":"qux"}]}}]})"}},
      // The parameters of node's cc05, in kwargs order.
      {"cc05_outgoing_params_special_chars",
       {Kind::kCapability,
        R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
        R"("profile":"$PROFILE","scopes":[{"client_outgoing":{)"
        R"("application_sid":"AP89abcdef0123456789abcdef01234567",)"
        R"("params":[{"key":"first name","value":"John Smith"},)"
        R"({"key":"q","value":"a&b=c"},{"key":"plus","value":"1+1"},)"
        R"({"key":"slash","value":"/a/b"},{"key":"pct","value":"100%"},)"
        R"({"key":"qh","value":"x?y#z"},)"
        R"json({"key":"unreserved","value":"-_.!~*'()"},)json"
        R"({"key":"quote","value":"\"hi\""}]}}]})"}},
      // allow_client_incoming("alice"), allow_client_outgoing(APP_SID): the
      // incoming name is copied into the outgoing scope.
      {"cc10_incoming_then_outgoing",
       {Kind::kCapability,
        R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
        R"("profile":"$PROFILE",)"
        R"("scopes":[{"client_incoming":{"client_name":"alice"}},)"
        R"({"client_outgoing":{)"
        R"("application_sid":"AP89abcdef0123456789abcdef01234567"}}]})"}},
      // allow_event_stream(foobar="hey")
      {"cc14_event_stream_with_filters",
       {Kind::kCapability,
        R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
        R"("profile":"$PROFILE","scopes":[{"event_stream":{)"
        R"("filters":[{"key":"foobar","value":"hey"}]}}]})"}},
      // ClientCapabilityToken(ttl=600, nbf=None), allow_client_incoming.
      {"cc16_ttl_600_no_nbf",
       {Kind::kCapability,
        R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
        R"("profile":"$PROFILE","ttl":"600s","omit_not_before":true,)"
        R"("scopes":[{"client_incoming":{"client_name":"alice"}}]})"}},
      // WorkerCapabilityToken defaults.
      {"tr01_worker",
       {Kind::kTaskRouter,
        R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
        R"("workspace_sid":"WS0123456789abcdef0123456789abcdef",)"
        R"("channel_id":"WK0123456789abcdef0123456789abcdef",)"
        R"("profile":"$PROFILE",)"
        R"("policy_sets":["TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS"]})"}},
      // WorkerCapabilityToken(allow_update_activities=True,
      // allow_update_reservations=True).
      {"tr02_worker_updates",
       {Kind::kTaskRouter,
        R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
        R"("workspace_sid":"WS0123456789abcdef0123456789abcdef",)"
        R"("channel_id":"WK0123456789abcdef0123456789abcdef",)"
        R"("profile":"$PROFILE",)"
        R"("policy_sets":["TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS",)"
        R"("TASK_ROUTER_POLICY_SET_UPDATE_ACTIVITIES",)"
        R"("TASK_ROUTER_POLICY_SET_UPDATE_RESERVATIONS"]})"}},
      // TaskQueueCapabilityToken defaults.
      {"tr03_taskqueue",
       {Kind::kTaskRouter,
        R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
        R"("workspace_sid":"WS0123456789abcdef0123456789abcdef",)"
        R"("channel_id":"WQ0123456789abcdef0123456789abcdef",)"
        R"("profile":"$PROFILE",)"
        R"("policy_sets":["TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS"]})"}},
      // WorkspaceCapabilityToken defaults.
      {"tr04_workspace",
       {Kind::kTaskRouter,
        R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
        R"("workspace_sid":"WS0123456789abcdef0123456789abcdef",)"
        R"("channel_id":"WS0123456789abcdef0123456789abcdef",)"
        R"("profile":"$PROFILE",)"
        R"("policy_sets":["TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS"]})"}},
      // AccessToken(identity="alice") + VoiceGrant(incoming_allow=True,
      // outgoing_application_sid=AP, outgoing_application_params=
      // {"foo": "bar"}, push_credential_sid=CR, endpoint_id=...).
      {"at01_voice_full",
       {Kind::kAccess,
        R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
        R"("api_key_sid":"SK00112233445566778899aabbccddeeff",)"
        R"("identity":"alice","profile":"$PROFILE",)"
        R"("grants":[{"voice":{"incoming_allow":true,)"
        R"("outgoing_application_sid":"AP89abcdef0123456789abcdef01234567",)"
        R"("outgoing_application_params_json":"{\"foo\":\"bar\"}",)"
        R"("push_credential_sid":"CR0123456789abcdef0123456789abcdef",)"
        R"("endpoint_id":"alice-device-1"}}]})"}},
      // identity="multi": VideoGrant(room="r1"), ChatGrant(service_sid=IS),
      // VoiceGrant(incoming_allow=True).
      {"at09_multiple_grants",
       {Kind::kAccess,
        R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
        R"("api_key_sid":"SK00112233445566778899aabbccddeeff",)"
        R"("identity":"multi","profile":"$PROFILE",)"
        R"("grants":[{"video":{"room":"r1"}},)"
        R"({"chat":{"service_sid":"IS0123456789abcdef0123456789abcdef"}},)"
        R"({"voice":{"incoming_allow":true}}]})"}},
      // identity="Zoë 🎧 用户", VoiceGrant(incoming_allow=True).
      {"at10_unicode_identity",
       {Kind::kAccess, R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
                       R"("api_key_sid":"SK00112233445566778899aabbccddeeff",)"
                       R"("identity":"Zo\u00eb \ud83c\udfa7 \u7528\u6237",)"
                       R"("profile":"$PROFILE",)"
                       R"("grants":[{"voice":{"incoming_allow":true}}]})"}},
      // region="au1", VoiceGrant(incoming_allow=True).
      {"at14_region",
       {Kind::kAccess,
        R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
        R"("api_key_sid":"SK00112233445566778899aabbccddeeff",)"
        R"("identity":"alice","profile":"$PROFILE","region":"au1",)"
        R"("grants":[{"voice":{"incoming_allow":true}}]})"}},
      // The decoder cases' token: AccessToken(identity="alice", ttl=600).
      {"decode01_valid",
       {Kind::kAccess,
        R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
        R"("api_key_sid":"SK00112233445566778899aabbccddeeff",)"
        R"("identity":"alice","profile":"$PROFILE","ttl":"600s"})"}},
      {"decode02_exp_boundary_minus_1s",
       {Kind::kAccess,
        R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
        R"("api_key_sid":"SK00112233445566778899aabbccddeeff",)"
        R"("identity":"alice","profile":"$PROFILE","ttl":"600s"})"}},
      {"decode03_exp_equal_now",
       {Kind::kAccess,
        R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
        R"("api_key_sid":"SK00112233445566778899aabbccddeeff",)"
        R"("identity":"alice","profile":"$PROFILE","ttl":"600s"})"}},
      // AccessToken(identity="alice", nbf=1700000060).
      {"decode04_nbf_future",
       {Kind::kAccess, R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
                       R"("api_key_sid":"SK00112233445566778899aabbccddeeff",)"
                       R"("identity":"alice","profile":"$PROFILE",)"
                       R"("not_before":"2023-11-14T22:14:20Z"})"}},
      {"decode05_nbf_equal_now",
       {Kind::kAccess, R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
                       R"("api_key_sid":"SK00112233445566778899aabbccddeeff",)"
                       R"("identity":"alice","profile":"$PROFILE",)"
                       R"("not_before":"2023-11-14T22:14:20Z"})"}},
      // decode01's token, verified with another key.
      {"decode06_wrong_key",
       {Kind::kAccess,
        R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
        R"("api_key_sid":"SK00112233445566778899aabbccddeeff",)"
        R"("identity":"alice","profile":"$PROFILE","ttl":"600s"})"}},
  });
  return *kCases;
}

// A bare Jwt (iss, exp) signed with HS512, made to test decoding: not a
// token kind captoken mints, and captoken signs HS256 only.
bool IsNotExpressible(absl::string_view name) {
  return name == "decode07_hs512_rejected";
}

const char* ProfileOf(absl::string_view id) {
  return absl::StartsWith(id, "py6_") ? "PROFILE_TWILIO_PYTHON_6"
                                      : "PROFILE_TWILIO_PYTHON_7";
}

std::string RequestJson(absl::string_view id, const Case& c) {
  return absl::StrReplaceAll(c.json, {{"$PROFILE", ProfileOf(id)}});
}

const testing::EnvironmentVariables& Secrets() {
  static const auto* const env =
      new testing::EnvironmentVariables{{"PY_PROFILES_AUTH_TOKEN", kAuthToken},
                                        {"PY_PROFILES_KEY_SECRET", kKeySecret}};
  return *env;
}

const char* KindArg(Kind kind) {
  switch (kind) {
    case Kind::kCapability:
      return "capability";
    case Kind::kTaskRouter:
      return "taskrouter";
    case Kind::kAccess:
      break;
  }
  return "access";
}

std::string SignWithCli(const Case& c, const std::string& json,
                        int64_t issued_at) {
  absl::StatusOr<ProcessResult> result = RunProcess(
      {RunfilePath("client/cli/captoken"), "sign", KindArg(c.kind),
       absl::StrCat("--request=", json),
       c.kind == Kind::kAccess ? "--api-key-secret-env=PY_PROFILES_KEY_SECRET"
                               : "--auth-token-env=PY_PROFILES_AUTH_TOKEN",
       absl::StrCat("--issued-at=", issued_at)},
      Secrets());
  EXPECT_THAT(result, IsOk());
  if (!result.ok()) return "";
  EXPECT_EQ(result->exit_code, 0) << result->stderr_text;
  return std::string(absl::StripSuffix(result->stdout_text, "\n"));
}

// The SDK's token moved to `issued_at`: the case's payload text with the
// clock-derived numbers replaced (an explicit nbf, 1700000060, is not one
// of them), under the case's header bytes, signed with the case's key.
std::string VectorTokenAt(const token::JsonValue& vector, Kind kind,
                          int64_t issued_at) {
  const std::string payload = absl::StrReplaceAll(
      Member(vector, "payload_json").text(),
      {{absl::StrCat(kVectorNow), absl::StrCat(issued_at)},
       {absl::StrCat(kVectorNow + 600), absl::StrCat(issued_at + 600)},
       {absl::StrCat(kVectorNow + 3600), absl::StrCat(issued_at + 3600)}});
  const std::string& sdk_token = Member(vector, "token").text();
  const absl::string_view header_segment =
      absl::string_view(sdk_token).substr(0, sdk_token.find('.'));
  absl::StatusOr<token::HmacSha256Key> key = token::HmacSha256Key::Create(
      kind == Kind::kAccess ? kKeySecret : kAuthToken);
  EXPECT_THAT(key, IsOk());
  if (!key.ok()) return "";
  return token::SignHs256Jwt(header_segment, payload, *key);
}

std::vector<std::string> LaterPythonCases() {
  std::vector<std::string> ids = ListVectorIds("python", "py6_");
  for (std::string& id : ListVectorIds("python", "py9_")) {
    ids.push_back(std::move(id));
  }
  return ids;
}

class PythonProfilesE2eTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    ServerOptions options;
    options.config = absl::StrCat(
        "accounts {\n  account_sid: \"", kAccount,
        "\"\n  auth_token { env: \"PY_PROFILES_AUTH_TOKEN\" }\n"
        "  api_keys { sid: \"",
        kKeySid, "\" secret { env: \"PY_PROFILES_KEY_SECRET\" } }\n}\n");
    options.env = Secrets();
    absl::StatusOr<std::unique_ptr<ServerProcess>> started =
        ServerProcess::Start(options);
    ASSERT_THAT(started, IsOk());
    server_ = started->release();
    absl::StatusOr<std::unique_ptr<client::TokenClient>> created =
        client::TokenClient::Create(server_->target());
    ASSERT_THAT(created, IsOk());
    client_ = created->release();
  }

  static void TearDownTestSuite() {
    delete client_;
    delete server_;
  }

  // Mints `json` through the server; the response, or an empty one.
  static v1::TokenResponse Mint(Kind kind, const std::string& json) {
    absl::StatusOr<v1::TokenResponse> response;
    switch (kind) {
      case Kind::kCapability:
        response =
            client_->MintCapabilityToken(FromJson<v1::CapabilityRequest>(json));
        break;
      case Kind::kTaskRouter:
        response =
            client_->MintTaskRouterToken(FromJson<v1::TaskRouterRequest>(json));
        break;
      case Kind::kAccess:
        response =
            client_->MintAccessToken(FromJson<v1::AccessTokenRequest>(json));
        break;
    }
    EXPECT_THAT(response, IsOk());
    return response.value_or(v1::TokenResponse());
  }

  template <typename Message>
  static Message FromJson(const std::string& json) {
    Message message;
    EXPECT_TRUE(
        google::protobuf::util::JsonStringToMessage(json, &message).ok())
        << json;
    return message;
  }

  static ServerProcess* server_;
  static client::TokenClient* client_;
};

ServerProcess* PythonProfilesE2eTest::server_ = nullptr;
client::TokenClient* PythonProfilesE2eTest::client_ = nullptr;

TEST_P(PythonProfilesE2eTest, CliAndServerGiveTheSdksBytes) {
  const std::string& id = GetParam();
  const std::string name = id.substr(4);
  if (IsNotExpressible(name)) GTEST_SKIP() << "not a token captoken mints";
  auto it = Cases().find(name);
  ASSERT_NE(it, Cases().end()) << "no request for this case: add one";
  const Case& c = it->second;
  ASSERT_OK_AND_ASSIGN(token::JsonValue vector, ReadVector("python", id));
  ASSERT_EQ(Member(vector, "result").text(), "ok");
  const std::string& sdk_token = Member(vector, "token").text();
  const std::string json = RequestJson(id, c);
  SCOPED_TRACE(json);

  // Moving a case to its own second changes nothing.
  ASSERT_EQ(VectorTokenAt(vector, c.kind, kVectorNow), sdk_token);

  // `captoken sign` at the case's second: the SDK's token.
  EXPECT_EQ(SignWithCli(c, json, kVectorNow), sdk_token);

  // The server at its own second: the SDK's token at that second.
  const v1::TokenResponse response = Mint(c.kind, json);
  ASSERT_FALSE(response.token().empty());
  EXPECT_EQ(response.profile(), absl::StartsWith(id, "py6_")
                                    ? v1::PROFILE_TWILIO_PYTHON_6
                                    : v1::PROFILE_TWILIO_PYTHON_7);
  const int64_t issued_at = response.issue_time().seconds();
  EXPECT_EQ(response.token(), VectorTokenAt(vector, c.kind, issued_at));
}

INSTANTIATE_TEST_SUITE_P(AllCases, PythonProfilesE2eTest,
                         ::testing::ValuesIn(LaterPythonCases()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

// The vectors must be there: an empty folder would otherwise pass.
TEST(PythonProfilesVectors, AllCaseFilesArePresent) {
  EXPECT_GE(ListVectorIds("python", "py6_").size(), 21u);
  EXPECT_GE(ListVectorIds("python", "py9_").size(), 19u);
}

}  // namespace
}  // namespace captoken
