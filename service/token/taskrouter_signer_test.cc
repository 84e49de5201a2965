// Tests for taskrouter_signer.h: the claims each profile writes, byte for
// byte, and every way signing can fail. (taskrouter_vectors_test.cc checks
// whole tokens against the SDKs.)

#include "service/token/taskrouter_signer.h"

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
#include "service/token/crypto.h"
#include "service/token/internal/base64url.h"
#include "service/token/json_value.h"
#include "service/token/jwt.h"
#include "service/token/taskrouter_policies.h"
#include "service/token/taskrouter_spec.h"
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
constexpr absl::string_view kWorkspaceSid =
    "WS0123456789abcdef0123456789abcdef";
constexpr absl::string_view kWorkerSid = "WK0123456789abcdef0123456789abcdef";
constexpr absl::string_view kTaskQueueSid =
    "WQ0123456789abcdef0123456789abcdef";
constexpr int64_t kNow = 1700000000;

// The vectors' clock: 1700000000.123 s.
const absl::Time kVectorNow = absl::FromUnixMillis(1700000000123);

TaskRouterSpec SpecFor(Profile profile, absl::string_view channel) {
  TaskRouterSpec spec;
  spec.profile = profile;
  spec.account_sid = std::string(kAccountSid);
  spec.workspace_sid = std::string(kWorkspaceSid);
  spec.channel_id = std::string(channel);
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

absl::StatusOr<SignedToken> Sign(const TaskRouterSpec& spec,
                                 absl::Time now = kVectorNow,
                                 const SigningLimits& limits = {}) {
  return SignTaskRouterToken(spec, TestKey(kAuthToken), now, limits);
}

std::string PayloadOf(const TaskRouterSpec& spec) {
  absl::StatusOr<SignedToken> signed_token = Sign(spec);
  EXPECT_THAT(signed_token, IsOk());
  return signed_token.ok() ? Decode(signed_token->token).payload : "";
}

const std::string kWorkerUrl =
    absl::StrCat("https://taskrouter.twilio.com/v1/Workspaces/", kWorkspaceSid,
                 "/Workers/", kWorkerSid);

// ---- the node profile -------------------------------------------------------

TEST(SignTaskRouterToken, NodeWritesItsHeaderAndClaimOrder) {
  TaskRouterSpec spec = SpecFor(Profile::kTwilioNode, kWorkerSid);
  spec.friendly_name = "Alice";
  ASSERT_OK_AND_ASSIGN(SignedToken signed_token, Sign(spec));
  const Parts parts = Decode(signed_token.token);
  EXPECT_EQ(parts.header, kNodeHeaderJson);
  EXPECT_EQ(parts.payload,
            absl::StrCat(R"({"iss":")", kAccountSid,
                         R"(","exp":1700003600,"version":"v1",)"
                         R"("friendly_name":"Alice","account_sid":")",
                         kAccountSid, R"(","channel":")", kWorkerSid,
                         R"(","workspace_sid":")", kWorkspaceSid,
                         R"(","policies":[],"worker_sid":")", kWorkerSid,
                         R"(","iat":1700000000})"));
  EXPECT_EQ(signed_token.issue_time, absl::FromUnixSeconds(kNow));
  EXPECT_EQ(signed_token.expire_time, absl::FromUnixSeconds(kNow + 3600));
}

TEST(SignTaskRouterToken, NodeLeavesOutAFriendlyNameNotGiven) {
  EXPECT_THAT(PayloadOf(SpecFor(Profile::kTwilioNode, kWorkerSid)),
              Not(HasSubstr("friendly_name")));
}

TEST(SignTaskRouterToken, NodeWritesPoliciesInItsMemberOrder) {
  TaskRouterSpec spec = SpecFor(Profile::kTwilioNode, kWorkerSid);
  ASSERT_THAT(AppendPolicySet(TaskRouterPolicySet::kUpdateActivities, &spec),
              IsOk());
  spec.policies[0].query_filter = {TaskRouterFilter::Optional("Q")};
  EXPECT_THAT(
      PayloadOf(spec),
      HasSubstr(absl::StrCat(
          R"("policies":[{"url":")", kWorkerUrl,
          R"(","method":"POST","query_filter":{"Q":{"required":false}},)"
          R"("post_filter":{"ActivitySid":{"required":true}},)"
          R"("allow":true}])")));
}

