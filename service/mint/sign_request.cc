#include "service/mint/sign_request.h"

#include "service/convert/access_token_request.h"
#include "service/convert/capability_request.h"
#include "service/convert/taskrouter_request.h"
#include "service/token/field_validation.h"

namespace captoken::mint {

// ---- Capability ------------------------------------------------------------

absl::StatusOr<token::CapabilitySpec> ConvertRequest(
    const v1::CapabilityRequest& request, token::Profile default_profile) {
  return convert::CapabilitySpecFromProto(request, default_profile);
}

// The library names a capability request's fields as the request does, so
// its statuses need no rewording.
absl::StatusOr<token::CheckedCapability> CheckRequest(
    const v1::CapabilityRequest& request, const token::CapabilitySpec& spec,
    absl::Time now, const token::SigningLimits& limits) {
  return token::CheckCapability(spec, now, limits);
}

absl::StatusOr<token::SignedToken> SignChecked(
    const token::CheckedCapability& checked, const token::HmacSha256Key& key,
    const token::SigningLimits& limits) {
  return token::SignCheckedCapability(checked, key, limits);
}

// ---- TaskRouter ------------------------------------------------------------

absl::StatusOr<token::TaskRouterSpec> ConvertRequest(
    const v1::TaskRouterRequest& request, token::Profile default_profile) {
  return convert::TaskRouterSpecFromProto(request, default_profile);
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

absl::StatusOr<token::SignedToken> SignChecked(
    const token::CheckedTaskRouter& checked, const token::HmacSha256Key& key,
    const token::SigningLimits& limits) {
  return token::SignCheckedTaskRouter(checked, key, limits);
}

// ---- Access Token ----------------------------------------------------------

absl::StatusOr<token::AccessTokenSpec> ConvertRequest(
    const v1::AccessTokenRequest& request, token::Profile default_profile) {
  return convert::AccessTokenSpecFromProto(request, default_profile);
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

absl::StatusOr<token::SignedToken> SignChecked(
    const token::CheckedAccessToken& checked, const token::ApiKey& key,
    const token::SigningLimits& limits) {
  return token::SignCheckedAccessToken(checked, key, limits);
}

}  // namespace captoken::mint
