// File: access_token_verifier.h
// -----------------------------------------------------------------------------
//
// AccessTokenVerifier checks an Access Token against one or more API keys
// and returns its claims, grants parsed.
//
// The order of checks is fixed, and the first failure wins:
//
//   1. size and shape (three base64url segments)     kTooLarge, kMalformed
//   2. the MAC against each key in turn, in constant time, before anything
//      is parsed                                            kBadSignature
//   3. the header: alg HS256, typ JWT (if present), cty "twilio-fpa;v=1",
//      optional twr (a string); nothing else               kUnsupportedHeader
//   4. the claims: jti (a string), iss (an API key SID), sub (an account
//      SID), grants (an object), integer exp; optional integer iat and
//      nbf; nothing else. Each grant has the members and types spec §4.2
//      lists; identity is a string; the legacy ip_messaging and rtc grants
//      are returned as JSON; any other grant is refused     kMalformed
//   5. iss is the SID of the key whose MAC matched          kBadSignature
//   6. sub is the expected account (if one is set)          kWrongAccount
//   7. exp > now - leeway                                   kExpired
//   8. nbf <= now + leeway                                  kNotYetValid
//
// Tokens from any SDK verify: twilio-node's, twilio-python 5.x's (spaced),
// and twilio-python 6+'s (identity last, nbf, sorted header).
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(AccessTokenVerifier verifier,
//                             AccessTokenVerifier::Create({}));
//   absl::StatusOr<VerifiedAccessToken> verified =
//       verifier.Verify(token, api_key);
//   if (verified.ok()) use(verified->claims().identity);

#ifndef CAPTOKEN_SERVICE_TOKEN_ACCESS_TOKEN_VERIFIER_H_
#define CAPTOKEN_SERVICE_TOKEN_ACCESS_TOKEN_VERIFIER_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "service/token/access_grant.h"
#include "service/token/api_key.h"
#include "service/token/json_value.h"
#include "service/token/jwt_verifier.h"

namespace captoken::token {

// LegacyGrant is a grant no SDK writes any more but tokens may still carry:
// ip_messaging (the old chat) or rtc (the old Conversations).
struct LegacyGrant {
  std::string key;
  JsonValue payload;
};

// AccessTokenClaims are the claims of an Access Token whose MAC verified.
struct AccessTokenClaims {
  std::string token_id;                    // jti
  std::string api_key_sid;                 // iss
  std::string account_sid;                 // sub
  std::string identity;                    // grants.identity; "" if absent
  std::vector<AccessGrant> grants;         // grants, in token order
  std::vector<LegacyGrant> legacy_grants;  // grants.ip_messaging, grants.rtc
  std::string region;                      // header twr; "" if absent
  absl::Time expire_time;                  // exp
  std::optional<absl::Time> issue_time;    // iat
  std::optional<absl::Time> not_before;    // nbf
};

// VerifiedAccessToken is a token that passed every check.
class VerifiedAccessToken {
 public:
  const AccessTokenClaims& claims() const { return claims_; }

 private:
  friend class AccessTokenVerifier;
  explicit VerifiedAccessToken(AccessTokenClaims claims)
      : claims_(std::move(claims)) {}

  AccessTokenClaims claims_;
};

class AccessTokenVerifier {
 public:
  struct Options {
    // Clock, leeway and size limit, as for any JWT.
    JwtVerifier::Options jwt;
    // If set, `sub` must equal it.
    std::string expected_account_sid;
  };

  // Create checks `options`.
  //
  // Fails with INVALID_ARGUMENT for invalid JWT options (see
  // JwtVerifier::Create) or an expected_account_sid that is not an account
  // SID.
  static absl::StatusOr<AccessTokenVerifier> Create(Options options);

  // Verify checks `token` against each of `keys` (an account's API keys,
  // say) and returns it if it passes every check.
  //
  // On failure the status carries a VerificationFailure. If the MAC
  // verified but a later check failed (an expired token, say) and
  // `authenticated_claims` is not null, the claims are stored there.
  absl::StatusOr<VerifiedAccessToken> Verify(
      absl::string_view token, absl::Span<const ApiKey* const> keys,
      AccessTokenClaims* authenticated_claims = nullptr) const;

  // Verify with a single key.
  absl::StatusOr<VerifiedAccessToken> Verify(
      absl::string_view token, const ApiKey& key,
      AccessTokenClaims* authenticated_claims = nullptr) const {
    const ApiKey* keys[] = {&key};
    return Verify(token, keys, authenticated_claims);
  }

 private:
  AccessTokenVerifier(JwtVerifier jwt_verifier,
                      std::string expected_account_sid)
      : jwt_verifier_(std::move(jwt_verifier)),
        expected_account_sid_(std::move(expected_account_sid)) {}

  JwtVerifier jwt_verifier_;
  std::string expected_account_sid_;
};

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_ACCESS_TOKEN_VERIFIER_H_
