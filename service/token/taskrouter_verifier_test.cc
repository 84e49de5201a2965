// Tests for taskrouter_verifier.h: tokens of both profiles verify and read
// back as their specs, and every check fails with its VerificationFailure.

#include "service/token/taskrouter_verifier.h"

#include <cstdint>
#include <cstdlib>
#include <ostream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/clock.h"
#include "service/token/crypto.h"
#include "service/token/internal/base64url.h"
#include "service/token/json_value.h"
#include "service/token/jwt.h"
#include "service/token/taskrouter_policies.h"
#include "service/token/taskrouter_signer.h"
#include "service/token/taskrouter_spec.h"
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
using ::testing::Not;
using ::testing::Optional;

constexpr absl::string_view kAccountSid = "AC0123456789abcdef0123456789abcdef";
constexpr absl::string_view kOtherAccountSid =
    "ACfedcba9876543210fedcba9876543210";
constexpr absl::string_view kAuthToken = "f0e1d2c3b4a5968778695a4b3c2d1e0f";
constexpr absl::string_view kOldAuthToken = "00112233445566778899aabbccddeeff";
constexpr absl::string_view kWorkspaceSid =
    "WS0123456789abcdef0123456789abcdef";
constexpr absl::string_view kWorkerSid = "WK0123456789abcdef0123456789abcdef";
constexpr absl::string_view kTaskQueueSid =
    "WQ0123456789abcdef0123456789abcdef";
constexpr int64_t kNow = 1700000000;

TaskRouterSpec WorkerSpec(Profile profile) {
  TaskRouterSpec spec;
  spec.profile = profile;
  spec.account_sid = std::string(kAccountSid);
  spec.workspace_sid = std::string(kWorkspaceSid);
  spec.channel_id = std::string(kWorkerSid);
  spec.friendly_name = "Alice";
  EXPECT_THAT(AppendPolicySet(TaskRouterPolicySet::kPythonDefaults, &spec),
              IsOk());
  EXPECT_THAT(AppendPolicySet(TaskRouterPolicySet::kUpdateActivities, &spec),
              IsOk());
  return spec;
}

// A token with `payload` as its exact claims, signed with the auth token.
std::string TokenWithPayload(
    absl::string_view payload,
    absl::string_view header_json = R"({"alg":"HS256","typ":"JWT"})") {
  std::string header;
  internal::AppendBase64Url(header_json, &header);
  return SignHs256Jwt(header, payload, TestKey(kAuthToken));
}

// Minimal valid claims; `extra` is spliced in before "policies".
std::string Claims(absl::string_view extra = "",
                   absl::string_view policies = "[]") {
  return absl::StrCat(R"({"iss":")", kAccountSid, R"(","exp":)", kNow + 60,
                      R"(,"version":"v1","account_sid":")", kAccountSid,
                      R"(","channel":")", kWorkerSid, R"(","workspace_sid":")",
                      kWorkspaceSid, R"(",)", extra, R"("policies":)", policies,
                      "}");
}

class TaskRouterVerifierTest : public ::testing::Test {
 protected:
  TaskRouterVerifier Verifier(std::string expected_account_sid = "") {
    absl::StatusOr<TaskRouterVerifier> verifier = TaskRouterVerifier::Create(
        {.jwt = {.clock = &clock_},
         .expected_account_sid = std::move(expected_account_sid)});
    if (!verifier.ok()) std::abort();
    return *std::move(verifier);
  }

  std::string Sign(const TaskRouterSpec& spec) {
    absl::StatusOr<SignedToken> signed_token = SignTaskRouterToken(
        spec, key_, absl::FromUnixSeconds(kNow), SigningLimits());
    EXPECT_THAT(signed_token, IsOk());
    return signed_token.ok() ? signed_token->token : "";
  }

  VerificationFailure FailureOf(absl::string_view token) {
    absl::StatusOr<VerifiedTaskRouterToken> verified =
        Verifier().Verify(token, key_);
    return VerificationFailureOf(verified.status());
  }

  FixedClock clock_{absl::FromUnixSeconds(kNow)};
  HmacSha256Key key_ = TestKey(kAuthToken);
};

// ---- what verifies
// ------------------------------------------------------------

TEST_F(TaskRouterVerifierTest, NodeTokenReadsBackAsItsSpec) {
  const TaskRouterSpec spec = WorkerSpec(Profile::kTwilioNode);
  ASSERT_OK_AND_ASSIGN(
      VerifiedTaskRouterToken verified,
      Verifier(std::string(kAccountSid)).Verify(Sign(spec), key_));
  const TaskRouterClaims& claims = verified.claims();
  EXPECT_EQ(claims.account_sid, kAccountSid);
  EXPECT_EQ(claims.workspace_sid, kWorkspaceSid);
  EXPECT_EQ(claims.channel_id, kWorkerSid);
  EXPECT_EQ(claims.version, "v1");
  EXPECT_THAT(claims.friendly_name, Optional(std::string("Alice")));
  EXPECT_EQ(claims.policies, spec.policies);
  EXPECT_EQ(claims.worker_sid, kWorkerSid);
  EXPECT_EQ(claims.taskqueue_sid, "");
  EXPECT_EQ(claims.expire_time, absl::FromUnixSeconds(kNow + 3600));
  EXPECT_THAT(claims.issue_time, Optional(absl::FromUnixSeconds(kNow)));
  EXPECT_EQ(claims.not_before, std::nullopt);
}

