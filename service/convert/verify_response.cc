#include "service/convert/verify_response.h"

#include "google/protobuf/util/time_util.h"
#include "service/convert/access_grant.h"
#include "service/convert/capability_request.h"
#include "service/convert/fields.h"
#include "service/convert/taskrouter_policy.h"
#include "service/token/internal/time_claims.h"

namespace captoken::convert {
namespace {

// The verifiers refuse any time outside this range as malformed, so every
// time a response carries has a protobuf Timestamp form and the response
// can be sent and printed as JSON.
static_assert(token::internal::kMinTimeClaimSeconds ==
              google::protobuf::util::TimeUtil::kTimestampMinSeconds);
static_assert(token::internal::kMaxTimeClaimSeconds ==
              google::protobuf::util::TimeUtil::kTimestampMaxSeconds);

// The verdict, shared by every kind.
v1::VerifyTokenResponse Verdict(const absl::Status& status) {
  v1::VerifyTokenResponse response;
  response.set_valid(status.ok());
  response.set_failure(
      VerificationFailureToProto(token::VerificationFailureOf(status)));
  return response;
}

// The claims every kind has.
template <typename Claims>
void SetCommonClaims(const Claims& claims, v1::VerifyTokenResponse* response) {
  response->set_account_sid(claims.account_sid);
  TimeToProto(claims.expire_time, response->mutable_expire_time());
  if (claims.issue_time.has_value()) {
    TimeToProto(*claims.issue_time, response->mutable_issue_time());
  }
}

}  // namespace

v1::VerificationFailure VerificationFailureToProto(
    token::VerificationFailure failure) {
  switch (failure) {
    case token::VerificationFailure::kNone:
      return v1::VERIFICATION_FAILURE_UNSPECIFIED;
    case token::VerificationFailure::kMalformed:
      return v1::VERIFICATION_FAILURE_MALFORMED;
    case token::VerificationFailure::kBadSignature:
      return v1::VERIFICATION_FAILURE_BAD_SIGNATURE;
    case token::VerificationFailure::kUnsupportedHeader:
      return v1::VERIFICATION_FAILURE_UNSUPPORTED_HEADER;
    case token::VerificationFailure::kExpired:
      return v1::VERIFICATION_FAILURE_EXPIRED;
    case token::VerificationFailure::kNotYetValid:
      return v1::VERIFICATION_FAILURE_NOT_YET_VALID;
    case token::VerificationFailure::kWrongAccount:
      return v1::VERIFICATION_FAILURE_WRONG_ACCOUNT;
    case token::VerificationFailure::kTooLarge:
      return v1::VERIFICATION_FAILURE_TOO_LARGE;
  }
  return v1::VERIFICATION_FAILURE_MALFORMED;
}

v1::TokenKind TokenKindToProto(token::TokenKind kind) {
  switch (kind) {
    case token::TokenKind::kCapability:
      return v1::TOKEN_KIND_CAPABILITY;
    case token::TokenKind::kTaskRouter:
      return v1::TOKEN_KIND_TASKROUTER;
    case token::TokenKind::kAccessToken:
      return v1::TOKEN_KIND_ACCESS;
  }
  return v1::TOKEN_KIND_UNSPECIFIED;
}

v1::VerifyTokenResponse VerifyResponseFor(
    const absl::Status& status,
    const token::CapabilityClaims* authenticated_claims) {
  v1::VerifyTokenResponse response = Verdict(status);
  response.set_kind(v1::TOKEN_KIND_CAPABILITY);
  if (authenticated_claims != nullptr) {
    SetCommonClaims(*authenticated_claims, &response);
    ScopesToProto(authenticated_claims->scopes, response.mutable_scopes());
  }
  return response;
}

v1::VerifyTokenResponse TaskRouterVerifyResponseFor(
    const absl::Status& status,
    const token::TaskRouterClaims* authenticated_claims) {
  v1::VerifyTokenResponse response = Verdict(status);
  response.set_kind(v1::TOKEN_KIND_TASKROUTER);
  if (authenticated_claims != nullptr) {
    const token::TaskRouterClaims& claims = *authenticated_claims;
    SetCommonClaims(claims, &response);
    v1::TaskRouterClaims* out = response.mutable_taskrouter();
    out->set_workspace_sid(claims.workspace_sid);
    out->set_channel_id(claims.channel_id);
    out->set_version(claims.version);
    out->set_friendly_name(claims.friendly_name.value_or(""));
    for (const token::TaskRouterPolicy& policy : claims.policies) {
      PolicyToProto(policy, out->add_policies());
    }
  }
  return response;
}

v1::VerifyTokenResponse AccessTokenVerifyResponseFor(
    const absl::Status& status,
    const token::AccessTokenClaims* authenticated_claims) {
  v1::VerifyTokenResponse response = Verdict(status);
  response.set_kind(v1::TOKEN_KIND_ACCESS);
  if (authenticated_claims != nullptr) {
    const token::AccessTokenClaims& claims = *authenticated_claims;
    SetCommonClaims(claims, &response);
    v1::AccessTokenClaims* out = response.mutable_access();
    out->set_api_key_sid(claims.api_key_sid);
    out->set_token_id(claims.token_id);
    out->set_identity(claims.identity);
    for (const token::AccessGrant& grant : claims.grants) {
      GrantToProto(grant, out->add_grants());
    }
    out->set_region(claims.region);
    if (claims.not_before.has_value()) {
      TimeToProto(*claims.not_before, out->mutable_not_before());
    }
  }
  return response;
}

v1::VerifyTokenResponse UnreadableTokenResponseFor(const absl::Status& status) {
  return Verdict(status);
}

}  // namespace captoken::convert
