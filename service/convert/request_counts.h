// File: request_counts.h
// -----------------------------------------------------------------------------
//
// The counts a request names, checked against the signing limits before any
// work is done for it. Conversion expands a request (a TaskRouter policy set
// becomes several policies, each with its own URL), so a limit checked only
// on the converted spec is a limit checked after the work it bounds: 60,000
// repeated policy sets in 60 KB would cost 100 MB before the 64-policy limit
// refused them. Each check here is a comparison of repeated-field sizes.
//
// The token library checks the same limits again on the spec (with the same
// messages); these checks only make sure nothing expands first.
//
// Example:
//
//   CAPTOKEN_RETURN_IF_ERROR(CheckRequestCounts(request, limits));
//   CAPTOKEN_ASSIGN_OR_RETURN(token::TaskRouterSpec spec,
//                             TaskRouterSpecFromProto(request, profile));

#ifndef CAPTOKEN_SERVICE_CONVERT_REQUEST_COUNTS_H_
#define CAPTOKEN_SERVICE_CONVERT_REQUEST_COUNTS_H_

#include "absl/status/status.h"
#include "captoken/v1/access_token.pb.h"
#include "captoken/v1/capability.pb.h"
#include "captoken/v1/taskrouter.pb.h"
#include "service/token/signing_limits.h"

namespace captoken::convert {

// Fails with INVALID_ARGUMENT if the request has more scopes than
// `limits.max_scopes`, or a scope more parameters than
// `limits.max_params_per_scope`.
absl::Status CheckRequestCounts(const v1::CapabilityRequest& request,
                                const token::SigningLimits& limits);

// Fails with INVALID_ARGUMENT if policy sets and policies together exceed
// `limits.max_policies` (every set expands to at least one policy), or a
// policy has more filters than `limits.max_filters_per_policy`.
absl::Status CheckRequestCounts(const v1::TaskRouterRequest& request,
                                const token::SigningLimits& limits);

// Fails with INVALID_ARGUMENT if the request has more grants than
// `limits.max_grants`.
absl::Status CheckRequestCounts(const v1::AccessTokenRequest& request,
                                const token::SigningLimits& limits);

}  // namespace captoken::convert

#endif  // CAPTOKEN_SERVICE_CONVERT_REQUEST_COUNTS_H_
