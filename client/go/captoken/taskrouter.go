package captoken

import (
	"captoken.dev/client/go/captokenv1"
)

// TaskRouter policy sets, re-exported for brevity: standard lists of
// policies the server adds before a request's own, in the order given.
const (
	// PolicySetEventBridge: GET and POST on the channel's event bridge
	// (twilio-node's defaults).
	PolicySetEventBridge = captokenv1.TaskRouterPolicySet_TASK_ROUTER_POLICY_SET_EVENT_BRIDGE
	// PolicySetNodeWorkerDefaults: twilio-node util.defaultWorkerPolicies;
	// worker channels only.
	PolicySetNodeWorkerDefaults = captokenv1.TaskRouterPolicySet_TASK_ROUTER_POLICY_SET_NODE_WORKER_DEFAULTS
	// PolicySetPythonDefaults: what twilio-python adds on its own for the
	// channel's kind.
	PolicySetPythonDefaults = captokenv1.TaskRouterPolicySet_TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS
	// PolicySetUpdateActivities: python allow_update_activities; workers only.
	PolicySetUpdateActivities = captokenv1.TaskRouterPolicySet_TASK_ROUTER_POLICY_SET_UPDATE_ACTIVITIES
	// PolicySetUpdateReservations: python allow_update_reservations; workers only.
	PolicySetUpdateReservations = captokenv1.TaskRouterPolicySet_TASK_ROUTER_POLICY_SET_UPDATE_RESERVATIONS
	PolicySetFetchSubresources  = captokenv1.TaskRouterPolicySet_TASK_ROUTER_POLICY_SET_FETCH_SUBRESOURCES
	PolicySetUpdateSubresources = captokenv1.TaskRouterPolicySet_TASK_ROUTER_POLICY_SET_UPDATE_SUBRESOURCES
	PolicySetDeleteSubresources = captokenv1.TaskRouterPolicySet_TASK_ROUTER_POLICY_SET_DELETE_SUBRESOURCES
	PolicySetUpdateSelf         = captokenv1.TaskRouterPolicySet_TASK_ROUTER_POLICY_SET_UPDATE_SELF
	PolicySetDeleteSelf         = captokenv1.TaskRouterPolicySet_TASK_ROUTER_POLICY_SET_DELETE_SELF
)

// NewTaskRouterRequest returns a request for a TaskRouter token of the
// account for the channel channelID ("WK…" a worker, "WQ…" a task queue or
// "WS…" the workspace itself) of the workspace workspaceSID, with the
// standard policy sets in order (none: only the request's own Policies,
// as twilio-node). Set Policies (TaskRouterPolicy), FriendlyName, Version,
// Ttl or ExpireTime, and Profile as needed.
func NewTaskRouterRequest(accountSID, workspaceSID, channelID string, sets ...captokenv1.TaskRouterPolicySet) *captokenv1.TaskRouterRequest {
	return &captokenv1.TaskRouterRequest{
		AccountSid:   accountSID,
		WorkspaceSid: workspaceSID,
		ChannelId:    channelID,
		PolicySets:   sets,
	}
}

// TaskRouterPolicy is a policy that allows method ("GET", "POST" or
// "DELETE"; "" is GET) on url (an https URL; a trailing "**" matches any
// sub-path). Set its QueryFilter and PostFilter (RequiredFilter,
// JSONFilter), or Deny (python profile only), as needed.
func TaskRouterPolicy(url, method string) *captokenv1.TaskRouterPolicy {
	return &captokenv1.TaskRouterPolicy{Url: url, Method: method}
}

// RequiredFilter constrains the parameter name to be present (or, with
// false, optional): {"required": required}.
func RequiredFilter(name string, required bool) *captokenv1.TaskRouterFilter {
	return &captokenv1.TaskRouterFilter{
		Name:       name,
		Constraint: &captokenv1.TaskRouterFilter_Required{Required: required},
	}
}

// JSONFilter constrains the parameter name with any JSON object, written
// into the token verbatim.
func JSONFilter(name, constraintJSON string) *captokenv1.TaskRouterFilter {
	return &captokenv1.TaskRouterFilter{
		Name:       name,
		Constraint: &captokenv1.TaskRouterFilter_ConstraintJson{ConstraintJson: constraintJSON},
	}
}
