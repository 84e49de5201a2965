// File: jwt_verifier.h
// -----------------------------------------------------------------------------
//
// JwtVerifier verifies any HS256 Twilio token (capability, TaskRouter or
// Access Token) at the JWT level: size, shape, MAC (constant time, before
// parsing), header, and the exp/nbf time checks. Token-kind verifiers
// (CapabilityVerifier) build on its two halves, Authenticate and CheckTimes,
// so that they can read their own claims in between.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(JwtVerifier verifier,
//                             JwtVerifier::Create({.clock = &clock}));
//   absl::StatusOr<VerifiedJwt> jwt = verifier.Verify(token, keys);

#ifndef CAPTOKEN_SERVICE_TOKEN_JWT_VERIFIER_H_
#define CAPTOKEN_SERVICE_TOKEN_JWT_VERIFIER_H_

#include <cstddef>
#include <initializer_list>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "service/token/clock.h"
#include "service/token/crypto.h"
#include "service/token/internal/time_claims.h"
#include "service/token/jwt.h"

namespace captoken::token {

// VerifiedJwt is a token whose MAC and header passed, with its time claims.
struct VerifiedJwt {
  AuthenticatedJwt jwt;
  internal::TimeClaims times;
};

// kMaxVerifyTokenBytes is the longest token captoken verifies, wherever it
// verifies: JwtVerifier's default, the server's VerifyToken (the config
// cannot change it) and `captoken verify` and `decode`. One limit, so that
// the CLI and the server never disagree about a token, and the length is
// refused before any work. Signed tokens are at most 8 KiB
// (SigningLimits::max_token_bytes); twice that leaves room for any SDK's.
inline constexpr size_t kMaxVerifyTokenBytes = 16 * 1024;

// The header members Twilio tokens may carry besides alg and typ: Access
// Tokens' content type and region (spec §1.3).
inline constexpr absl::string_view kTwilioHeaderExtras[] = {"cty", "twr"};

class JwtVerifier {
 public:
  struct Options {
    // Where "now" comes from. Must outlive the verifier.
    const Clock* clock = &Clock::Real();
    // Tolerated clock skew for exp and nbf; 0 (the SDKs' value) to 10 min.
    absl::Duration leeway = absl::ZeroDuration();
    // Longest token accepted; longer ones fail before any work.
    size_t max_token_bytes = kMaxVerifyTokenBytes;
  };

  // Create checks `options`.
  //
  // Fails with INVALID_ARGUMENT for a null clock, a leeway outside
  // [0, 10 min], or a zero max_token_bytes.
  static absl::StatusOr<JwtVerifier> Create(Options options);

  // CreateForAccount is Create plus the check every kind's verifier makes
  // of its expected_account_sid: empty (any account), or "AC" followed by
  // 32 hex digits.
  //
  // Fails as Create does, or with INVALID_ARGUMENT ("expected_account_sid:
  // ...").
  static absl::StatusOr<JwtVerifier> CreateForAccount(
      Options options, absl::string_view expected_account_sid);

  // Verify runs Authenticate (allowing the Twilio header extras) and then
  // CheckTimes.
  absl::StatusOr<VerifiedJwt> Verify(
      absl::string_view token,
      absl::Span<const HmacSha256Key* const> keys) const;

  // Authenticate checks everything but time: AuthenticateHs256Jwt with
  // `allowed_header_extras`, then ReadTimeClaims.
  absl::StatusOr<VerifiedJwt> Authenticate(
      absl::string_view token, absl::Span<const HmacSha256Key* const> keys,
      absl::Span<const absl::string_view> allowed_header_extras) const;

  // AuthenticatePayload checks everything Authenticate checks but the
  // payload's JSON and time claims: AuthenticateHs256JwtPayload into
  // `*payload_json` (contents replaced), for verifiers that read their
  // claims from the bytes themselves.
  absl::Status AuthenticatePayload(
      absl::string_view token, absl::Span<const HmacSha256Key* const> keys,
      absl::Span<const absl::string_view> allowed_header_extras,
      std::string* payload_json) const;

  // CheckTimes applies CheckTimeClaims at the clock's now with the leeway.
  absl::Status CheckTimes(const internal::TimeClaims& times) const;

 private:
  explicit JwtVerifier(Options options) : options_(options) {}

  Options options_;
};

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_JWT_VERIFIER_H_
