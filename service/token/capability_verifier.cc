#include "service/token/capability_verifier.h"

#include <utility>

#include "service/token/field_validation.h"
#include "service/token/json_value.h"
#include "service/token/scope_claim.h"
#include "service/token/status_macros.h"
#include "service/token/time_claims.h"
#include "service/token/verification_failure.h"

namespace captoken::token {
namespace {

absl::Status Malformed(absl::string_view problem) {
  return VerificationError(VerificationFailure::kMalformed, problem);
}

// Reads the capability claims; the time claims were read by JwtVerifier.
absl::StatusOr<CapabilityClaims> ReadCapabilityClaims(const VerifiedJwt& jwt) {
  CapabilityClaims claims;
  claims.expire_time = jwt.times.expire_time;
  claims.issue_time = jwt.times.issue_time;
  claims.not_before = jwt.times.not_before;

  const JsonValue& payload = jwt.jwt.payload;
  bool has_scope = false;
  bool has_iss = false;
  for (size_t i = 0; i < payload.member_names().size(); ++i) {
    const std::string& name = payload.member_names()[i];
    const JsonValue& value = payload.member_values()[i];
    if (name == "scope") {
      if (!value.is_string()) return Malformed("scope is not a string");
      claims.scope_claim = value.text();
      has_scope = true;
    } else if (name == "iss") {
      if (!value.is_string() || !IsSid("AC", value.text())) {
        return Malformed("iss is not an account SID");
      }
      claims.account_sid = value.text();
      has_iss = true;
    } else if (!IsTimeClaim(name)) {
      return Malformed("unexpected claim");
    }
  }
  if (!has_scope) return Malformed("no scope claim");
  if (!has_iss) return Malformed("no iss claim");

  absl::StatusOr<std::vector<CapabilityScope>> scopes =
      ParseScopeClaim(claims.scope_claim);
  if (!scopes.ok()) return Malformed(scopes.status().message());
  claims.scopes = *std::move(scopes);
  return claims;
}

}  // namespace

absl::StatusOr<CapabilityVerifier> CapabilityVerifier::Create(Options options) {
  CAPTOKEN_ASSIGN_OR_RETURN(JwtVerifier jwt_verifier,
                            JwtVerifier::Create(options.jwt));
  if (!options.expected_account_sid.empty() &&
      !IsSid("AC", options.expected_account_sid)) {
    return absl::InvalidArgumentError(
        "expected_account_sid: must be \"AC\" followed by 32 hex digits");
  }
  return CapabilityVerifier(std::move(jwt_verifier),
                            std::move(options.expected_account_sid));
}

absl::StatusOr<VerifiedCapabilityToken> CapabilityVerifier::Verify(
    absl::string_view token, absl::Span<const HmacSha256Key* const> keys,
    CapabilityClaims* authenticated_claims) const {
  // Capability tokens carry no header members besides alg and typ.
  CAPTOKEN_ASSIGN_OR_RETURN(VerifiedJwt jwt,
                            jwt_verifier_.Authenticate(token, keys, {}));
  CAPTOKEN_ASSIGN_OR_RETURN(CapabilityClaims claims, ReadCapabilityClaims(jwt));
  if (authenticated_claims != nullptr) *authenticated_claims = claims;

  if (!expected_account_sid_.empty() &&
      claims.account_sid != expected_account_sid_) {
    return VerificationError(VerificationFailure::kWrongAccount,
                             "iss is not the expected account");
  }
  CAPTOKEN_RETURN_IF_ERROR(jwt_verifier_.CheckTimes(jwt.times));
  return VerifiedCapabilityToken(std::move(claims));
}

}  // namespace captoken::token