TEST_F(TaskRouterVerifierTest, PythonTokenWithADenyReadsBackAsItsSpec) {
  TaskRouterSpec spec = WorkerSpec(Profile::kTwilioPython);
  spec.channel_id = std::string(kTaskQueueSid);
  spec.policies[0].allow = false;
  ASSERT_OK_AND_ASSIGN(VerifiedTaskRouterToken verified,
                       Verifier().Verify(Sign(spec), key_));
  EXPECT_EQ(verified.claims().policies, spec.policies);
  EXPECT_EQ(verified.claims().taskqueue_sid, kTaskQueueSid);
  EXPECT_EQ(verified.claims().worker_sid, "");
  EXPECT_EQ(verified.claims().issue_time, std::nullopt);
}

TEST_F(TaskRouterVerifierTest, MinimalClaimsVerifyWithDefaults) {
  ASSERT_OK_AND_ASSIGN(VerifiedTaskRouterToken verified,
                       Verifier().Verify(TokenWithPayload(Claims()), key_));
  EXPECT_EQ(verified.claims().friendly_name, std::nullopt);
  EXPECT_TRUE(verified.claims().policies.empty());
}

TEST_F(TaskRouterVerifierTest, PolicyFiltersAreOptional) {
  const std::string token = TokenWithPayload(
      Claims("", R"([{"url":"https://x","method":"GET","allow":true}])"));
  ASSERT_OK_AND_ASSIGN(VerifiedTaskRouterToken verified,
                       Verifier().Verify(token, key_));
  ASSERT_EQ(verified.claims().policies.size(), 1u);
  EXPECT_TRUE(verified.claims().policies[0].query_filter.empty());
}

TEST_F(TaskRouterVerifierTest, AcceptsAnyOfSeveralKeys) {
  const std::string token = Sign(WorkerSpec(Profile::kTwilioNode));
  const HmacSha256Key old_key = TestKey(kOldAuthToken);
  const HmacSha256Key* keys[] = {&old_key, &key_};
  EXPECT_THAT(Verifier().Verify(token, keys), IsOk());
}

// ---- what fails
// ---------------------------------------------------------------

TEST_F(TaskRouterVerifierTest, WrongKeyIsABadSignature) {
  const std::string token = Sign(WorkerSpec(Profile::kTwilioNode));
  TaskRouterClaims claims;
  absl::StatusOr<VerifiedTaskRouterToken> verified =
      Verifier().Verify(token, TestKey(kOldAuthToken), &claims);
  EXPECT_EQ(VerificationFailureOf(verified.status()),
            VerificationFailure::kBadSignature);
  EXPECT_TRUE(claims.account_sid.empty()) << "claims of an unverified token";
}

TEST_F(TaskRouterVerifierTest, NotAJwtIsMalformed) {
  EXPECT_EQ(FailureOf("not.a-token"), VerificationFailure::kMalformed);
}

TEST_F(TaskRouterVerifierTest, HeaderExtrasAreUnsupported) {
  EXPECT_EQ(
      FailureOf(TokenWithPayload(
          Claims(), R"({"alg":"HS256","typ":"JWT","cty":"twilio-fpa;v=1"})")),
      VerificationFailure::kUnsupportedHeader);
}

TEST_F(TaskRouterVerifierTest, EachMalformedClaimIsMalformed) {
  const std::string policy =
      R"({"url":"https://x","method":"GET","allow":true})";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"unexpected claim", Claims(R"("scope":"",)")},
      {"iss not a string",
       absl::StrReplaceAll(
           Claims(),
           {{absl::StrCat(R"("iss":")", kAccountSid, R"(")"), R"("iss":1)"}})},
      {"iss not an account",
       absl::StrReplaceAll(Claims(), {{absl::StrCat(R"("iss":")", kAccountSid),
                                       R"("iss":"ACxyz)"}})},
      {"account_sid differs",
       absl::StrReplaceAll(
           Claims(), {{absl::StrCat(R"("account_sid":")", kAccountSid),
                       absl::StrCat(R"("account_sid":")", kOtherAccountSid)}})},
      {"no workspace_sid",
       absl::StrReplaceAll(Claims(), {{absl::StrCat(R"("workspace_sid":")",
                                                    kWorkspaceSid, R"(",)"),
                                       ""}})},
      {"no channel",
       absl::StrReplaceAll(
           Claims(),
           {{absl::StrCat(R"("channel":")", kWorkerSid, R"(",)"), ""}})},
      {"no version",
       absl::StrReplaceAll(Claims(), {{R"("version":"v1",)", ""}})},
      {"version not a string",
       absl::StrReplaceAll(Claims(),
                           {{R"("version":"v1")", R"("version":1)"}})},
      {"no policies",
       absl::StrReplaceAll(Claims(), {{R"(,"policies":[])", ""}})},
      {"policies not an array", Claims("", "{}")},
      {"policy not an object", Claims("", "[1]")},
      {"policy without allow",
       Claims("", R"([{"url":"https://x","method":"GET"}])")},
      {"policy url not a string",
       Claims("", R"([{"url":1,"method":"GET","allow":true}])")},
      {"policy method not a string",
       Claims("", R"([{"url":"u","method":true,"allow":true}])")},
      {"policy allow not a boolean",
       Claims("", R"([{"url":"u","method":"GET","allow":"yes"}])")},
      {"policy filter not an object",
       Claims("",
              R"([{"url":"u","method":"GET","allow":true,"post_filter":[]}])")},
      {"unexpected policy member",
       Claims("", R"([{"url":"u","method":"GET","allow":true,"deny":false}])")},
      {"friendly_name not a string", Claims(R"("friendly_name":null,)")},
      {"worker_sid not the channel",
       Claims(absl::StrCat(R"("worker_sid":")", kTaskQueueSid, R"(",)"))},
      {"worker_sid not a string", Claims(R"("worker_sid":7,)")},
      {"taskqueue_sid not the channel",
       Claims(absl::StrCat(R"("taskqueue_sid":")", kTaskQueueSid, R"(",)"))},
      {"taskqueue_sid not a string", Claims(R"("taskqueue_sid":[],)")},
      {"workspace_sid not a string",
       absl::StrReplaceAll(Claims(), {{absl::StrCat(R"("workspace_sid":")",
                                                    kWorkspaceSid, R"(")"),
                                       R"("workspace_sid":false)"}})},
      {"channel not a string",
       absl::StrReplaceAll(Claims(),
                           {{absl::StrCat(R"("channel":")", kWorkerSid, R"(")"),
                             R"("channel":{})"}})},
      {"account_sid not a string",
       absl::StrReplaceAll(
           Claims(), {{absl::StrCat(R"("account_sid":")", kAccountSid, R"(")"),
                       R"("account_sid":0)"}})},
      {"exp not an integer",
       absl::StrReplaceAll(Claims(), {{absl::StrCat(kNow + 60), "1.5"}})},
  };
  ASSERT_EQ(
      FailureOf(TokenWithPayload(Claims("", absl::StrCat("[", policy, "]")))),
      VerificationFailure::kNone);
  for (const auto& [what, payload] : cases) {
    absl::StatusOr<VerifiedTaskRouterToken> verified =
        Verifier().Verify(TokenWithPayload(payload), key_);
    EXPECT_EQ(VerificationFailureOf(verified.status()),
              VerificationFailure::kMalformed)
        << what << ": " << payload;
    EXPECT_THAT(std::string(verified.status().message()),
                Not(HasSubstr(std::string(kWorkspaceSid))));
  }
}

TEST_F(TaskRouterVerifierTest, OtherAccountIsWrongAccountWithClaims) {
  const std::string token = Sign(WorkerSpec(Profile::kTwilioNode));
  TaskRouterClaims claims;
  absl::StatusOr<VerifiedTaskRouterToken> verified =
      Verifier(std::string(kOtherAccountSid)).Verify(token, key_, &claims);
  EXPECT_EQ(VerificationFailureOf(verified.status()),
            VerificationFailure::kWrongAccount);
  EXPECT_EQ(claims.account_sid, kAccountSid);
}

TEST_F(TaskRouterVerifierTest, ExpiredTokenFailsButItsClaimsAreReturned) {
  const std::string token = Sign(WorkerSpec(Profile::kTwilioNode));
  clock_.Set(absl::FromUnixSeconds(kNow + 3600));
  TaskRouterClaims claims;
  absl::StatusOr<VerifiedTaskRouterToken> verified =
      Verifier().Verify(token, key_, &claims);
  EXPECT_EQ(VerificationFailureOf(verified.status()),
            VerificationFailure::kExpired);
  EXPECT_EQ(claims.channel_id, kWorkerSid);
}

TEST_F(TaskRouterVerifierTest, FutureNbfIsNotYetValid) {
  EXPECT_EQ(FailureOf(TokenWithPayload(
                Claims(absl::StrCat(R"("nbf":)", kNow + 1, ",")))),
            VerificationFailure::kNotYetValid);
  EXPECT_EQ(
      FailureOf(TokenWithPayload(Claims(absl::StrCat(R"("nbf":)", kNow, ",")))),
      VerificationFailure::kNone);
}

TEST(TaskRouterVerifierCreate, RefusesBadOptions) {
  EXPECT_THAT(TaskRouterVerifier::Create({.jwt = {.clock = nullptr}}),
              StatusIs(absl::StatusCode::kInvalidArgument, "clock: required"));
  EXPECT_THAT(
      TaskRouterVerifier::Create({.expected_account_sid = "AC-secret"}),
      StatusIs(
          absl::StatusCode::kInvalidArgument,
          "expected_account_sid: must be \"AC\" followed by 32 hex digits"));
}

}  // namespace
}  // namespace captoken::token
