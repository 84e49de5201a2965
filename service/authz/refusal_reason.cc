#include "service/authz/refusal_reason.h"

#include <iterator>
#include <string>
#include <utility>

#include "absl/strings/cord.h"

namespace captoken::authz {
namespace {

constexpr absl::string_view kPayloadUrl =
    "type.captoken.dev/captoken.service.RefusalReason";

struct Entry {
  RefusalReason reason;
  absl::string_view label;
};

constexpr Entry kEntries[] = {
    {RefusalReason::kNone, "none"},
    {RefusalReason::kInvalidRequest, "invalid_request"},
    {RefusalReason::kUnauthenticated, "unauthenticated"},
    {RefusalReason::kUnknownCaller, "unknown_caller"},
    {RefusalReason::kAccount, "account_denied"},
    {RefusalReason::kApiKey, "api_key_denied"},
    {RefusalReason::kKind, "kind_denied"},
    {RefusalReason::kScope, "scope_denied"},
    {RefusalReason::kClientName, "client_name_denied"},
    {RefusalReason::kGrant, "grant_denied"},
    {RefusalReason::kIdentity, "identity_denied"},
    {RefusalReason::kTtl, "ttl_denied"},
    {RefusalReason::kRateLimited, "rate_limited"},
    {RefusalReason::kDraining, "draining"},
    {RefusalReason::kOverloaded, "overloaded"},
    {RefusalReason::kOther, "other"},
};

RefusalReason ReasonOfCode(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return RefusalReason::kNone;
    case absl::StatusCode::kInvalidArgument:
      return RefusalReason::kInvalidRequest;
    case absl::StatusCode::kUnauthenticated:
      return RefusalReason::kUnauthenticated;
    case absl::StatusCode::kResourceExhausted:
      return RefusalReason::kRateLimited;
    case absl::StatusCode::kUnavailable:
      return RefusalReason::kDraining;
    default:
      return RefusalReason::kOther;
  }
}

static_assert(std::size(kEntries) == kRefusalReasonCount &&
                  std::size(kAllRefusalReasons) == kRefusalReasonCount - 1,
              "every RefusalReason needs a label and a place in "
              "kAllRefusalReasons");

}  // namespace

absl::Status WithRefusalReason(RefusalReason reason, absl::Status status) {
  if (!status.ok()) {
    status.SetPayload(kPayloadUrl, absl::Cord(RefusalReasonLabel(reason)));
  }
  return status;
}

RefusalReason RefusalReasonOf(const absl::Status& status) {
  if (status.ok()) return RefusalReason::kNone;
  if (const auto payload = status.GetPayload(kPayloadUrl)) {
    const std::string label(*payload);
    for (const Entry& entry : kEntries) {
      if (entry.label == label && entry.reason != RefusalReason::kNone) {
        return entry.reason;
      }
    }
  }
  return ReasonOfCode(status.code());
}

absl::string_view RefusalReasonLabel(RefusalReason reason) {
  for (const Entry& entry : kEntries) {
    if (entry.reason == reason) return entry.label;
  }
  return "other";
}

}  // namespace captoken::authz
