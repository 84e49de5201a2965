// Tests for request_counts.h: each limit refuses one over and accepts one
// at it, by counting alone.

#include "service/convert/request_counts.h"

#include "absl/status/status.h"
#include "captoken/v1/access_token.pb.h"
#include "captoken/v1/capability.pb.h"
#include "captoken/v1/taskrouter.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/signing_limits.h"
#include "tests/testing/status_matchers.h"

namespace captoken::convert {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::HasSubstr;

TEST(CheckRequestCounts, CapabilityScopes) {
  const token::SigningLimits limits;
  v1::CapabilityRequest request;
  for (size_t i = 0; i < limits.max_scopes; ++i) request.add_scopes();
  EXPECT_THAT(CheckRequestCounts(request, limits), IsOk());
  request.add_scopes();
  EXPECT_THAT(CheckRequestCounts(request, limits),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("scopes: more than 16 scopes")));
}

TEST(CheckRequestCounts, CapabilityParamsAndFilters) {
  const token::SigningLimits limits;
  v1::CapabilityRequest request;
  v1::ClientOutgoing* outgoing =
      request.add_scopes()->mutable_client_outgoing();
  v1::EventStream* stream = request.add_scopes()->mutable_event_stream();
  for (size_t i = 0; i < limits.max_params_per_scope; ++i) {
    outgoing->add_params();
    stream->add_filters();
  }
  EXPECT_THAT(CheckRequestCounts(request, limits), IsOk());
  stream->add_filters();
  EXPECT_THAT(CheckRequestCounts(request, limits),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("scopes[1].event_stream.filters: more than")));
  stream->mutable_filters()->RemoveLast();
  outgoing->add_params();
  EXPECT_THAT(
      CheckRequestCounts(request, limits),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("scopes[0].client_outgoing.params: more than")));
}

// The attack this check exists for: policy sets are counted before any is
// expanded, so 60,000 of them cost a comparison, not 100 MB.
TEST(CheckRequestCounts, PolicySetsCountBeforeExpansion) {
  const token::SigningLimits limits;
  v1::TaskRouterRequest request;
  for (int i = 0; i < 60000; ++i) {
    request.add_policy_sets(v1::TASK_ROUTER_POLICY_SET_EVENT_BRIDGE);
  }
  EXPECT_THAT(CheckRequestCounts(request, limits),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("policies: more than 64 policies")));
}

TEST(CheckRequestCounts, SetsAndPoliciesShareTheLimit) {
  const token::SigningLimits limits;
  v1::TaskRouterRequest request;
  for (size_t i = 0; i < limits.max_policies / 2; ++i) {
    request.add_policy_sets(v1::TASK_ROUTER_POLICY_SET_EVENT_BRIDGE);
    request.add_policies();
  }
  EXPECT_THAT(CheckRequestCounts(request, limits), IsOk());
  request.add_policies();
  EXPECT_THAT(CheckRequestCounts(request, limits),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("policies: more than 64")));
}

TEST(CheckRequestCounts, TaskRouterFilters) {
  const token::SigningLimits limits;
  v1::TaskRouterRequest request;
  v1::TaskRouterPolicy* policy = request.add_policies();
  for (size_t i = 0; i < limits.max_filters_per_policy; ++i) {
    policy->add_query_filter();
    policy->add_post_filter();
  }
  EXPECT_THAT(CheckRequestCounts(request, limits), IsOk());
  policy->add_post_filter();
  EXPECT_THAT(CheckRequestCounts(request, limits),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("policies[0].post_filter: more than 32")));
  policy->mutable_post_filter()->RemoveLast();
  policy->add_query_filter();
  EXPECT_THAT(CheckRequestCounts(request, limits),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("policies[0].query_filter: more than 32")));
}

TEST(CheckRequestCounts, AccessGrants) {
  const token::SigningLimits limits;
  v1::AccessTokenRequest request;
  for (size_t i = 0; i < limits.max_grants; ++i) request.add_grants();
  EXPECT_THAT(CheckRequestCounts(request, limits), IsOk());
  request.add_grants();
  EXPECT_THAT(CheckRequestCounts(request, limits),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("grants: more than 16 grants")));
}

}  // namespace
}  // namespace captoken::convert
