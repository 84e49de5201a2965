// File: verify_response.h
// -----------------------------------------------------------------------------
//
// Builds the captoken.v1.VerifyTokenResponse for a verification outcome, so
// that the server's VerifyToken RPC and `captoken verify` report a token the
// same way.
//
// Example:
//
//   token::CapabilityClaims claims;
//   absl::StatusOr<token::VerifiedCapabilityToken> verified =
//       verifier.Verify(token, keys, &claims);
//   v1::VerifyTokenResponse response = VerifyResponseFor(
//       verified.status(), claims_were_read ? &claims : nullptr);

#ifndef CAPTOKEN_SERVICE_CONVERT_VERIFY_RESPONSE_H_
#define CAPTOKEN_SERVICE_CONVERT_VERIFY_RESPONSE_H_

#include "absl/status/status.h"
#include "captoken/v1/token_service.pb.h"
#include "service/token/capability_verifier.h"
#include "service/token/verification_failure.h"

namespace captoken::convert {

// VerificationFailureToProto maps the library's reason to the wire enum.
v1::VerificationFailure VerificationFailureToProto(
    token::VerificationFailure failure);

// VerifyResponseFor returns the response for a verification that ended with
// `status`. `authenticated_claims`, if not null, are claims whose MAC
// verified (even if a later check failed); they fill the response's claim
// fields.
v1::VerifyTokenResponse VerifyResponseFor(
    const absl::Status& status,
    const token::CapabilityClaims* authenticated_claims);

}  // namespace captoken::convert

#endif  // CAPTOKEN_SERVICE_CONVERT_VERIFY_RESPONSE_H_
