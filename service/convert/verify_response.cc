#include "service/convert/verify_response.h"

#include "service/convert/capability_request.h"

namespace captoken::convert {

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

v1::VerifyTokenResponse VerifyResponseFor(
    const absl::Status& status,
    const token::CapabilityClaims* authenticated_claims) {
  v1::VerifyTokenResponse response;
  response.set_valid(status.ok());
  response.set_failure(
      VerificationFailureToProto(token::VerificationFailureOf(status)));
  if (authenticated_claims != nullptr) {
    response.set_account_sid(authenticated_claims->account_sid);
    ScopesToProto(authenticated_claims->scopes, response.mutable_scopes());
    *response.mutable_expire_time() =
        TimeToProto(authenticated_claims->expire_time);
    if (authenticated_claims->issue_time.has_value()) {
      *response.mutable_issue_time() =
          TimeToProto(*authenticated_claims->issue_time);
    }
  }
  return response;
}

}  // namespace captoken::convert
