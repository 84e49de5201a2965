#include "service/token/internal/time_claims.h"

#include <cstdint>

#include "service/token/verification_failure.h"

namespace captoken::token::internal {
namespace {

// Reads an optional integer claim: nullopt when absent. The two problems
// are fixed phrases naming the claim, never its value.
absl::StatusOr<std::optional<absl::Time>> ReadOptionalTime(
    const JsonValue& payload, absl::string_view name,
    absl::string_view not_an_integer, absl::string_view out_of_range) {
  const JsonValue* value = payload.Find(name);
  if (value == nullptr) return std::optional<absl::Time>();
  std::optional<int64_t> seconds = value->AsInt64();
  if (!seconds.has_value()) {
    return VerificationError(VerificationFailure::kMalformed, not_an_integer);
  }
  if (!IsTimeClaimInRange(*seconds)) {
    return VerificationError(VerificationFailure::kMalformed, out_of_range);
  }
  return std::optional<absl::Time>(absl::FromUnixSeconds(*seconds));
}

}  // namespace

bool IsTimeClaim(absl::string_view name) {
  return name == "exp" || name == "iat" || name == "nbf";
}

absl::StatusOr<TimeClaims> ReadTimeClaims(const JsonValue& payload) {
  absl::StatusOr<std::optional<absl::Time>> exp = ReadOptionalTime(
      payload, "exp", "exp is not an integer", "exp is out of range");
  if (!exp.ok()) return exp.status();
  if (!exp->has_value()) {
    return VerificationError(VerificationFailure::kMalformed, "no exp claim");
  }
  absl::StatusOr<std::optional<absl::Time>> iat = ReadOptionalTime(
      payload, "iat", "iat is not an integer", "iat is out of range");
  if (!iat.ok()) return iat.status();
  absl::StatusOr<std::optional<absl::Time>> nbf = ReadOptionalTime(
      payload, "nbf", "nbf is not an integer", "nbf is out of range");
  if (!nbf.ok()) return nbf.status();
  return TimeClaims{**exp, *iat, *nbf};
}

absl::Status CheckTimeClaims(const TimeClaims& claims, absl::Time now,
                             absl::Duration leeway) {
  if (claims.expire_time <= now - leeway) {
    return VerificationError(VerificationFailure::kExpired, "token expired");
  }
  if (claims.not_before.has_value() && *claims.not_before > now + leeway) {
    return VerificationError(VerificationFailure::kNotYetValid,
                             "token not yet valid");
  }
  return absl::OkStatus();
}

}  // namespace captoken::token::internal
