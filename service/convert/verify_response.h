// File: verify_response.h
// -----------------------------------------------------------------------------
//
// Builds the captoken.v1.VerifyTokenResponse for a verification outcome, so
// that the server's VerifyToken RPC and `captoken verify` report a token the
// same way. There is one builder per token kind, each called once the
// token's kind has been read (token_kind.h), and one for a token whose kind
// could not be read at all.
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
#include "service/token/access_token_verifier.h"
#include "service/token/capability_verifier.h"
#include "service/token/taskrouter_verifier.h"
#include "service/token/token_kind.h"
#include "service/token/verification_failure.h"

namespace captoken::convert {

// VerificationFailureToProto maps the library's reason to the wire enum.
v1::VerificationFailure VerificationFailureToProto(
    token::VerificationFailure failure);

// TokenKindToProto maps the library's kind to the wire enum.
v1::TokenKind TokenKindToProto(token::TokenKind kind);

// VerifyResponseFor returns the response for a capability token whose
// verification ended with `status`: kind TOKEN_KIND_CAPABILITY, the verdict,
// and, if `authenticated_claims` is not null (claims whose MAC verified,
// even if a later check failed), the account, scopes and times.
v1::VerifyTokenResponse VerifyResponseFor(
    const absl::Status& status,
    const token::CapabilityClaims* authenticated_claims);

// TaskRouterVerifyResponseFor does the same for a TaskRouter token: kind
// TOKEN_KIND_TASKROUTER, and with claims the account, times and
// `taskrouter` (workspace, channel, version, friendly name, policies).
v1::VerifyTokenResponse TaskRouterVerifyResponseFor(
    const absl::Status& status,
    const token::TaskRouterClaims* authenticated_claims);

// AccessTokenVerifyResponseFor does the same for an Access Token: kind
// TOKEN_KIND_ACCESS, and with claims the account (`sub`), times and
// `access` (API key, jti, identity, grants, region, nbf). Legacy grants
// (ip_messaging, rtc) have no wire form and are left out.
v1::VerifyTokenResponse AccessTokenVerifyResponseFor(
    const absl::Status& status,
    const token::AccessTokenClaims* authenticated_claims);

// UnreadableTokenResponseFor returns the response for a token whose kind
// could not be read (`status` from ReadUnverifiedRouting): not valid, the
// failure, no kind and no claims.
v1::VerifyTokenResponse UnreadableTokenResponseFor(const absl::Status& status);

}  // namespace captoken::convert

#endif  // CAPTOKEN_SERVICE_CONVERT_VERIFY_RESPONSE_H_
