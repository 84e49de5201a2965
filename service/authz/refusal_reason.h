// File: refusal_reason.h
// -----------------------------------------------------------------------------
//
// RefusalReason says why the server refused a request, in a fixed, small
// set of names an operator can graph and alert on
// (captoken_refusals_total{reason}) and find in audit lines. The status
// code alone cannot tell these apart: PERMISSION_DENIED covers an unknown
// account, a caller no policy names and every policy rule, and its message
// is deliberately the same for several of them.
//
// The code that refuses attaches the reason to the absl::Status it returns
// (as a payload, which never reaches the caller); RefusalReasonOf reads it
// back without parsing the message. Statuses without one are named by
// their code.
//
// Example:
//
//   return WithRefusalReason(RefusalReason::kTtl,
//                            absl::PermissionDeniedError("ttl: ..."));
//   ...
//   metrics->RecordRefusal(RefusalReasonOf(status));

#ifndef CAPTOKEN_SERVICE_AUTHZ_REFUSAL_REASON_H_
#define CAPTOKEN_SERVICE_AUTHZ_REFUSAL_REASON_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace captoken::authz {

enum class RefusalReason {
  kNone,  // Not refused.
  // INVALID_ARGUMENT: a malformed request (a field the message names).
  kInvalidRequest,
  // UNAUTHENTICATED: caller policies apply and the caller has no identity.
  kUnauthenticated,
  // PERMISSION_DENIED: the caller has an identity that no policy names.
  kUnknownCaller,
  // PERMISSION_DENIED: the account is unknown, verify-only, or not one the
  // caller's policy lists.
  kAccount,
  // PERMISSION_DENIED: the API key is unknown, verify-only or another
  // account's.
  kApiKey,
  // PERMISSION_DENIED by the caller's policy: the token kind, a scope kind,
  // a client name, a grant kind, the Access Token identity, the lifetime.
  kKind,
  kScope,
  kClientName,
  kGrant,
  kIdentity,
  kTtl,
  // RESOURCE_EXHAUSTED: over the caller's rate.
  kRateLimited,
  // UNAVAILABLE: the server is draining.
  kDraining,
  // RESOURCE_EXHAUSTED: the server holds as many responses not yet read by
  // their clients as its memory budget allows (response_budget.h).
  kOverloaded,
  // Any other status (an internal failure). Stays last (see
  // kRefusalReasonCount).
  kOther,
};

// How many reasons there are, kNone included: a size for arrays indexed by
// RefusalReason.
inline constexpr size_t kRefusalReasonCount =
    static_cast<size_t>(RefusalReason::kOther) + 1;

// Every reason but kNone, for code that makes one series per reason.
inline constexpr RefusalReason kAllRefusalReasons[] = {
    RefusalReason::kInvalidRequest,
    RefusalReason::kUnauthenticated,
    RefusalReason::kUnknownCaller,
    RefusalReason::kAccount,
    RefusalReason::kApiKey,
    RefusalReason::kKind,
    RefusalReason::kScope,
    RefusalReason::kClientName,
    RefusalReason::kGrant,
    RefusalReason::kIdentity,
    RefusalReason::kTtl,
    RefusalReason::kRateLimited,
    RefusalReason::kDraining,
    RefusalReason::kOverloaded,
    RefusalReason::kOther,
};

// WithRefusalReason returns `status` carrying `reason`; its code and
// message are unchanged. An OK status is returned as it is.
absl::Status WithRefusalReason(RefusalReason reason, absl::Status status);

// RefusalReasonOf returns the reason `status` carries; without one, the
// reason its code implies (INVALID_ARGUMENT is kInvalidRequest,
// UNAUTHENTICATED kUnauthenticated, RESOURCE_EXHAUSTED kRateLimited,
// UNAVAILABLE kDraining, any other error kOther); kNone for OK.
RefusalReason RefusalReasonOf(const absl::Status& status);

// RefusalReasonLabel returns the reason's stable snake_case name
// ("ttl_denied"), used as a metric label and in audit lines.
absl::string_view RefusalReasonLabel(RefusalReason reason);

}  // namespace captoken::authz

#endif  // CAPTOKEN_SERVICE_AUTHZ_REFUSAL_REASON_H_
