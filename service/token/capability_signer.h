// File: capability_signer.h
// -----------------------------------------------------------------------------
//
// SignCapabilityToken turns a CapabilitySpec into a signed Twilio Client
// capability token whose bytes equal the chosen SDK profile's:
//
//   twilio-node    header {"alg":"HS256","typ":"JWT"}
//                  claims {"scope":…,"iss":…,"exp":…,"iat":…}   (compact)
//   twilio-python  header {"typ": "JWT", "alg": "HS256"}
//                  claims {"scope": …, "iss": …, "exp": …}      (spaced)
//
// The clock is read once by the caller and passed in as `now`; every claim
// uses that one value, truncated to whole seconds (spec §1.4).
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(
//       SignedToken signed_token,
//       SignCapabilityToken(spec, account_key, clock.Now(), limits));

#ifndef CAPTOKEN_SERVICE_TOKEN_CAPABILITY_SIGNER_H_
#define CAPTOKEN_SERVICE_TOKEN_CAPABILITY_SIGNER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/token/capability_spec.h"
#include "service/token/crypto.h"
#include "service/token/signed_token.h"  // IWYU pragma: export

namespace captoken::token {

// CheckedCapability is a spec that passed ValidateCapabilitySpec, with its
// lifetime resolved. Only CheckCapability makes one, so holding one proves
// the checks ran; callers may look at it (to authorize the request, say)
// before signing it. It refers to the spec, which must outlive it.
class CheckedCapability {
 public:
  const CapabilitySpec& spec() const { return *spec_; }
  absl::Time issue_time() const { return issue_time_; }
  absl::Time expire_time() const { return expire_time_; }
  absl::Duration lifetime() const { return expire_time_ - issue_time_; }

 private:
  friend absl::StatusOr<CheckedCapability> CheckCapability(
      const CapabilitySpec& spec, absl::Time now, const SigningLimits& limits);
  CheckedCapability(const CapabilitySpec* spec, absl::Time issue_time,
                    absl::Time expire_time)
      : spec_(spec), issue_time_(issue_time), expire_time_(expire_time) {}

  const CapabilitySpec* spec_;
  absl::Time issue_time_;
  absl::Time expire_time_;
};

// CheckCapability validates `spec` against `limits` (ValidateCapabilitySpec)
// and resolves its lifetime as of `now` (ResolveLifetime).
//
// Fails with INVALID_ARGUMENT naming the offending field.
absl::StatusOr<CheckedCapability> CheckCapability(const CapabilitySpec& spec,
                                                  absl::Time now,
                                                  const SigningLimits& limits);

// SignCheckedCapability renders the checked spec's claims in its profile and
// signs them with `key` (the account's auth token).
//
// Fails with INVALID_ARGUMENT for the twilio-python client-name conflict
// (see scope_claim.h) or a token longer than `limits.max_token_bytes`.
absl::StatusOr<SignedToken> SignCheckedCapability(
    const CheckedCapability& checked, const HmacSha256Key& key,
    const SigningLimits& limits);

// SignCapabilityToken is CheckCapability followed by SignCheckedCapability.
absl::StatusOr<SignedToken> SignCapabilityToken(const CapabilitySpec& spec,
                                                const HmacSha256Key& key,
                                                absl::Time now,
                                                const SigningLimits& limits);

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_CAPABILITY_SIGNER_H_
