// Tests for taskrouter_policies.h: node's URL helpers and default lists,
// and python's automatic list and extras for every channel kind.

#include "service/token/taskrouter_policies.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/taskrouter_spec.h"
#include "tests/testing/status_matchers.h"

namespace captoken::token {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;

constexpr absl::string_view kAccountSid = "AC0123456789abcdef0123456789abcdef";
constexpr absl::string_view kWorkspaceSid =
    "WS0123456789abcdef0123456789abcdef";
constexpr absl::string_view kWorkerSid = "WK0123456789abcdef0123456789abcdef";
constexpr absl::string_view kTaskQueueSid =
    "WQ0123456789abcdef0123456789abcdef";

const std::string kWorkspaceUrl =
    absl::StrCat("https://taskrouter.twilio.com/v1/Workspaces/", kWorkspaceSid);
const std::string kWorkerUrl =
    absl::StrCat(kWorkspaceUrl, "/Workers/", kWorkerSid);
const std::string kBridgeUrl =
    absl::StrCat("https://event-bridge.twilio.com/v1/wschannels/", kAccountSid,
                 "/", kWorkerSid);

TaskRouterSpec SpecFor(absl::string_view channel) {
  TaskRouterSpec spec;
  spec.account_sid = std::string(kAccountSid);
  spec.workspace_sid = std::string(kWorkspaceSid);
  spec.channel_id = std::string(channel);
  return spec;
}

// "METHOD url" for each policy, and whether any has a filter or denies.
std::vector<std::string> Summary(
    const std::vector<TaskRouterPolicy>& policies) {
  std::vector<std::string> lines;
  for (const TaskRouterPolicy& policy : policies) {
    lines.push_back(absl::StrCat(policy.method, " ", policy.url,
                                 policy.allow ? "" : " (deny)",
                                 policy.query_filter.empty() ? "" : " (query)",
                                 policy.post_filter.empty() ? "" : " (post)"));
  }
  return lines;
}

TEST(UrlHelpers, AppendSegmentsAndSkipAnEmptyTrailingId) {
  EXPECT_EQ(WorkspacesUrl(), "https://taskrouter.twilio.com/v1/Workspaces");
  EXPECT_EQ(WorkspacesUrl(kWorkspaceSid), kWorkspaceUrl);
  EXPECT_EQ(TaskQueuesUrl(kWorkspaceSid), kWorkspaceUrl + "/TaskQueues");
  EXPECT_EQ(TaskQueuesUrl(kWorkspaceSid, kTaskQueueSid),
            absl::StrCat(kWorkspaceUrl, "/TaskQueues/", kTaskQueueSid));
  EXPECT_EQ(TasksUrl(kWorkspaceSid, "**"), kWorkspaceUrl + "/Tasks/**");
  EXPECT_EQ(ActivitiesUrl(kWorkspaceSid), kWorkspaceUrl + "/Activities");
  EXPECT_EQ(WorkersUrl(kWorkspaceSid), kWorkspaceUrl + "/Workers");
  EXPECT_EQ(WorkersUrl(kWorkspaceSid, kWorkerSid), kWorkerUrl);
  EXPECT_EQ(ReservationsUrl(kWorkspaceSid, kWorkerSid),
            kWorkerUrl + "/Reservations");
  EXPECT_EQ(ReservationsUrl(kWorkspaceSid, kWorkerSid, "**"),
            kWorkerUrl + "/Reservations/**");
  EXPECT_EQ(EventBridgeUrl(kAccountSid, kWorkerSid), kBridgeUrl);
}

TEST(DefaultEventBridgePolicies, AreGetThenPostOnTheChannel) {
  EXPECT_THAT(
      Summary(DefaultEventBridgePolicies(kAccountSid, kWorkerSid)),
      ::testing::ElementsAre("GET " + kBridgeUrl, "POST " + kBridgeUrl));
}

TEST(DefaultWorkerPolicies, AreNodesFourInNodesOrderUnderTheGivenVersion) {
  EXPECT_THAT(Summary(DefaultWorkerPolicies("v1", kWorkspaceSid, kWorkerSid)),
              ::testing::ElementsAre("GET " + kWorkspaceUrl + "/Activities",
                                     "GET " + kWorkspaceUrl + "/Tasks/**",
                                     "GET " + kWorkerUrl + "/Reservations/**",
                                     "GET " + kWorkerUrl));
  EXPECT_EQ(DefaultWorkerPolicies("v2", kWorkspaceSid, kWorkerSid)[0].url,
            absl::StrCat("https://taskrouter.twilio.com/v2/Workspaces/",
                         kWorkspaceSid, "/Activities"));
}

TEST(AppendPolicySet, PythonDefaultsForAWorker) {
  TaskRouterSpec spec = SpecFor(kWorkerSid);
  ASSERT_THAT(AppendPolicySet(TaskRouterPolicySet::kPythonDefaults, &spec),
              IsOk());
  EXPECT_THAT(Summary(spec.policies),
              ::testing::ElementsAre("GET " + kBridgeUrl, "POST " + kBridgeUrl,
                                     "GET " + kWorkerUrl,
                                     "GET " + kWorkspaceUrl + "/Activities",
                                     "GET " + kWorkspaceUrl + "/Tasks/**",
                                     "GET " + kWorkerUrl + "/Reservations/**"));
}

TEST(AppendPolicySet, PythonDefaultsForATaskQueueAndAWorkspace) {
  TaskRouterSpec queue = SpecFor(kTaskQueueSid);
  ASSERT_THAT(AppendPolicySet(TaskRouterPolicySet::kPythonDefaults, &queue),
              IsOk());
  ASSERT_EQ(queue.policies.size(), 3u);
  EXPECT_EQ(queue.policies[2].url,
            absl::StrCat(kWorkspaceUrl, "/TaskQueues/", kTaskQueueSid));

  TaskRouterSpec workspace = SpecFor(kWorkspaceSid);
  ASSERT_THAT(AppendPolicySet(TaskRouterPolicySet::kPythonDefaults, &workspace),
              IsOk());
  ASSERT_EQ(workspace.policies.size(), 3u);
  EXPECT_EQ(workspace.policies[2].url, kWorkspaceUrl);
  EXPECT_EQ(workspace.policies[0].url,
            absl::StrCat("https://event-bridge.twilio.com/v1/wschannels/",
                         kAccountSid, "/", kWorkspaceSid));
}

TEST(AppendPolicySet, NodeSetsAppendNodesLists) {
  TaskRouterSpec spec = SpecFor(kWorkerSid);
  ASSERT_THAT(AppendPolicySet(TaskRouterPolicySet::kEventBridge, &spec),
              IsOk());
  ASSERT_THAT(AppendPolicySet(TaskRouterPolicySet::kNodeWorkerDefaults, &spec),
              IsOk());
  std::vector<TaskRouterPolicy> expected =
      DefaultEventBridgePolicies(kAccountSid, kWorkerSid);
  for (TaskRouterPolicy& policy :
       DefaultWorkerPolicies("v1", kWorkspaceSid, kWorkerSid)) {
    expected.push_back(policy);
  }
  EXPECT_EQ(spec.policies, expected);
}

TEST(AppendPolicySet, WorkerExtrasInPythonsOrder) {
  TaskRouterSpec spec = SpecFor(kWorkerSid);
  ASSERT_THAT(AppendPolicySet(TaskRouterPolicySet::kUpdateActivities, &spec),
              IsOk());
  ASSERT_THAT(AppendPolicySet(TaskRouterPolicySet::kUpdateReservations, &spec),
              IsOk());
  EXPECT_THAT(
      Summary(spec.policies),
      ::testing::ElementsAre("POST " + kWorkerUrl + " (post)",
                             "POST " + kWorkspaceUrl + "/Tasks/**",
                             "POST " + kWorkerUrl + "/Reservations/**"));
  EXPECT_THAT(
      spec.policies[0].post_filter,
      ::testing::ElementsAre(TaskRouterFilter::Required("ActivitySid")));
}

TEST(AppendPolicySet, ResourceExtrasForEachChannelKind) {
  const std::vector<std::pair<absl::string_view, std::string>> kinds = {
      {kWorkerSid, kWorkerUrl},
      {kTaskQueueSid,
       absl::StrCat(kWorkspaceUrl, "/TaskQueues/", kTaskQueueSid)},
      {kWorkspaceSid, kWorkspaceUrl}};
  for (const auto& [channel, resource] : kinds) {
    TaskRouterSpec spec = SpecFor(channel);
    for (TaskRouterPolicySet set :
         {TaskRouterPolicySet::kFetchSubresources,
          TaskRouterPolicySet::kUpdateSubresources,
          TaskRouterPolicySet::kDeleteSubresources,
          TaskRouterPolicySet::kUpdateSelf, TaskRouterPolicySet::kDeleteSelf}) {
      ASSERT_THAT(AppendPolicySet(set, &spec), IsOk());
    }
    EXPECT_THAT(Summary(spec.policies),
                ::testing::ElementsAre(
                    "GET " + resource + "/**", "POST " + resource + "/**",
                    "DELETE " + resource + "/**", "POST " + resource,
                    "DELETE " + resource))
        << channel;
  }
}

TEST(AppendPolicySet, UsesTheSpecsVersion) {
  TaskRouterSpec spec = SpecFor(kWorkspaceSid);
  spec.version = "v2";
  ASSERT_THAT(AppendPolicySet(TaskRouterPolicySet::kUpdateSelf, &spec), IsOk());
  EXPECT_EQ(spec.policies[0].url,
            absl::StrCat("https://taskrouter.twilio.com/v2/Workspaces/",
                         kWorkspaceSid));
}

TEST(AppendPolicySet, WorkerSetsNeedAWorkerChannel) {
  for (TaskRouterPolicySet set : {TaskRouterPolicySet::kNodeWorkerDefaults,
                                  TaskRouterPolicySet::kUpdateActivities,
                                  TaskRouterPolicySet::kUpdateReservations}) {
    TaskRouterSpec spec = SpecFor(kTaskQueueSid);
    EXPECT_THAT(
        AppendPolicySet(set, &spec),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 absl::StrCat("policies: ", TaskRouterPolicySetName(set),
                              " needs a worker channel (\"WK\")")));
    EXPECT_TRUE(spec.policies.empty());
  }
}

