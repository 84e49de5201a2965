// File: taskrouter_request.h
// -----------------------------------------------------------------------------
//
// Converts a captoken.v1.TaskRouterRequest into the token library's
// TaskRouterSpec: the ids, the standard policy sets (appended first, in
// request order, built by the library from the ids) and then the request's
// own policies. Only shape is checked here; every value rule is the
// library's, so the CLI and the server refuse exactly the same requests.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(
//       token::TaskRouterSpec spec,
//       TaskRouterSpecFromProto(request, token::Profile::kTwilioPython));
//   absl::StatusOr<token::CheckedTaskRouter> checked =
//       token::CheckTaskRouter(spec, now, limits);
//   if (!checked.ok()) {
//     return TaskRouterStatusInRequestTerms(checked.status(), request, spec);
//   }

#ifndef CAPTOKEN_SERVICE_CONVERT_TASKROUTER_REQUEST_H_
#define CAPTOKEN_SERVICE_CONVERT_TASKROUTER_REQUEST_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "captoken/v1/taskrouter.pb.h"
#include "service/token/profile.h"
#include "service/token/taskrouter_spec.h"

namespace captoken::convert {

// TaskRouterSpecFromProto converts `request`; PROFILE_UNSPECIFIED becomes
// `default_profile` and an empty version stays empty (the library reads it
// as "v1").
//
// Fails with INVALID_ARGUMENT naming the field for: an unknown or
// unspecified policy set; a policy set the channel cannot have (a worker
// set for a task queue, say: the library's rule, reported here because the
// set is expanded here); a filter without a constraint or with
// constraint_json that is not JSON; an unknown profile; a ttl or
// expire_time outside protobuf's range.
absl::StatusOr<token::TaskRouterSpec> TaskRouterSpecFromProto(
    const v1::TaskRouterRequest& request, token::Profile default_profile);

// TaskRouterStatusInRequestTerms rewrites a library error about `spec`
// (from CheckTaskRouter) so that it names the request's fields: the
// library counts the standard sets' policies before the request's own, so
// its "policies[7]" is the request's "policies[1]" when the sets added six,
// and its `allow` is the request's `deny`. Other statuses are returned
// unchanged.
absl::Status TaskRouterStatusInRequestTerms(
    const absl::Status& status, const v1::TaskRouterRequest& request,
    const token::TaskRouterSpec& spec);

}  // namespace captoken::convert

#endif  // CAPTOKEN_SERVICE_CONVERT_TASKROUTER_REQUEST_H_
