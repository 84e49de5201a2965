// File: taskrouter_policy.h
// -----------------------------------------------------------------------------
//
// Converts TaskRouter policies and standard policy sets between the wire
// contract (captoken.v1.TaskRouterPolicy, TaskRouterPolicySet) and the token
// library. A filter's constraint travels as `required` (the SDKs' usual
// {"required": true/false}) or as JSON text copied verbatim; the library
// decides which constraints a token may carry.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(
//       token::TaskRouterPolicy policy,
//       PolicyFromProto("policies[0]", request.policies(0)));
//   PolicyToProto(claims.policies[0], response.add_policies());

#ifndef CAPTOKEN_SERVICE_CONVERT_TASKROUTER_POLICY_H_
#define CAPTOKEN_SERVICE_CONVERT_TASKROUTER_POLICY_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "captoken/v1/taskrouter.pb.h"
#include "service/token/taskrouter_policies.h"
#include "service/token/taskrouter_spec.h"

namespace captoken::convert {

// PolicySetFromProto returns the library's policy set for `set`.
//
// Fails with INVALID_ARGUMENT ("<field>: unknown or unspecified policy set")
// for TASK_ROUTER_POLICY_SET_UNSPECIFIED or a number the enum does not
// define.
absl::StatusOr<token::TaskRouterPolicySet> PolicySetFromProto(
    absl::string_view field, v1::TaskRouterPolicySet set);

// PolicyFromProto converts one policy; `field` names it in errors
// ("policies[2]"). An empty method becomes "GET"; `deny` becomes
// allow = false.
//
// Fails with INVALID_ARGUMENT for a filter with neither `required` nor
// `constraint_json` set, or constraint_json that is not JSON.
absl::StatusOr<token::TaskRouterPolicy> PolicyFromProto(
    absl::string_view field, const v1::TaskRouterPolicy& policy);

// PolicyToProto writes `policy` into `out`. A constraint that is exactly
// {"required": <bool>} becomes `required`; any other becomes
// `constraint_json`.
void PolicyToProto(const token::TaskRouterPolicy& policy,
                   v1::TaskRouterPolicy* out);

}  // namespace captoken::convert

#endif  // CAPTOKEN_SERVICE_CONVERT_TASKROUTER_POLICY_H_
