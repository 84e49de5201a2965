// File: verify_token.h
// -----------------------------------------------------------------------------
//
// VerifyTokenOfKind runs the token library's verifier for a token whose kind
// has been read (token::ReadUnverifiedRouting) and builds the
// captoken.v1.VerifyTokenResponse, so that the server's VerifyToken and
// `captoken verify` check every kind the same way. The caller picks the
// keys: an account's auth tokens for capability and TaskRouter tokens, the
// API key named in an Access Token's `iss` for Access Tokens.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(token::UnverifiedRouting routing,
//                             token::ReadUnverifiedRouting(jwt, max_bytes));
//   CAPTOKEN_ASSIGN_OR_RETURN(
//       TokenVerification verification,
//       VerifyTokenOfKind(jwt, routing.kind, {.clock = &clock}, "",
//                         {.auth_tokens = account.VerificationKeys()}));
//   if (!verification.status.ok()) log(verification.status);

#ifndef CAPTOKEN_SERVICE_CONVERT_VERIFY_TOKEN_H_
#define CAPTOKEN_SERVICE_CONVERT_VERIFY_TOKEN_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "captoken/v1/token_service.pb.h"
#include "service/token/api_key.h"
#include "service/token/crypto.h"
#include "service/token/jwt_verifier.h"
#include "service/token/token_kind.h"

namespace captoken::convert {

// The keys a token may have been signed with. Neither is owned.
struct VerificationKeys {
  // Capability and TaskRouter tokens: the account's auth tokens, the one
  // minting first.
  absl::Span<const token::HmacSha256Key* const> auth_tokens;
  // Access Tokens: the API key the token's `iss` names, or nullptr when no
  // such key is known (the token then has a bad signature).
  const token::ApiKey* api_key = nullptr;
};

// TokenVerification is a verdict: the verifier's status (OK, or an error
// carrying a VerificationFailure) and the response that reports it.
struct TokenVerification {
  absl::Status status;
  v1::VerifyTokenResponse response;
};

// VerifyTokenOfKind verifies `token` as a token of `kind` with `keys`, as of
// `jwt.clock`, requiring `expected_account_sid` (the `iss` of capability and
// TaskRouter tokens, the `sub` of Access Tokens) if it is not empty. A token
// that does not verify is a TokenVerification with a non-OK status, not an
// error.
//
// Fails with INVALID_ARGUMENT only for invalid options: `jwt` (see
// JwtVerifier::Create) or an expected_account_sid that is not an account
// SID.
absl::StatusOr<TokenVerification> VerifyTokenOfKind(
    absl::string_view token, token::TokenKind kind,
    const token::JwtVerifier::Options& jwt,
    absl::string_view expected_account_sid, const VerificationKeys& keys);

}  // namespace captoken::convert

#endif  // CAPTOKEN_SERVICE_CONVERT_VERIFY_TOKEN_H_
