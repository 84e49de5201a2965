// File: time_claims.h
// -----------------------------------------------------------------------------
//
// The registered time claims of a JWT (RFC 7519 §4.1.4-4.1.6) and the checks
// every verifier applies to them. Boundaries follow twilio-python 9 (PyJWT 2)
// and jsonwebtoken: a token is expired when exp <= now, and not yet valid
// when nbf > now, each widened by the leeway. A time outside the range a
// protobuf Timestamp can hold (0001-01-01 to 9999-12-31 UTC) is malformed:
// no token we or an SDK sign carries one, and a verdict that carries it
// could not be sent or printed (the VerifyToken RPC, `captoken verify`).
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(TimeClaims times, ReadTimeClaims(jwt.payload));
//   CAPTOKEN_RETURN_IF_ERROR(CheckTimeClaims(times, clock.Now(), leeway));

#ifndef CAPTOKEN_SERVICE_TOKEN_INTERNAL_TIME_CLAIMS_H_
#define CAPTOKEN_SERVICE_TOKEN_INTERNAL_TIME_CLAIMS_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "service/token/json_value.h"

namespace captoken::token::internal {

struct TimeClaims {
  absl::Time expire_time;                // exp, required
  std::optional<absl::Time> issue_time;  // iat
  std::optional<absl::Time> not_before;  // nbf
};

// The earliest and latest time claims accepted, in Unix seconds: the range
// of google.protobuf.Timestamp, 0001-01-01T00:00:00Z to
// 9999-12-31T23:59:59Z.
inline constexpr int64_t kMinTimeClaimSeconds = -62135596800;
inline constexpr int64_t kMaxTimeClaimSeconds = 253402300799;

// IsTimeClaimInRange reports whether `unix_seconds` lies in
// [kMinTimeClaimSeconds, kMaxTimeClaimSeconds].
constexpr bool IsTimeClaimInRange(int64_t unix_seconds) {
  return unix_seconds >= kMinTimeClaimSeconds &&
         unix_seconds <= kMaxTimeClaimSeconds;
}

// IsTimeClaim reports whether `name` is exp, iat or nbf.
bool IsTimeClaim(absl::string_view name);

// ReadTimeClaims reads exp (required), iat and nbf from a payload object.
// Each must be a JSON integer (no fraction, no exponent) within
// IsTimeClaimInRange.
//
// Fails with kMalformed ("exp is not an integer", "exp is out of range",
// and the same for iat and nbf; "no exp claim").
absl::StatusOr<TimeClaims> ReadTimeClaims(absl::Span<const JsonMember> payload);

// ReadTimeClaims reads the time claims of a parsed payload object, as above.
absl::StatusOr<TimeClaims> ReadTimeClaims(const JsonValue& payload);

// TimeClaimMembers points at a payload's exp, iat and nbf members (null
// where absent), for a verifier that reads its other claims in the same pass
// over the members: it runs for every token verified, and a second pass (and
// a StatusOr per call) showed in the capability verifier's instruction count.
struct TimeClaimMembers {
  const JsonMember* exp = nullptr;
  const JsonMember* iat = nullptr;
  const JsonMember* nbf = nullptr;

  // Points the slot `member` names at it; false if it is not a time claim.
  bool Take(const JsonMember& member);
};

// ReadTimeClaims reads the claims `members` points at into `*times`, with
// the checks and errors of ReadTimeClaims above.
absl::Status ReadTimeClaims(const TimeClaimMembers& members, TimeClaims* times);

// CheckTimeClaims fails with kExpired if exp <= now - leeway, and with
// kNotYetValid if nbf > now + leeway.
absl::Status CheckTimeClaims(const TimeClaims& claims, absl::Time now,
                             absl::Duration leeway);

}  // namespace captoken::token::internal

#endif  // CAPTOKEN_SERVICE_TOKEN_INTERNAL_TIME_CLAIMS_H_
