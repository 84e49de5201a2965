#include "service/token/taskrouter_policies.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace captoken::token {
namespace {

// The node helpers' fixed API version.
constexpr absl::string_view kNodeHelperVersion = "v1";

std::string WorkspaceUrl(absl::string_view version,
                         absl::string_view workspace_sid) {
  return absl::StrCat(kTaskRouterBaseUrl, "/", version, "/Workspaces/",
                      workspace_sid);
}

// Appends "/<segment>" unless `segment` is empty.
std::string WithOptional(std::string url, absl::string_view segment) {
  if (!segment.empty()) absl::StrAppend(&url, "/", segment);
  return url;
}

TaskRouterPolicy Allow(std::string url, absl::string_view method) {
  TaskRouterPolicy policy;
  policy.url = std::move(url);
  policy.method = std::string(method);
  return policy;
}

// The URL of the channel's own resource, or "" for an unknown prefix.
std::string ResourceUrl(const TaskRouterSpec& spec) {
  const std::string workspace =
      WorkspaceUrl(VersionOf(spec), spec.workspace_sid);
  switch (ChannelKindOf(spec.channel_id)) {
    case TaskRouterChannelKind::kWorker:
      return absl::StrCat(workspace, "/Workers/", spec.channel_id);
    case TaskRouterChannelKind::kTaskQueue:
      return absl::StrCat(workspace, "/TaskQueues/", spec.channel_id);
    case TaskRouterChannelKind::kWorkspace:
      return workspace;
    case TaskRouterChannelKind::kUnknown:
      break;
  }
  return "";
}

bool NeedsWorker(TaskRouterPolicySet set) {
  return set == TaskRouterPolicySet::kNodeWorkerDefaults ||
         set == TaskRouterPolicySet::kUpdateActivities ||
         set == TaskRouterPolicySet::kUpdateReservations;
}

}  // namespace

std::string WorkspacesUrl(absl::string_view workspace_sid) {
  return WithOptional(
      absl::StrCat(kTaskRouterBaseUrl, "/", kNodeHelperVersion, "/Workspaces"),
      workspace_sid);
}

std::string TaskQueuesUrl(absl::string_view workspace_sid,
                          absl::string_view task_queue_sid) {
  return WithOptional(absl::StrCat(WorkspacesUrl(workspace_sid), "/TaskQueues"),
                      task_queue_sid);
}

std::string TasksUrl(absl::string_view workspace_sid,
                     absl::string_view task_sid) {
  return WithOptional(absl::StrCat(WorkspacesUrl(workspace_sid), "/Tasks"),
                      task_sid);
}

std::string ActivitiesUrl(absl::string_view workspace_sid,
                          absl::string_view activity_sid) {
  return WithOptional(absl::StrCat(WorkspacesUrl(workspace_sid), "/Activities"),
                      activity_sid);
}

std::string WorkersUrl(absl::string_view workspace_sid,
                       absl::string_view worker_sid) {
  return WithOptional(absl::StrCat(WorkspacesUrl(workspace_sid), "/Workers"),
                      worker_sid);
}

std::string ReservationsUrl(absl::string_view workspace_sid,
                            absl::string_view worker_sid,
                            absl::string_view reservation_sid) {
  return WithOptional(
      absl::StrCat(WorkersUrl(workspace_sid, worker_sid), "/Reservations"),
      reservation_sid);
}

std::string EventBridgeUrl(absl::string_view account_sid,
                           absl::string_view channel_id) {
  return absl::StrCat(kEventBridgeBaseUrl, "/", account_sid, "/", channel_id);
}

std::vector<TaskRouterPolicy> DefaultEventBridgePolicies(
    absl::string_view account_sid, absl::string_view channel_id) {
  const std::string url = EventBridgeUrl(account_sid, channel_id);
  std::vector<TaskRouterPolicy> policies;
  policies.push_back(Allow(url, "GET"));
  policies.push_back(Allow(url, "POST"));
  return policies;
}

std::vector<TaskRouterPolicy> DefaultWorkerPolicies(
    absl::string_view version, absl::string_view workspace_sid,
    absl::string_view worker_sid) {
  const std::string workspace = WorkspaceUrl(version, workspace_sid);
  const std::string worker = absl::StrCat(workspace, "/Workers/", worker_sid);
  std::vector<TaskRouterPolicy> policies;
  policies.push_back(Allow(absl::StrCat(workspace, "/Activities"), "GET"));
  policies.push_back(Allow(absl::StrCat(workspace, "/Tasks/**"), "GET"));
  policies.push_back(Allow(absl::StrCat(worker, "/Reservations/**"), "GET"));
  policies.push_back(Allow(worker, "GET"));
  return policies;
}

