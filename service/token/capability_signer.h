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

namespace captoken::token {

// SignedToken is a token and the times it carries.
struct SignedToken {
  std::string token;
  absl::Time issue_time;
  absl::Time expire_time;
};

// SignCapabilityToken validates `spec` against `limits`, renders its claims
// in `spec.profile` and signs them with `key` (the account's auth token).
//
// Fails with INVALID_ARGUMENT for an invalid spec (see
// ValidateCapabilitySpec and ResolveExpiry), the twilio-python client-name
// conflict (see scope_claim.h), or a token longer than
// `limits.max_token_bytes`.
absl::StatusOr<SignedToken> SignCapabilityToken(const CapabilitySpec& spec,
                                                const HmacSha256Key& key,
                                                absl::Time now,
                                                const SigningLimits& limits);

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_CAPABILITY_SIGNER_H_
