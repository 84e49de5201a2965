// Tests for taskrouter_policy.h: every standard set maps to the library's,
// policies keep their order, filters and constraints, an empty method is
// GET, `deny` is allow = false, shape problems name the field, and policies
// read back from a token convert to the same wire form.

#include "service/convert/taskrouter_policy.h"

#include <vector>

#include "absl/status/status.h"
#include "captoken/v1/taskrouter.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/json_value.h"
#include "service/token/taskrouter_policies.h"
#include "service/token/taskrouter_spec.h"
#include "tests/testing/status_matchers.h"

namespace captoken::convert {
namespace {

using ::captoken::testing::StatusIs;
using ::testing::Eq;
using ::testing::StartsWith;

constexpr char kUrl[] =
    "https://taskrouter.twilio.com/v1/Workspaces/"
    "WS0123456789abcdef0123456789abcdef/Tasks/**";

TEST(PolicySetFromProto, MapsEverySet) {
  const std::vector<
      std::pair<v1::TaskRouterPolicySet, token::TaskRouterPolicySet>>
      cases = {
          {v1::TASK_ROUTER_POLICY_SET_EVENT_BRIDGE,
           token::TaskRouterPolicySet::kEventBridge},
          {v1::TASK_ROUTER_POLICY_SET_NODE_WORKER_DEFAULTS,
           token::TaskRouterPolicySet::kNodeWorkerDefaults},
          {v1::TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS,
           token::TaskRouterPolicySet::kPythonDefaults},
          {v1::TASK_ROUTER_POLICY_SET_UPDATE_ACTIVITIES,
           token::TaskRouterPolicySet::kUpdateActivities},
          {v1::TASK_ROUTER_POLICY_SET_UPDATE_RESERVATIONS,
           token::TaskRouterPolicySet::kUpdateReservations},
          {v1::TASK_ROUTER_POLICY_SET_FETCH_SUBRESOURCES,
           token::TaskRouterPolicySet::kFetchSubresources},
          {v1::TASK_ROUTER_POLICY_SET_UPDATE_SUBRESOURCES,
           token::TaskRouterPolicySet::kUpdateSubresources},
          {v1::TASK_ROUTER_POLICY_SET_DELETE_SUBRESOURCES,
           token::TaskRouterPolicySet::kDeleteSubresources},
          {v1::TASK_ROUTER_POLICY_SET_UPDATE_SELF,
           token::TaskRouterPolicySet::kUpdateSelf},
          {v1::TASK_ROUTER_POLICY_SET_DELETE_SELF,
           token::TaskRouterPolicySet::kDeleteSelf},
      };
  // Every value the enum defines, but UNSPECIFIED, is covered.
  EXPECT_EQ(cases.size() + 1,
            static_cast<size_t>(v1::TaskRouterPolicySet_ARRAYSIZE));
  for (const auto& [wire, library] : cases) {
    ASSERT_OK_AND_ASSIGN(token::TaskRouterPolicySet set,
                         PolicySetFromProto("policy_sets[0]", wire));
    EXPECT_EQ(set, library) << v1::TaskRouterPolicySet_Name(wire);
  }
}

TEST(PolicySetFromProto, UnspecifiedAndUnknownAreRefusedNamingTheField) {
  EXPECT_THAT(
      PolicySetFromProto("policy_sets[2]",
                         v1::TASK_ROUTER_POLICY_SET_UNSPECIFIED),
      StatusIs(absl::StatusCode::kInvalidArgument,
               Eq("policy_sets[2]: unknown or unspecified policy set")));
  EXPECT_THAT(PolicySetFromProto("policy_sets[0]",
                                 static_cast<v1::TaskRouterPolicySet>(99)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith("policy_sets[0]")));
}

TEST(PolicyFromProto, CopiesUrlMethodAndFiltersInOrder) {
  v1::TaskRouterPolicy policy;
  policy.set_url(kUrl);
  policy.set_method("POST");
  v1::TaskRouterFilter* first = policy.add_query_filter();
  first->set_name("To");
  first->set_required(true);
  v1::TaskRouterFilter* second = policy.add_query_filter();
  second->set_name("From");
  second->set_required(false);
  v1::TaskRouterFilter* post = policy.add_post_filter();
  post->set_name("ActivitySid");
  post->set_constraint_json(R"({"required":true,"z":[1]})");

  ASSERT_OK_AND_ASSIGN(token::TaskRouterPolicy converted,
                       PolicyFromProto("policies[0]", policy));
  EXPECT_EQ(converted.url, kUrl);
  EXPECT_EQ(converted.method, "POST");
  EXPECT_TRUE(converted.allow);
  ASSERT_EQ(converted.query_filter.size(), 2u);
  EXPECT_EQ(converted.query_filter[0], token::TaskRouterFilter::Required("To"));
  EXPECT_EQ(converted.query_filter[1],
            token::TaskRouterFilter::Optional("From"));
  ASSERT_EQ(converted.post_filter.size(), 1u);
  EXPECT_EQ(converted.post_filter[0].name, "ActivitySid");
  EXPECT_THAT(converted.post_filter[0].constraint.member_names(),
              ::testing::ElementsAre("required", "z"));
}

TEST(PolicyFromProto, EmptyMethodIsGet) {
  v1::TaskRouterPolicy policy;
  policy.set_url(kUrl);
  ASSERT_OK_AND_ASSIGN(token::TaskRouterPolicy converted,
                       PolicyFromProto("policies[0]", policy));
  EXPECT_EQ(converted.method, "GET");
}

TEST(PolicyFromProto, DenyIsAllowFalse) {
  v1::TaskRouterPolicy policy;
  policy.set_url(kUrl);
  policy.set_deny(true);
  ASSERT_OK_AND_ASSIGN(token::TaskRouterPolicy converted,
                       PolicyFromProto("policies[0]", policy));
  EXPECT_FALSE(converted.allow);
}

TEST(PolicyFromProto, ValuesAreLeftForTheLibrary) {
  // A missing URL and an unknown method are the library's to refuse.
  v1::TaskRouterPolicy policy;
  policy.set_method("PATCH");
  ASSERT_OK_AND_ASSIGN(token::TaskRouterPolicy converted,
                       PolicyFromProto("policies[0]", policy));
  EXPECT_EQ(converted.url, "");
  EXPECT_EQ(converted.method, "PATCH");
}

TEST(PolicyFromProto, FilterWithoutAConstraintIsRefusedNamingIt) {
  v1::TaskRouterPolicy policy;
  policy.set_url(kUrl);
  policy.add_post_filter()->set_required(true);
  policy.add_post_filter()->set_name("Unset");
  EXPECT_THAT(PolicyFromProto("policies[3]", policy),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("policies[3].post_filter[1]: set required or "
                          "constraint_json")));
}

TEST(PolicyFromProto, ConstraintThatIsNotJsonIsRefusedNamingIt) {
  v1::TaskRouterPolicy policy;
  policy.set_url(kUrl);
  v1::TaskRouterFilter* filter = policy.add_query_filter();
  filter->set_name("To");
  filter->set_constraint_json("{required:true}");
  EXPECT_THAT(
      PolicyFromProto("policies[0]", policy),
      StatusIs(absl::StatusCode::kInvalidArgument,
               StartsWith("policies[0].query_filter[0].constraint_json: "
                          "JSON: ")));
}

TEST(PolicyToProto, RequiredOnlyConstraintsBecomeRequired) {
  token::TaskRouterPolicy policy;
  policy.url = kUrl;
  policy.method = "DELETE";
  policy.allow = false;
  policy.query_filter = {token::TaskRouterFilter::Required("A"),
                         token::TaskRouterFilter::Optional("B")};
  policy.post_filter = {
      {"C",
       token::JsonValue::Object({{"required", token::JsonValue::Bool(true)},
                                 {"x", token::JsonValue::Int(2)}})},
      {"D", token::JsonValue::Object(
                {{"required", token::JsonValue::String("yes")}})}};
  v1::TaskRouterPolicy out;
  PolicyToProto(policy, &out);
  EXPECT_EQ(out.url(), kUrl);
  EXPECT_EQ(out.method(), "DELETE");
  EXPECT_TRUE(out.deny());
  ASSERT_EQ(out.query_filter_size(), 2);
  EXPECT_EQ(out.query_filter(0).name(), "A");
  ASSERT_TRUE(out.query_filter(0).has_required());
  EXPECT_TRUE(out.query_filter(0).required());
  ASSERT_TRUE(out.query_filter(1).has_required());
  EXPECT_FALSE(out.query_filter(1).required());
  ASSERT_EQ(out.post_filter_size(), 2);
  EXPECT_EQ(out.post_filter(0).constraint_json(), R"({"required":true,"x":2})");
  EXPECT_EQ(out.post_filter(1).constraint_json(), R"({"required":"yes"})");
}

TEST(PolicyToProto, RoundTripsThroughPolicyFromProto) {
  for (const token::TaskRouterPolicy& policy :
       token::DefaultWorkerPolicies("v1", "WS0123456789abcdef0123456789abcdef",
                                    "WK0123456789abcdef0123456789abcdef")) {
    v1::TaskRouterPolicy wire;
    PolicyToProto(policy, &wire);
    ASSERT_OK_AND_ASSIGN(token::TaskRouterPolicy back,
                         PolicyFromProto("policies[0]", wire));
    EXPECT_EQ(back, policy);
  }
  token::TaskRouterPolicy activities;
  activities.url = kUrl;
  activities.method = "POST";
  activities.post_filter = {token::TaskRouterFilter::Required("ActivitySid")};
  activities.allow = false;
  v1::TaskRouterPolicy wire;
  PolicyToProto(activities, &wire);
  ASSERT_OK_AND_ASSIGN(token::TaskRouterPolicy back,
                       PolicyFromProto("policies[0]", wire));
  EXPECT_EQ(back, activities);
}

}  // namespace
}  // namespace captoken::convert
