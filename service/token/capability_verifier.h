// File: capability_verifier.h
// -----------------------------------------------------------------------------
//
// CapabilityVerifier checks a Twilio Client capability token and returns its
// claims.
//
// The order of checks is fixed, and the first failure wins:
//
//   1. size and shape (three base64url segments)           kTooLarge,
//   kMalformed
//   2. the MAC, in constant time, before anything is parsed  kBadSignature
//   3. the header: alg HS256, typ JWT, nothing else          kUnsupportedHeader
//   4. the claims: scope, iss (an account SID), integer exp;
//      optional integer iat and nbf; nothing else; a scope
//      claim that parses                                     kMalformed
//   5. iss is the expected account (if one is set)           kWrongAccount
//   6. exp > now - leeway (exp == now is expired, as in
//      twilio-python 9 and jsonwebtoken)                     kExpired
//   7. nbf <= now + leeway                                   kNotYetValid
//
// The JSON may be laid out by any SDK (spaced or compact, any member order,
// \u escapes or raw UTF-8). The result type can only be made by the
// verifier, so holding a VerifiedCapabilityToken proves the checks passed.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(CapabilityVerifier verifier,
//                             CapabilityVerifier::Create({}));
//   absl::StatusOr<VerifiedCapabilityToken> verified =
//       verifier.Verify(token, account_key);
//   if (!verified.ok()) {
//     // VerificationFailureOf(verified.status()) says why.
//   }

#ifndef CAPTOKEN_SERVICE_TOKEN_CAPABILITY_VERIFIER_H_
#define CAPTOKEN_SERVICE_TOKEN_CAPABILITY_VERIFIER_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "service/token/capability_scope.h"
#include "service/token/crypto.h"
#include "service/token/jwt_verifier.h"

namespace captoken::token {

// CapabilityClaims are the claims of a capability token whose MAC verified.
struct CapabilityClaims {
  std::string account_sid;               // iss
  std::string scope_claim;               // scope, as written
  std::vector<CapabilityScope> scopes;   // scope, parsed
  absl::Time expire_time;                // exp
  std::optional<absl::Time> issue_time;  // iat
  std::optional<absl::Time> not_before;  // nbf
};

// VerifiedCapabilityToken is a token that passed every check.
class VerifiedCapabilityToken {
 public:
  const CapabilityClaims& claims() const { return claims_; }

 private:
  friend class CapabilityVerifier;
  explicit VerifiedCapabilityToken(CapabilityClaims claims)
      : claims_(std::move(claims)) {}

  CapabilityClaims claims_;
};

class CapabilityVerifier {
 public:
  struct Options {
    // Clock, leeway and size limit, as for any JWT.
    JwtVerifier::Options jwt;
    // If set, `iss` must equal it.
    std::string expected_account_sid;
  };

  // Create checks `options`.
  //
  // Fails with INVALID_ARGUMENT for invalid JWT options (see
  // JwtVerifier::Create) or an expected_account_sid that is not an account
  // SID.
  static absl::StatusOr<CapabilityVerifier> Create(Options options);

  // Verify checks `token` against each of `keys` (an account's current and
  // previous auth tokens, say) and returns it if it passes every check.
  //
  // On failure the status carries a VerificationFailure. If the MAC
  // verified but a later check failed (an expired token, say) and
  // `authenticated_claims` is not null, the claims are stored there.
  absl::StatusOr<VerifiedCapabilityToken> Verify(
      absl::string_view token, absl::Span<const HmacSha256Key* const> keys,
      CapabilityClaims* authenticated_claims = nullptr) const;

  // Verify with a single key.
  absl::StatusOr<VerifiedCapabilityToken> Verify(
      absl::string_view token, const HmacSha256Key& key,
      CapabilityClaims* authenticated_claims = nullptr) const {
    const HmacSha256Key* keys[] = {&key};
    return Verify(token, keys, authenticated_claims);
  }

 private:
  CapabilityVerifier(JwtVerifier jwt_verifier, std::string expected_account_sid)
      : jwt_verifier_(std::move(jwt_verifier)),
        expected_account_sid_(std::move(expected_account_sid)) {}

  JwtVerifier jwt_verifier_;
  std::string expected_account_sid_;
};

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_CAPABILITY_VERIFIER_H_
