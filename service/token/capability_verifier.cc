#include "service/token/capability_verifier.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

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

// Reads the claims of a payload of the usual shape, which every SDK's
// capability token has: a flat object of plain strings and integers
// (ReadSimpleJsonObject), holding scope, iss (an account SID) and exp, and
// perhaps iat and nbf. That needs no JsonValue: verifying spends most of its
// time outside the MAC on reading claims, and this is the common case.
//
// Returns false, having decided nothing, for any other payload (a claim
// with escapes, an unknown or mistyped claim, invalid JSON...):
// ReadClaimsFromJson then reads it, and words the error if there is one.
// Whatever this accepts, ReadClaimsFromJson reads to the same claims.
bool ReadUsualClaims(absl::string_view payload_json, CapabilityClaims* claims) {
  SimpleJsonMember members[5];  // One of each claim at most.
  const std::optional<size_t> count =
      ReadSimpleJsonObject(payload_json, members);
  if (!count.has_value()) return false;
  const SimpleJsonMember* scope = nullptr;
  const SimpleJsonMember* iss = nullptr;
  const SimpleJsonMember* exp = nullptr;
  const SimpleJsonMember* iat = nullptr;
  const SimpleJsonMember* nbf = nullptr;
  for (size_t i = 0; i < *count; ++i) {
    const SimpleJsonMember& member = members[i];
    const SimpleJsonMember** slot = nullptr;
    if (member.name == "scope" && member.is_string) {
      slot = &scope;
    } else if (member.name == "iss" && member.is_string) {
      slot = &iss;
    } else if (member.name == "exp" && !member.is_string) {
      slot = &exp;
    } else if (member.name == "iat" && !member.is_string) {
      slot = &iat;
    } else if (member.name == "nbf" && !member.is_string) {
      slot = &nbf;
    } else {
      return false;
    }
    *slot = &member;  // Names are unique: each slot is set at most once.
  }
  if (scope == nullptr || iss == nullptr || exp == nullptr ||
      !IsSid("AC", iss->text)) {
    return false;
  }
  // A time protobuf cannot hold is malformed; ReadTimeClaims says so.
  for (const SimpleJsonMember* time : {exp, iat, nbf}) {
    if (time != nullptr && !internal::IsTimeClaimInRange(time->integer))
      return false;
  }
  claims->scope_claim.assign(scope->text.data(), scope->text.size());
  claims->account_sid.assign(iss->text.data(), iss->text.size());
  claims->expire_time = absl::FromUnixSeconds(exp->integer);
  if (iat != nullptr) claims->issue_time = absl::FromUnixSeconds(iat->integer);
  if (nbf != nullptr) claims->not_before = absl::FromUnixSeconds(nbf->integer);
  return true;
}

// Reads the claims of any payload: strict JSON (ParseJwtPayload), the time
// claims (ReadTimeClaims), then scope and iss; nothing else is allowed.
absl::StatusOr<CapabilityClaims> ReadClaimsFromJson(
    absl::string_view payload_json) {
  CAPTOKEN_ASSIGN_OR_RETURN(JsonValue payload, ParseJwtPayload(payload_json));
  CAPTOKEN_ASSIGN_OR_RETURN(internal::TimeClaims times,
                            internal::ReadTimeClaims(payload));
  CapabilityClaims claims;
  claims.expire_time = times.expire_time;
  claims.issue_time = times.issue_time;
  claims.not_before = times.not_before;

  bool has_scope = false;
  bool has_iss = false;
  for (size_t i = 0; i < payload.member_names().size(); ++i) {
    const std::string& name = payload.member_names()[i];
    JsonValue& value = payload.mutable_member_values()[i];
    if (name == "scope") {
      if (!value.is_string()) return Malformed("scope is not a string");
      claims.scope_claim = value.ReleaseText();
      has_scope = true;
    } else if (name == "iss") {
      if (!value.is_string() || !IsSid("AC", value.text())) {
        return Malformed("iss is not an account SID");
      }
      claims.account_sid = value.ReleaseText();
      has_iss = true;
    } else if (!internal::IsTimeClaim(name)) {
      return Malformed("unexpected claim");
    }
  }
  if (!has_scope) return Malformed("no scope claim");
  if (!has_iss) return Malformed("no iss claim");
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
  // Each thread reuses one buffer for the decoded payload (claims, never
  // secrets), read only until the claims are copied out below.
  thread_local std::string payload_json;
  // Capability tokens carry no header members besides alg and typ.
  CAPTOKEN_RETURN_IF_ERROR(
      jwt_verifier_.AuthenticatePayload(token, keys, {}, &payload_json));
  CapabilityClaims claims;
  if (!ReadUsualClaims(payload_json, &claims)) {
    CAPTOKEN_ASSIGN_OR_RETURN(claims, ReadClaimsFromJson(payload_json));
  }
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
