// Tests for taskrouter_request.h: a TaskRouterRequest becomes the spec the
// library would build by hand (ids, standard sets first and in order, then
// the request's policies), shape problems name the request's field, and the
// library's errors are put back into the request's terms.

#include "service/convert/taskrouter_request.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "captoken/v1/taskrouter.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/signing_limits.h"
#include "service/token/taskrouter_policies.h"
#include "service/token/taskrouter_signer.h"
#include "service/token/taskrouter_spec.h"
#include "tests/testing/status_matchers.h"

namespace captoken::convert {
namespace {

using ::captoken::testing::StatusIs;
using ::testing::Eq;

constexpr char kAccountSid[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kWorkspaceSid[] = "WS0123456789abcdef0123456789abcdef";
constexpr char kWorkerSid[] = "WK0123456789abcdef0123456789abcdef";
constexpr char kQueueSid[] = "WQ0123456789abcdef0123456789abcdef";

v1::TaskRouterRequest WorkerRequest() {
  v1::TaskRouterRequest request;
  request.set_account_sid(kAccountSid);
  request.set_workspace_sid(kWorkspaceSid);
  request.set_channel_id(kWorkerSid);
  return request;
}

absl::StatusOr<token::TaskRouterSpec> Convert(
    const v1::TaskRouterRequest& request) {
  return TaskRouterSpecFromProto(request, token::Profile::kTwilioPython);
}

// What CheckTaskRouter says about `request`, in the request's terms.
absl::Status CheckInRequestTerms(const v1::TaskRouterRequest& request) {
  absl::StatusOr<token::TaskRouterSpec> spec = Convert(request);
  if (!spec.ok()) return spec.status();
  absl::StatusOr<token::CheckedTaskRouter> checked = token::CheckTaskRouter(
      *spec, absl::FromUnixSeconds(1700000000), token::SigningLimits());
  return TaskRouterStatusInRequestTerms(checked.status(), request, *spec);
}

TEST(TaskRouterSpecFromProto, CopiesTheIds) {
  v1::TaskRouterRequest request = WorkerRequest();
  request.set_friendly_name("Alice");
  request.set_version("v2");
  ASSERT_OK_AND_ASSIGN(token::TaskRouterSpec spec, Convert(request));
  EXPECT_EQ(spec.account_sid, kAccountSid);
  EXPECT_EQ(spec.workspace_sid, kWorkspaceSid);
  EXPECT_EQ(spec.channel_id, kWorkerSid);
  EXPECT_EQ(spec.friendly_name, "Alice");
  EXPECT_EQ(spec.version, "v2");
  EXPECT_TRUE(spec.policies.empty());
  EXPECT_FALSE(spec.ttl.has_value());
  EXPECT_FALSE(spec.expire_time.has_value());
  EXPECT_EQ(spec.profile, token::Profile::kTwilioPython);
}

TEST(TaskRouterSpecFromProto, EmptyVersionIsReadAsV1) {
  ASSERT_OK_AND_ASSIGN(token::TaskRouterSpec spec, Convert(WorkerRequest()));
  EXPECT_EQ(token::VersionOf(spec), "v1");
}

TEST(TaskRouterSpecFromProto, StandardSetsComeFirstInOrderThenPolicies) {
  v1::TaskRouterRequest request = WorkerRequest();
  request.add_policy_sets(v1::TASK_ROUTER_POLICY_SET_EVENT_BRIDGE);
  request.add_policy_sets(v1::TASK_ROUTER_POLICY_SET_NODE_WORKER_DEFAULTS);
  v1::TaskRouterPolicy* own = request.add_policies();
  own->set_url(token::TasksUrl(kWorkspaceSid, "**"));
  own->set_method("DELETE");
  own->set_deny(true);

  token::TaskRouterSpec expected;
  expected.account_sid = kAccountSid;
  expected.workspace_sid = kWorkspaceSid;
  expected.channel_id = kWorkerSid;
  expected.policies =
      token::DefaultEventBridgePolicies(kAccountSid, kWorkerSid);
  for (token::TaskRouterPolicy& policy :
       token::DefaultWorkerPolicies("v1", kWorkspaceSid, kWorkerSid)) {
    expected.policies.push_back(std::move(policy));
  }
  expected.policies.push_back({.url = token::TasksUrl(kWorkspaceSid, "**"),
                               .method = "DELETE",
                               .allow = false});

  ASSERT_OK_AND_ASSIGN(token::TaskRouterSpec spec, Convert(request));
  EXPECT_EQ(spec.policies, expected.policies);
}

TEST(TaskRouterSpecFromProto, PythonDefaultsAreThePythonList) {
  v1::TaskRouterRequest request = WorkerRequest();
  request.add_policy_sets(v1::TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS);
  request.add_policy_sets(v1::TASK_ROUTER_POLICY_SET_UPDATE_ACTIVITIES);
  token::TaskRouterSpec expected;
  expected.account_sid = kAccountSid;
  expected.workspace_sid = kWorkspaceSid;
  expected.channel_id = kWorkerSid;
  ASSERT_TRUE(token::AppendPolicySet(
                  token::TaskRouterPolicySet::kPythonDefaults, &expected)
                  .ok());
  ASSERT_TRUE(token::AppendPolicySet(
                  token::TaskRouterPolicySet::kUpdateActivities, &expected)
                  .ok());
  ASSERT_OK_AND_ASSIGN(token::TaskRouterSpec spec, Convert(request));
  EXPECT_EQ(spec.policies, expected.policies);
  EXPECT_EQ(spec.policies.size(), 7u);
}

TEST(TaskRouterSpecFromProto, AWorkerSetForATaskQueueNamesTheSet) {
  v1::TaskRouterRequest request = WorkerRequest();
  request.set_channel_id(kQueueSid);
  request.add_policy_sets(v1::TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS);
  request.add_policy_sets(v1::TASK_ROUTER_POLICY_SET_UPDATE_ACTIVITIES);
  EXPECT_THAT(Convert(request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("policy_sets[1]: update_activities needs a worker "
                          "channel (\"WK\")")));
}

TEST(TaskRouterSpecFromProto, UnspecifiedSetIsRefusedNamingIt) {
  v1::TaskRouterRequest request = WorkerRequest();
  request.add_policy_sets(v1::TASK_ROUTER_POLICY_SET_EVENT_BRIDGE);
  request.add_policy_sets(v1::TASK_ROUTER_POLICY_SET_UNSPECIFIED);
  EXPECT_THAT(
      Convert(request),
      StatusIs(absl::StatusCode::kInvalidArgument,
               Eq("policy_sets[1]: unknown or unspecified policy set")));
}

TEST(TaskRouterSpecFromProto, PolicyShapeProblemsNameThePolicy) {
  v1::TaskRouterRequest request = WorkerRequest();
  request.add_policies()->set_url(token::TasksUrl(kWorkspaceSid));
  request.add_policies()->add_query_filter()->set_name("x");
  EXPECT_THAT(Convert(request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("policies[1].query_filter[0]: set required or "
                          "constraint_json")));
}

TEST(TaskRouterSpecFromProto, ProfileAndLifetimesConvert) {
  v1::TaskRouterRequest request = WorkerRequest();
  request.set_profile(v1::PROFILE_TWILIO_NODE);
  request.mutable_ttl()->set_seconds(600);
  request.mutable_expire_time()->set_seconds(1700000600);
  ASSERT_OK_AND_ASSIGN(token::TaskRouterSpec spec, Convert(request));
  EXPECT_EQ(spec.profile, token::Profile::kTwilioNode);
  EXPECT_EQ(spec.ttl, absl::Seconds(600));
  EXPECT_EQ(spec.expire_time, absl::FromUnixSeconds(1700000600));

  v1::TaskRouterRequest unspecified = WorkerRequest();
  ASSERT_OK_AND_ASSIGN(
      token::TaskRouterSpec defaulted,
      TaskRouterSpecFromProto(unspecified, token::Profile::kTwilioNode));
  EXPECT_EQ(defaulted.profile, token::Profile::kTwilioNode);
  EXPECT_FALSE(defaulted.omit_not_before);

  request.set_profile(v1::PROFILE_TWILIO_PYTHON_6);
  request.set_omit_not_before(true);
  ASSERT_OK_AND_ASSIGN(token::TaskRouterSpec python6, Convert(request));
  EXPECT_EQ(python6.profile, token::Profile::kTwilioPython6);
  EXPECT_TRUE(python6.omit_not_before);
}

TEST(TaskRouterSpecFromProto, ShapeErrorsOfProfileAndLifetime) {
  v1::TaskRouterRequest request = WorkerRequest();
  request.set_profile(static_cast<v1::Profile>(9));
  EXPECT_THAT(Convert(request), StatusIs(absl::StatusCode::kInvalidArgument,
                                         Eq("profile: unknown value")));
  request = WorkerRequest();
  request.mutable_ttl()->set_seconds(315576000001);
  EXPECT_THAT(Convert(request), StatusIs(absl::StatusCode::kInvalidArgument,
                                         Eq("ttl: out of range")));
  request = WorkerRequest();
  request.mutable_expire_time()->set_nanos(-1);
  EXPECT_THAT(Convert(request), StatusIs(absl::StatusCode::kInvalidArgument,
                                         Eq("expire_time: out of range")));
}

TEST(TaskRouterSpecFromProto, ValueRulesAreLeftToTheLibrary) {
  v1::TaskRouterRequest request;
  request.set_account_sid("not a sid");
  ASSERT_OK_AND_ASSIGN(token::TaskRouterSpec spec, Convert(request));
  EXPECT_EQ(spec.account_sid, "not a sid");
  EXPECT_THAT(CheckInRequestTerms(request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::StartsWith("account_sid: ")));
}

// ---- TaskRouterStatusInRequestTerms --------------------------------------

TEST(TaskRouterStatusInRequestTerms, PolicyIndexCountsOnlyTheRequestsPolicies) {
  v1::TaskRouterRequest request = WorkerRequest();
  request.add_policy_sets(v1::TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS);
  request.add_policies()->set_url(token::TasksUrl(kWorkspaceSid));
  v1::TaskRouterPolicy* bad = request.add_policies();
  bad->set_url(token::TasksUrl(kWorkspaceSid));
  bad->set_method("PATCH");
  EXPECT_THAT(
      CheckInRequestTerms(request),
      StatusIs(
          absl::StatusCode::kInvalidArgument,
          Eq("policies[1].method: must be \"GET\", \"POST\" or \"DELETE\"")));
}

TEST(TaskRouterStatusInRequestTerms, ANodeDenyNamesTheDenyField) {
  v1::TaskRouterRequest request = WorkerRequest();
  request.set_profile(v1::PROFILE_TWILIO_NODE);
  request.add_policy_sets(v1::TASK_ROUTER_POLICY_SET_EVENT_BRIDGE);
  v1::TaskRouterPolicy* deny = request.add_policies();
  deny->set_url(token::TasksUrl(kWorkspaceSid));
  deny->set_deny(true);
  EXPECT_THAT(CheckInRequestTerms(request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("policies[0].deny: the twilio-node profile cannot "
                          "express a deny policy")));
  // The python profile writes it.
  request.set_profile(v1::PROFILE_TWILIO_PYTHON);
  EXPECT_TRUE(CheckInRequestTerms(request).ok());
}

TEST(TaskRouterStatusInRequestTerms, OtherStatusesAreUnchanged) {
  const v1::TaskRouterRequest request = WorkerRequest();
  token::TaskRouterSpec spec;
  for (const absl::Status& status :
       {absl::OkStatus(), absl::InvalidArgumentError("workspace_sid: required"),
        absl::InvalidArgumentError("policies: more than 64 policies"),
        absl::InvalidArgumentError("policies[x].url: required")}) {
    EXPECT_EQ(TaskRouterStatusInRequestTerms(status, request, spec), status);
  }
}

}  // namespace
}  // namespace captoken::convert