TEST(AppendPolicySet, ResourceSetsNeedAKnownChannelPrefix) {
  TaskRouterSpec spec = SpecFor("XX0123456789abcdef0123456789abcdef");
  EXPECT_THAT(AppendPolicySet(TaskRouterPolicySet::kPythonDefaults, &spec),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "policies: python_defaults needs a channel_id starting "
                       "\"WK\", \"WQ\" or \"WS\""));
  EXPECT_TRUE(spec.policies.empty());
  // The event bridge needs no resource.
  EXPECT_THAT(AppendPolicySet(TaskRouterPolicySet::kEventBridge, &spec),
              IsOk());
}

TEST(TaskRouterPolicySetName, NamesEverySet) {
  EXPECT_EQ(TaskRouterPolicySetName(TaskRouterPolicySet::kEventBridge),
            "event_bridge");
  EXPECT_EQ(TaskRouterPolicySetName(TaskRouterPolicySet::kNodeWorkerDefaults),
            "node_worker_defaults");
  EXPECT_EQ(TaskRouterPolicySetName(TaskRouterPolicySet::kPythonDefaults),
            "python_defaults");
  EXPECT_EQ(TaskRouterPolicySetName(TaskRouterPolicySet::kUpdateActivities),
            "update_activities");
  EXPECT_EQ(TaskRouterPolicySetName(TaskRouterPolicySet::kUpdateReservations),
            "update_reservations");
  EXPECT_EQ(TaskRouterPolicySetName(TaskRouterPolicySet::kFetchSubresources),
            "fetch_subresources");
  EXPECT_EQ(TaskRouterPolicySetName(TaskRouterPolicySet::kUpdateSubresources),
            "update_subresources");
  EXPECT_EQ(TaskRouterPolicySetName(TaskRouterPolicySet::kDeleteSubresources),
            "delete_subresources");
  EXPECT_EQ(TaskRouterPolicySetName(TaskRouterPolicySet::kUpdateSelf),
            "update_self");
  EXPECT_EQ(TaskRouterPolicySetName(TaskRouterPolicySet::kDeleteSelf),
            "delete_self");
  EXPECT_EQ(TaskRouterPolicySetName(static_cast<TaskRouterPolicySet>(99)),
            "unknown");
}

}  // namespace
}  // namespace captoken::token
