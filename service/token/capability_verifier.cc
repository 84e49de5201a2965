#include "service/token/capability_verifier.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/types/span.h"
#include "service/token/field_validation.h"
#include "service/token/internal/scope_claim.h"
#include "service/token/internal/time_claims.h"
#include "service/token/json_value.h"
#include "service/token/jwt.h"
#include "service/token/status_macros.h"
#include "service/token/verification_failure.h"

namespace captoken::token {
namespace {

absl::Status Malformed(absl::string_view problem) {
  return VerificationError(VerificationFailure::kMalformed, problem);
}

// Applies the claim rules to the payload's members: the time claims
// (ReadTimeClaims), then scope and iss; nothing else is allowed. One pass
// over the members finds all five claims; the errors keep a fixed order
// (the time claims', then the first bad member's, then a missing claim's).
// Fills `*claims` in place, rather than returning a StatusOr to move from,
// as Verify keeps them: this runs for every token verified.
absl::Status ClaimsOf(absl::Span<const JsonMember> payload,
                      CapabilityClaims* claims) {
  internal::TimeClaimMembers times;
  const JsonMember* scope = nullptr;
  const JsonMember* iss = nullptr;
  const char* member_problem = nullptr;  // The first bad member's.
  for (const JsonMember& member : payload) {
    if (times.Take(member)) continue;
    const char* problem = nullptr;
    const bool is_string = member.type == JsonValue::Type::kString;
    if (member.name == "scope") {
      scope = &member;
      if (!is_string) problem = "scope is not a string";
    } else if (member.name == "iss") {
      iss = &member;
      if (!is_string || !IsSid("AC", member.text)) {
        problem = "iss is not an account SID";
      }
    } else {
      problem = "unexpected claim";
    }
    if (member_problem == nullptr) member_problem = problem;
  }
  internal::TimeClaims time_claims;
  CAPTOKEN_RETURN_IF_ERROR(internal::ReadTimeClaims(times, &time_claims));
  if (member_problem != nullptr) return Malformed(member_problem);
  if (scope == nullptr) return Malformed("no scope claim");
  if (iss == nullptr) return Malformed("no iss claim");
  claims->expire_time = time_claims.expire_time;
  claims->issue_time = time_claims.issue_time;
  claims->not_before = time_claims.not_before;
  claims->scope_claim.assign(scope->text.data(), scope->text.size());
  claims->account_sid.assign(iss->text.data(), iss->text.size());
  return absl::OkStatus();
}

// Reads the claims of a decoded payload. Every SDK writes them as a flat
// object of at most five members, which ReadFlatJsonObject reads in place:
// building a JsonValue (allocating each member) would cost more than the
// rest of the claims' reading, and verifying spends most of its time outside
// the MAC there. Any other payload (an escape, a nested value, more members)
// is parsed in full, which also words any JSON error. Both readers share one
// grammar and give the same members, and both go through ClaimsOf.
absl::Status ReadClaims(absl::string_view payload_json,
                        CapabilityClaims* claims) {
  JsonMember flat[5];  // One of each claim at most.
  if (const std::optional<size_t> count =
          ReadFlatJsonObject(payload_json, flat)) {
    return ClaimsOf(absl::MakeConstSpan(flat, *count), claims);
  }
  CAPTOKEN_ASSIGN_OR_RETURN(JsonValue payload, ParseJwtPayload(payload_json));
  return ClaimsOf(payload.member_views(), claims);
}

}  // namespace

absl::StatusOr<CapabilityVerifier> CapabilityVerifier::Create(Options options) {
  CAPTOKEN_ASSIGN_OR_RETURN(
      JwtVerifier jwt_verifier,
      JwtVerifier::CreateForAccount(options.jwt, options.expected_account_sid));
  return CapabilityVerifier(std::move(jwt_verifier),
                            std::move(options.expected_account_sid));
}

absl::StatusOr<VerifiedCapabilityToken> CapabilityVerifier::Verify(
    absl::string_view token, absl::Span<const HmacSha256Key* const> keys,
    CapabilityClaims* authenticated_claims) const {
  // Each thread reuses one buffer for the decoded payload (claims, never
  // secrets), read only until the claims are copied out below.
  thread_local std::string payload_json;
  // Capability tokens carry no header members besides alg and typ.
  CAPTOKEN_RETURN_IF_ERROR(
      jwt_verifier_.AuthenticatePayload(token, keys, {}, &payload_json));
  CapabilityClaims claims;
  CAPTOKEN_RETURN_IF_ERROR(ReadClaims(payload_json, &claims));
  absl::StatusOr<std::vector<CapabilityScope>> scopes =
      internal::ParseScopeClaim(claims.scope_claim);
  if (!scopes.ok()) return Malformed(scopes.status().message());
  claims.scopes = *std::move(scopes);
  if (authenticated_claims != nullptr) *authenticated_claims = claims;

  if (!expected_account_sid_.empty() &&
      claims.account_sid != expected_account_sid_) {
    return VerificationError(VerificationFailure::kWrongAccount,
                             "iss is not the expected account");
  }
  CAPTOKEN_RETURN_IF_ERROR(jwt_verifier_.CheckTimes(
      {claims.expire_time, claims.issue_time, claims.not_before}));
  return VerifiedCapabilityToken(std::move(claims));
}

}  // namespace captoken::token
