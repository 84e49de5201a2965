// File: time_claims.h
// -----------------------------------------------------------------------------
//
// The registered time claims of a JWT (RFC 7519 §4.1.4-4.1.6) and the checks
// every verifier applies to them. Boundaries follow twilio-python 9 (PyJWT 2)
// and jsonwebtoken: a token is expired when exp <= now, and not yet valid
// when nbf > now, each widened by the leeway.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(TimeClaims times, ReadTimeClaims(jwt.payload));
//   CAPTOKEN_RETURN_IF_ERROR(CheckTimeClaims(times, clock.Now(), leeway));

#ifndef CAPTOKEN_SERVICE_TOKEN_TIME_CLAIMS_H_
#define CAPTOKEN_SERVICE_TOKEN_TIME_CLAIMS_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/token/json_value.h"

namespace captoken::token {

struct TimeClaims {
  absl::Time expire_time;                // exp, required
  std::optional<absl::Time> issue_time;  // iat
  std::optional<absl::Time> not_before;  // nbf
};

// IsTimeClaim reports whether `name` is exp, iat or nbf.
bool IsTimeClaim(absl::string_view name);

// ReadTimeClaims reads exp (required), iat and nbf from a payload object.
// Each must be a JSON integer (no fraction, no exponent).
//
// Fails with kMalformed.
absl::StatusOr<TimeClaims> ReadTimeClaims(const JsonValue& payload);

// CheckTimeClaims fails with kExpired if exp <= now - leeway, and with
// kNotYetValid if nbf > now + leeway.
absl::Status CheckTimeClaims(const TimeClaims& claims, absl::Time now,
                             absl::Duration leeway);

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_TIME_CLAIMS_H_
