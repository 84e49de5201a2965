#include "service/mint/sign_request.h"

#include "service/token/field_validation.h"

namespace captoken::mint {

// The library names a capability request's fields as the request does, so
// its statuses need no rewording.
absl::StatusOr<token::CheckedCapability> CheckRequest(
    const v1::CapabilityRequest& request, const token::CapabilitySpec& spec,
    absl::Time now, const token::SigningLimits& limits) {
  return token::CheckCapability(spec, now, limits);
}

absl::StatusOr<token::CheckedTaskRouter> CheckRequest(
    const v1::TaskRouterRequest& request, const token::TaskRouterSpec& spec,
    absl::Time now, const token::SigningLimits& limits) {
  absl::StatusOr<token::CheckedTaskRouter> checked =
      token::CheckTaskRouter(spec, now, limits);
  if (!checked.ok()) {
    return convert::TaskRouterStatusInRequestTerms(checked.status(), request,
                                                   spec);
  }
  return checked;
}

absl::StatusOr<token::CheckedAccessToken> CheckRequest(
    const v1::AccessTokenRequest& request, const token::AccessTokenSpec& spec,
    absl::Time now, const token::SigningLimits& limits) {
  absl::StatusOr<token::CheckedAccessToken> checked =
      token::CheckAccessToken(spec, now, limits);
  if (!checked.ok()) {
    return convert::AccessTokenStatusInRequestTerms(checked.status());
  }
  // Empty is allowed here: the server then picks the account's key.
  if (!request.api_key_sid().empty()) {
    if (absl::Status s = token::CheckSid("SK", request.api_key_sid());
        !s.ok()) {
      return token::InField("api_key_sid", s);
    }
  }
  return checked;
}

}  // namespace captoken::mint
