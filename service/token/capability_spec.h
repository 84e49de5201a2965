// File: capability_spec.h
// -----------------------------------------------------------------------------
//
// CapabilitySpec describes one capability token to sign, and SigningLimits
// bounds what a spec may ask for. ValidateCapabilitySpec checks a spec
// against the limits before any work is done on it.
//
// Example:
//
//   CapabilitySpec spec;
//   spec.account_sid = "AC0123456789abcdef0123456789abcdef";
//   spec.scopes.push_back(ClientIncomingScope{"alice"});
//   spec.ttl = absl::Seconds(600);
//   CAPTOKEN_RETURN_IF_ERROR(ValidateCapabilitySpec(spec, SigningLimits()));

#ifndef CAPTOKEN_SERVICE_TOKEN_CAPABILITY_SPEC_H_
#define CAPTOKEN_SERVICE_TOKEN_CAPABILITY_SPEC_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/token/capability_scope.h"
#include "service/token/signing_limits.h"  // IWYU pragma: export

namespace captoken::token {

// CapabilitySpec is everything a capability token says.
struct CapabilitySpec {
  // "AC" + 32 hex digits; the token's `iss`.
  std::string account_sid;
  // In order; see Profile for how each profile treats order and repeats.
  std::vector<CapabilityScope> scopes;
  // At most one of `ttl` and `expire_time`; neither means
  // SigningLimits::default_ttl.
  std::optional<absl::Duration> ttl;
  std::optional<absl::Time> expire_time;
  // The twilio-python 6+ profiles write nbf = the signing time, as the
  // SDK's ClientCapabilityToken does by default; true writes none (the
  // SDK's nbf=None). The other profiles never write nbf.
  bool omit_not_before = false;
  Profile profile = Profile::kTwilioPython;
};

// ValidateCapabilitySpec checks every field of `spec` against `limits`:
// SIDs, texts (see field_validation.h), counts, unique parameter keys, and
// that the lifetime is set at most one way. Lifetime bounds need a clock and
// are checked by ResolveLifetime (signing_limits.h).
//
// Fails with INVALID_ARGUMENT naming the first offending field.
absl::Status ValidateCapabilitySpec(const CapabilitySpec& spec,
                                    const SigningLimits& limits);

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_CAPABILITY_SPEC_H_