absl::string_view TaskRouterPolicySetName(TaskRouterPolicySet set) {
  switch (set) {
    case TaskRouterPolicySet::kEventBridge:
      return "event_bridge";
    case TaskRouterPolicySet::kNodeWorkerDefaults:
      return "node_worker_defaults";
    case TaskRouterPolicySet::kPythonDefaults:
      return "python_defaults";
    case TaskRouterPolicySet::kUpdateActivities:
      return "update_activities";
    case TaskRouterPolicySet::kUpdateReservations:
      return "update_reservations";
    case TaskRouterPolicySet::kFetchSubresources:
      return "fetch_subresources";
    case TaskRouterPolicySet::kUpdateSubresources:
      return "update_subresources";
    case TaskRouterPolicySet::kDeleteSubresources:
      return "delete_subresources";
    case TaskRouterPolicySet::kUpdateSelf:
      return "update_self";
    case TaskRouterPolicySet::kDeleteSelf:
      return "delete_self";
  }
  return "unknown";
}

absl::Status AppendPolicySet(TaskRouterPolicySet set, TaskRouterSpec* spec) {
  const TaskRouterChannelKind kind = ChannelKindOf(spec->channel_id);
  if (NeedsWorker(set) && kind != TaskRouterChannelKind::kWorker) {
    return absl::InvalidArgumentError(
        absl::StrCat("policies: ", TaskRouterPolicySetName(set),
                     " needs a worker channel (\"WK\")"));
  }
  const std::string resource = ResourceUrl(*spec);
  if (set != TaskRouterPolicySet::kEventBridge && resource.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("policies: ", TaskRouterPolicySetName(set),
                     " needs a channel_id starting \"WK\", \"WQ\" or \"WS\""));
  }
  const std::string workspace =
      WorkspaceUrl(VersionOf(*spec), spec->workspace_sid);
  std::vector<TaskRouterPolicy> added;
  switch (set) {
    case TaskRouterPolicySet::kEventBridge:
      added = DefaultEventBridgePolicies(spec->account_sid, spec->channel_id);
      break;
    case TaskRouterPolicySet::kNodeWorkerDefaults:
      added = DefaultWorkerPolicies(VersionOf(*spec), spec->workspace_sid,
                                    spec->channel_id);
      break;
    case TaskRouterPolicySet::kPythonDefaults:
      added = DefaultEventBridgePolicies(spec->account_sid, spec->channel_id);
      added.push_back(Allow(resource, "GET"));
      if (kind == TaskRouterChannelKind::kWorker) {
        added.push_back(Allow(absl::StrCat(workspace, "/Activities"), "GET"));
        added.push_back(Allow(absl::StrCat(workspace, "/Tasks/**"), "GET"));
        added.push_back(
            Allow(absl::StrCat(resource, "/Reservations/**"), "GET"));
      }
      break;
    case TaskRouterPolicySet::kUpdateActivities: {
      TaskRouterPolicy policy = Allow(resource, "POST");
      policy.post_filter.push_back(TaskRouterFilter::Required("ActivitySid"));
      added.push_back(std::move(policy));
      break;
    }
    case TaskRouterPolicySet::kUpdateReservations:
      added.push_back(Allow(absl::StrCat(workspace, "/Tasks/**"), "POST"));
      added.push_back(
          Allow(absl::StrCat(resource, "/Reservations/**"), "POST"));
      break;
    case TaskRouterPolicySet::kFetchSubresources:
      added.push_back(Allow(absl::StrCat(resource, "/**"), "GET"));
      break;
    case TaskRouterPolicySet::kUpdateSubresources:
      added.push_back(Allow(absl::StrCat(resource, "/**"), "POST"));
      break;
    case TaskRouterPolicySet::kDeleteSubresources:
      added.push_back(Allow(absl::StrCat(resource, "/**"), "DELETE"));
      break;
    case TaskRouterPolicySet::kUpdateSelf:
      added.push_back(Allow(resource, "POST"));
      break;
    case TaskRouterPolicySet::kDeleteSelf:
      added.push_back(Allow(resource, "DELETE"));
      break;
  }
  for (TaskRouterPolicy& policy : added) {
    spec->policies.push_back(std::move(policy));
  }
  return absl::OkStatus();
}

}  // namespace captoken::token