TEST(SignTaskRouterToken, TaskQueueChannelsCarryTaskQueueSid) {
  const std::string payload =
      PayloadOf(SpecFor(Profile::kTwilioNode, kTaskQueueSid));
  EXPECT_THAT(payload,
              HasSubstr(absl::StrCat(R"("policies":[],"taskqueue_sid":")",
                                     kTaskQueueSid, R"(","iat":)")));
  EXPECT_THAT(payload, Not(HasSubstr("worker_sid")));
}

TEST(SignTaskRouterToken, WorkspaceChannelsCarryNeitherSid) {
  const std::string payload =
      PayloadOf(SpecFor(Profile::kTwilioPython, kWorkspaceSid));
  EXPECT_THAT(payload, Not(HasSubstr("worker_sid")));
  EXPECT_THAT(payload, Not(HasSubstr("taskqueue_sid")));
}

TEST(SignTaskRouterToken, WritesTheVersionAndAnEmptyOneAsV1) {
  TaskRouterSpec spec = SpecFor(Profile::kTwilioNode, kWorkerSid);
  spec.version = "v2";
  EXPECT_THAT(PayloadOf(spec), HasSubstr(R"("version":"v2")"));
  spec.version = "";
  EXPECT_THAT(PayloadOf(spec), HasSubstr(R"("version":"v1")"));
}

// ---- the python profile -----------------------------------------------------

TEST(SignTaskRouterToken, PythonWritesItsHeaderAndClaimOrder) {
  TaskRouterSpec spec = SpecFor(Profile::kTwilioPython, kWorkerSid);
  ASSERT_OK_AND_ASSIGN(SignedToken signed_token, Sign(spec));
  const Parts parts = Decode(signed_token.token);
  EXPECT_EQ(parts.header, kPythonHeaderJson);
  EXPECT_EQ(parts.payload,
            absl::StrCat(R"({"iss": ")", kAccountSid,
                         R"(", "exp": 1700003600, "version": "v1", )"
                         R"("friendly_name": ")",
                         kWorkerSid, R"(", "policies": [], "account_sid": ")",
                         kAccountSid, R"(", "workspace_sid": ")", kWorkspaceSid,
                         R"(", "channel": ")", kWorkerSid,
                         R"(", "worker_sid": ")", kWorkerSid, R"("})"));
}

// twilio-python 6+: the payload dict {account_sid, workspace_sid, channel,
// version, friendly_name, policies[, worker_sid]}, then Jwt's iss, exp and
// nbf; compact, with 6.x's and 7.x+'s (sorted) headers.
TEST(SignTaskRouterToken, Python6And7WriteTheirHeadersAndClaimOrder) {
  for (Profile profile : {Profile::kTwilioPython6, Profile::kTwilioPython7}) {
    SCOPED_TRACE(ProfileName(profile));
    TaskRouterSpec spec = SpecFor(profile, kWorkerSid);
    ASSERT_OK_AND_ASSIGN(SignedToken signed_token, Sign(spec));
    const Parts parts = Decode(signed_token.token);
    EXPECT_EQ(parts.header, profile == Profile::kTwilioPython6
                                ? kPython6HeaderJson
                                : kNodeHeaderJson);
    EXPECT_EQ(parts.payload,
              absl::StrCat(R"({"account_sid":")", kAccountSid,
                           R"(","workspace_sid":")", kWorkspaceSid,
                           R"(","channel":")", kWorkerSid,
                           R"(","version":"v1","friendly_name":")", kWorkerSid,
                           R"(","policies":[],"worker_sid":")", kWorkerSid,
                           R"(","iss":")", kAccountSid,
                           R"(","exp":1700003600,"nbf":1700000000})"));
    spec.omit_not_before = true;
    EXPECT_THAT(PayloadOf(spec), HasSubstr(R"("exp":1700003600})"));
  }
}

TEST(SignTaskRouterToken, Python6WritesPoliciesInPythonsMemberOrder) {
  TaskRouterSpec spec = SpecFor(Profile::kTwilioPython6, kWorkerSid);
  spec.friendly_name = "Zo\xC3\xAB";
  spec.policies.push_back(
      {.url = kWorkerUrl, .method = "DELETE", .allow = false});
  EXPECT_THAT(PayloadOf(spec), HasSubstr(absl::StrCat(
                                   R"("friendly_name":"Zo\u00eb",)"
                                   R"("policies":[{"url":")",
                                   kWorkerUrl,
                                   R"(","method":"DELETE","allow":false,)"
                                   R"("query_filter":{},"post_filter":{}}])")));
}

TEST(SignTaskRouterToken, PythonWritesAGivenFriendlyName) {
  TaskRouterSpec spec = SpecFor(Profile::kTwilioPython, kWorkerSid);
  spec.friendly_name = "Zo\u00eb";
  EXPECT_THAT(PayloadOf(spec), HasSubstr(R"("friendly_name": "Zo\u00eb")"));
}

TEST(SignTaskRouterToken, PythonWritesPoliciesInItsMemberOrderDenyIncluded) {
  TaskRouterSpec spec = SpecFor(Profile::kTwilioPython, kWorkerSid);
  ASSERT_THAT(AppendPolicySet(TaskRouterPolicySet::kUpdateActivities, &spec),
              IsOk());
  spec.policies[0].allow = false;
  EXPECT_THAT(PayloadOf(spec),
              HasSubstr(absl::StrCat(
                  R"("policies": [{"url": ")", kWorkerUrl,
                  R"(", "method": "POST", "allow": false, "query_filter": {}, )"
                  R"("post_filter": {"ActivitySid": {"required": true}}}])")));
}

// ---- time -------------------------------------------------------------------

