// File: verification_failure.h
// -----------------------------------------------------------------------------
//
// VerificationFailure says why a token did not verify. The verifier attaches
// it to the absl::Status it returns, so callers that need the reason (the
// VerifyToken RPC, the CLI's exit message) can read it without parsing text.
//
// Example:
//
//   absl::StatusOr<VerifiedCapabilityToken> verified = verifier.Verify(token);
//   if (!verified.ok() &&
//       VerificationFailureOf(verified.status()) ==
//           VerificationFailure::kExpired) { ... }

#ifndef CAPTOKEN_SERVICE_TOKEN_VERIFICATION_FAILURE_H_
#define CAPTOKEN_SERVICE_TOKEN_VERIFICATION_FAILURE_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace captoken::token {

enum class VerificationFailure {
  kNone,
  // Not a compact JWT, bad base64url, JSON that does not parse, a missing or
  // mistyped claim, or a scope claim that does not parse.
  kMalformed,
  // The MAC does not match the key.
  kBadSignature,
  // alg is not HS256, typ is not JWT, or the header has `crit` or an
  // unknown member.
  kUnsupportedHeader,
  // exp <= now.
  kExpired,
  // nbf > now.
  kNotYetValid,
  // iss is not the expected account.
  kWrongAccount,
  // Longer than the verifier accepts.
  kTooLarge,
};

// VerificationError returns a status for `failure` with the fixed `message`:
// INVALID_ARGUMENT for kMalformed, kUnsupportedHeader and kTooLarge (the
// input is not a token we accept), UNAUTHENTICATED for the rest (a token
// that does not prove what it claims).
absl::Status VerificationError(VerificationFailure failure,
                               absl::string_view message);

// VerificationFailureOf returns the failure attached to `status`: kNone for
// OK, kMalformed for an error that carries none.
VerificationFailure VerificationFailureOf(const absl::Status& status);

// VerificationFailureName returns a stable lower-case name ("expired").
absl::string_view VerificationFailureName(VerificationFailure failure);

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_VERIFICATION_FAILURE_H_
