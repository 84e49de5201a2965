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

// Runs `Verifier` over `token` with `keys` and builds its kind's response,
// with claims only if the MAC verified.
template <typename Verifier, typename Claims, typename Keys>
absl::StatusOr<TokenVerification> RunVerifier(
    absl::string_view token, const token::JwtVerifier::Options& jwt,
    absl::string_view expected_account_sid, const Keys& keys,
    v1::VerifyTokenResponse (*respond)(const absl::Status&, const Claims*)) {
  CAPTOKEN_ASSIGN_OR_RETURN(
      Verifier verifier, Verifier::Create({.jwt = jwt,
                                           .expected_account_sid = std::string(
                                               expected_account_sid)}));
  Claims claims;
  claims.expire_time = kNotRead;
  const absl::Status status = verifier.Verify(token, keys, &claims).status();
  return TokenVerification{
      status,
      respond(status, claims.expire_time != kNotRead ? &claims : nullptr)};
}

absl::StatusOr<TokenVerification> VerifyAccessToken(
    absl::string_view token, const token::JwtVerifier::Options& jwt,
    absl::string_view expected_account_sid, const VerificationKeys& keys) {
  if (keys.api_key == nullptr) {
    // Checked first so that invalid options still fail as for any kind.
    CAPTOKEN_RETURN_IF_ERROR(
        token::AccessTokenVerifier::Create(
            {.jwt = jwt,
             .expected_account_sid = std::string(expected_account_sid)})
            .status());
    // No key of that SID: nothing here can have signed it.
    const absl::Status status =
        token::VerificationError(token::VerificationFailure::kBadSignature,
                                 "no known API key signed this token");
    return TokenVerification{status,
                             AccessTokenVerifyResponseFor(status, nullptr)};
  }
  return RunVerifier<token::AccessTokenVerifier, token::AccessTokenClaims>(
      token, jwt, expected_account_sid, *keys.api_key,
      &AccessTokenVerifyResponseFor);
}

}  // namespace

absl::StatusOr<TokenVerification> VerifyTokenOfKind(
    absl::string_view token, token::TokenKind kind,
    const token::JwtVerifier::Options& jwt,
    absl::string_view expected_account_sid, const VerificationKeys& keys) {
  switch (kind) {
    case token::TokenKind::kCapability:
      return RunVerifier<token::CapabilityVerifier, token::CapabilityClaims>(
          token, jwt, expected_account_sid, keys.auth_tokens,
          &VerifyResponseFor);
    case token::TokenKind::kTaskRouter:
      return RunVerifier<token::TaskRouterVerifier, token::TaskRouterClaims>(
          token, jwt, expected_account_sid, keys.auth_tokens,
          &TaskRouterVerifyResponseFor);
    case token::TokenKind::kAccessToken:
      return VerifyAccessToken(token, jwt, expected_account_sid, keys);
  }
  return absl::InvalidArgumentError("kind: unknown");
}

}  // namespace captoken::convert