TEST(SignTaskRouterToken, ReadsNowOnceAndTruncatesIt) {
  TaskRouterSpec spec = SpecFor(Profile::kTwilioNode, kWorkerSid);
  spec.ttl = absl::Seconds(600);
  ASSERT_OK_AND_ASSIGN(SignedToken signed_token,
                       Sign(spec, absl::FromUnixMillis(1700000000999)));
  const std::string payload = Decode(signed_token.token).payload;
  EXPECT_THAT(payload, HasSubstr(R"("exp":1700000600,)"));
  EXPECT_THAT(payload, HasSubstr(R"("iat":1700000000})"));
}

TEST(SignTaskRouterToken, HonoursAnExpireTime) {
  TaskRouterSpec spec = SpecFor(Profile::kTwilioPython, kWorkerSid);
  spec.expire_time = absl::FromUnixSeconds(kNow + 28800);
  EXPECT_THAT(PayloadOf(spec), HasSubstr(R"("exp": 1700028800,)"));
}

TEST(CheckTaskRouter, ResolvesTheLifetimeBeforeSigning) {
  TaskRouterSpec spec = SpecFor(Profile::kTwilioPython, kWorkerSid);
  spec.ttl = absl::Hours(2);
  ASSERT_OK_AND_ASSIGN(CheckedTaskRouter checked,
                       CheckTaskRouter(spec, kVectorNow, SigningLimits()));
  EXPECT_EQ(&checked.spec(), &spec);
  EXPECT_EQ(checked.issue_time(), absl::FromUnixSeconds(kNow));
  EXPECT_EQ(checked.expire_time(), absl::FromUnixSeconds(kNow + 7200));
  EXPECT_EQ(checked.lifetime(), absl::Hours(2));
  ASSERT_OK_AND_ASSIGN(
      SignedToken signed_token,
      SignCheckedTaskRouter(checked, TestKey(kAuthToken), SigningLimits()));
  ASSERT_OK_AND_ASSIGN(SignedToken direct, Sign(spec));
  EXPECT_EQ(signed_token.token, direct.token);
}

// ---- failures
// -----------------------------------------------------------------

TEST(SignTaskRouterToken, RefusesAnInvalidSpec) {
  TaskRouterSpec spec =
      SpecFor(Profile::kTwilioNode, "WA0123456789abcdef0123456789abcdef");
  EXPECT_THAT(Sign(spec), StatusIs(absl::StatusCode::kInvalidArgument,
                                   HasSubstr("channel_id: ")));
}

TEST(SignTaskRouterToken, RefusesANodeDenyPolicy) {
  TaskRouterSpec spec = SpecFor(Profile::kTwilioNode, kWorkerSid);
  ASSERT_THAT(AppendPolicySet(TaskRouterPolicySet::kPythonDefaults, &spec),
              IsOk());
  spec.policies[1].allow = false;
  EXPECT_THAT(Sign(spec),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "policies[1].allow: the twilio-node profile cannot "
                       "express a deny policy"));
}

TEST(SignTaskRouterToken, RefusesALifetimeOutOfBounds) {
  TaskRouterSpec spec = SpecFor(Profile::kTwilioNode, kWorkerSid);
  spec.ttl = absl::Hours(25);
  EXPECT_THAT(Sign(spec),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ttl: longer than the maximum lifetime of 86400 s"));
  spec.ttl = absl::ZeroDuration();
  EXPECT_THAT(Sign(spec), StatusIs(absl::StatusCode::kInvalidArgument,
                                   "ttl: must be positive"));
}

TEST(SignTaskRouterToken, RefusesATokenLongerThanTheLimit) {
  TaskRouterSpec spec = SpecFor(Profile::kTwilioPython, kWorkerSid);
  ASSERT_THAT(AppendPolicySet(TaskRouterPolicySet::kPythonDefaults, &spec),
              IsOk());
  SigningLimits limits;
  limits.max_token_bytes = 1000;
  absl::StatusOr<SignedToken> signed_token = Sign(spec, kVectorNow, limits);
  EXPECT_THAT(signed_token,
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "policies: the token would be longer than 1000 bytes"));
  EXPECT_THAT(std::string(signed_token.status().message()),
              Not(HasSubstr(std::string(kAuthToken))));
}

TEST(SignTaskRouterToken, SignsWithTheAuthToken) {
  TaskRouterSpec spec = SpecFor(Profile::kTwilioNode, kWorkerSid);
  ASSERT_OK_AND_ASSIGN(SignedToken signed_token, Sign(spec));
  ASSERT_OK_AND_ASSIGN(JwtSegments segments,
                       SplitCompactJwt(signed_token.token, 1 << 20));
  EXPECT_THAT(VerifyHs256Mac(segments, TestKey(kAuthToken)), IsOk());
  ASSERT_OK_AND_ASSIGN(HmacSha256Key other, HmacSha256Key::Create("other"));
  EXPECT_FALSE(VerifyHs256Mac(segments, other).ok());
}

}  // namespace
}  // namespace captoken::token
