// File: taskrouter_policies.h
// -----------------------------------------------------------------------------
//
// The TaskRouter URLs and standard policy sets of both SDKs, so that a spec
// can say "what twilio-python adds by default" instead of spelling out six
// policies.
//
//   twilio-node    attaches nothing by itself; its `util` module has URL
//                  helpers, defaultEventBridgePolicies(account, channel)
//                  and defaultWorkerPolicies(version, workspace, worker).
//   twilio-python  attaches, on construction and in this order: event
//                  bridge GET and POST, GET on the channel's own resource
//                  (Workers/WK, TaskQueues/WQ or the workspace), and for a
//                  worker GET Activities, GET Tasks/** and GET
//                  Workers/WK/Reservations/**. Optional extras follow in
//                  call order (TaskRouterPolicySet below).
//
// The "resource" of a channel is Workspaces/WS/Workers/WK for a worker,
// Workspaces/WS/TaskQueues/WQ for a task queue, and Workspaces/WS for the
// workspace. Every policy built here allows, and has no filters unless
// noted.
//
// Example:
//
//   spec.policies = DefaultEventBridgePolicies(account_sid, worker_sid);
//   for (TaskRouterPolicy& policy :
//        DefaultWorkerPolicies("v1", workspace_sid, worker_sid)) {
//     spec.policies.push_back(std::move(policy));
//   }
//
//   // or, python's list and one extra:
//   CAPTOKEN_RETURN_IF_ERROR(
//       AppendPolicySet(TaskRouterPolicySet::kPythonDefaults, &spec));
//   CAPTOKEN_RETURN_IF_ERROR(
//       AppendPolicySet(TaskRouterPolicySet::kUpdateActivities, &spec));

#ifndef CAPTOKEN_SERVICE_TOKEN_TASKROUTER_POLICIES_H_
#define CAPTOKEN_SERVICE_TOKEN_TASKROUTER_POLICIES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "service/token/taskrouter_spec.h"

namespace captoken::token {

inline constexpr absl::string_view kTaskRouterBaseUrl =
    "https://taskrouter.twilio.com";
inline constexpr absl::string_view kEventBridgeBaseUrl =
    "https://event-bridge.twilio.com/v1/wschannels";

// URL helpers, as twilio-node's taskrouter `util` writes them: API version
// v1, and an empty trailing id is left out
// (WorkersUrl(ws) == ".../Workspaces/WS.../Workers").
std::string WorkspacesUrl(absl::string_view workspace_sid = "");
std::string TaskQueuesUrl(absl::string_view workspace_sid,
                          absl::string_view task_queue_sid = "");
std::string TasksUrl(absl::string_view workspace_sid,
                     absl::string_view task_sid = "");
std::string ActivitiesUrl(absl::string_view workspace_sid,
                          absl::string_view activity_sid = "");
std::string WorkersUrl(absl::string_view workspace_sid,
                       absl::string_view worker_sid = "");
std::string ReservationsUrl(absl::string_view workspace_sid,
                            absl::string_view worker_sid,
                            absl::string_view reservation_sid = "");

// EventBridgeUrl returns the websocket channel's URL,
// https://event-bridge.twilio.com/v1/wschannels/<account>/<channel>.
std::string EventBridgeUrl(absl::string_view account_sid,
                           absl::string_view channel_id);

// DefaultEventBridgePolicies is twilio-node's
// util.defaultEventBridgePolicies: GET and POST on the channel.
std::vector<TaskRouterPolicy> DefaultEventBridgePolicies(
    absl::string_view account_sid, absl::string_view channel_id);

// DefaultWorkerPolicies is twilio-node's util.defaultWorkerPolicies: GET
// Activities, GET Tasks/**, GET Workers/WK/Reservations/**, GET Workers/WK,
// under API version `version`.
std::vector<TaskRouterPolicy> DefaultWorkerPolicies(
    absl::string_view version, absl::string_view workspace_sid,
    absl::string_view worker_sid);

// TaskRouterPolicySet names a standard list of policies for a spec's
// channel. The python names are twilio-python's (5.x methods, 6.x+
// keyword arguments).
enum class TaskRouterPolicySet {
  // node defaultEventBridgePolicies(account_sid, channel_id).
  kEventBridge,
  // node defaultWorkerPolicies(version, workspace_sid, channel_id); worker
  // channels only.
  kNodeWorkerDefaults,
  // python's automatic list for the channel's kind (see the top).
  kPythonDefaults,
  // python allow_update_activities: POST on the worker with post filter
  // {"ActivitySid": {"required": true}}; worker channels only.
  kUpdateActivities,
  // python allow_update_reservations: POST Tasks/** and POST
  // Workers/WK/Reservations/**; worker channels only.
  kUpdateReservations,
  // python allow_fetch_subresources / allow_update_subresources /
  // allow_delete_subresources: GET / POST / DELETE on <resource>/**.
  kFetchSubresources,
  kUpdateSubresources,
  kDeleteSubresources,
  // python allow_update_self / allow_delete_self: POST / DELETE on
  // <resource>.
  kUpdateSelf,
  kDeleteSelf,
};

// TaskRouterPolicySetName returns the set's name in snake case without the
// k ("python_defaults"), for logs and error messages.
absl::string_view TaskRouterPolicySetName(TaskRouterPolicySet set);

// AppendPolicySet appends `set`, built from `spec`'s account, workspace,
// channel and version, to `spec->policies`.
//
// Fails with INVALID_ARGUMENT, leaving the spec unchanged, if the set needs
// a worker channel and `spec->channel_id` is not one, or needs the channel's
// resource and the channel id has no known prefix.
absl::Status AppendPolicySet(TaskRouterPolicySet set, TaskRouterSpec* spec);

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_TASKROUTER_POLICIES_H_
