#include "service/convert/verify_token.h"

#include <string>
#include <utility>

#include "absl/time/time.h"
#include "service/convert/verify_response.h"
#include "service/token/access_token_verifier.h"
#include "service/token/capability_verifier.h"
#include "service/token/status_macros.h"
#include "service/token/taskrouter_verifier.h"
#include "service/token/verification_failure.h"

namespace captoken::convert {
namespace {

// Each verifier stores claims only once the MAC verified; an expiry that
// is still this value after Verify means it did not.
const absl::Time kNotRead = absl::InfinitePast();

absl::StatusOr<TokenVerification> VerifyCapability(
    absl::string_view token, const token::JwtVerifier::Options& jwt,
    absl::string_view expected_account_sid, const VerificationKeys& keys) {
  CAPTOKEN_ASSIGN_OR_RETURN(
      token::CapabilityVerifier verifier,
      token::CapabilityVerifier::Create(
          {.jwt = jwt,
           .expected_account_sid = std::string(expected_account_sid)}));
  token::CapabilityClaims claims;
  claims.expire_time = kNotRead;
  const absl::Status status =
      verifier.Verify(token, keys.auth_tokens, &claims).status();
  return TokenVerification{
      status, VerifyResponseFor(
                  status, claims.expire_time != kNotRead ? &claims : nullptr)};
}

absl::StatusOr<TokenVerification> VerifyTaskRouter(
    absl::string_view token, const token::JwtVerifier::Options& jwt,
    absl::string_view expected_account_sid, const VerificationKeys& keys) {
  CAPTOKEN_ASSIGN_OR_RETURN(
      token::TaskRouterVerifier verifier,
      token::TaskRouterVerifier::Create(
          {.jwt = jwt,
           .expected_account_sid = std::string(expected_account_sid)}));
  token::TaskRouterClaims claims;
  claims.expire_time = kNotRead;
  const absl::Status status =
      verifier.Verify(token, keys.auth_tokens, &claims).status();
  return TokenVerification{
      status, TaskRouterVerifyResponseFor(
                  status, claims.expire_time != kNotRead ? &claims : nullptr)};
}

absl::StatusOr<TokenVerification> VerifyAccessToken(
    absl::string_view token, const token::JwtVerifier::Options& jwt,
    absl::string_view expected_account_sid, const VerificationKeys& keys) {
  CAPTOKEN_ASSIGN_OR_RETURN(
      token::AccessTokenVerifier verifier,
      token::AccessTokenVerifier::Create(
          {.jwt = jwt,
           .expected_account_sid = std::string(expected_account_sid)}));
  if (keys.api_key == nullptr) {
    // No key of that SID: nothing here can have signed it.
    const absl::Status status =
        token::VerificationError(token::VerificationFailure::kBadSignature,
                                 "no known API key signed this token");
    return TokenVerification{status,
                             AccessTokenVerifyResponseFor(status, nullptr)};
  }
  token::AccessTokenClaims claims;
  claims.expire_time = kNotRead;
  const absl::Status status =
      verifier.Verify(token, *keys.api_key, &claims).status();
  return TokenVerification{
      status, AccessTokenVerifyResponseFor(
                  status, claims.expire_time != kNotRead ? &claims : nullptr)};
}

}  // namespace

absl::StatusOr<TokenVerification> VerifyTokenOfKind(
    absl::string_view token, token::TokenKind kind,
    const token::JwtVerifier::Options& jwt,
    absl::string_view expected_account_sid, const VerificationKeys& keys) {
  switch (kind) {
    case token::TokenKind::kCapability:
      return VerifyCapability(token, jwt, expected_account_sid, keys);
    case token::TokenKind::kTaskRouter:
      return VerifyTaskRouter(token, jwt, expected_account_sid, keys);
    case token::TokenKind::kAccessToken:
      return VerifyAccessToken(token, jwt, expected_account_sid, keys);
  }
  return absl::InvalidArgumentError("kind: unknown");
}

}  // namespace captoken::convert
