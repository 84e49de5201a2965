// File: access_token_signer.h
// -----------------------------------------------------------------------------
//
// SignAccessToken turns an AccessTokenSpec into an Access Token signed with
// an API key, whose bytes equal the chosen SDK profile's (spec §4):
//
//   twilio-node    header {"alg":"HS256","typ":"JWT","cty":"twilio-fpa;v=1"
//                          [,"twr":<region>]}
//                  claims jti, grants, [nbf], iat, exp, iss, sub  (compact)
//   twilio-python  header {"typ": "JWT", "alg": "HS256",
//                          "cty": "twilio-fpa;v=1"[, "twr": <region>]}
//                  claims jti, iss, sub, exp, grants, [nbf]       (spaced)
//
// jti is "<API key SID>-<issue time in seconds>", iss the API key SID, sub
// the account SID. `grants` is {"identity": ..., <one member per grant
// kind>} (see access_token_spec.h for repeats). Grant members are written in
// twilio-node's order in both profiles: twilio-python 5.x had no incoming
// voice grant, no region and no playback grant, so for those the python
// profile writes what twilio-python 6+ writes, in python 5's JSON layout.
//
// The clock is read once by the caller and passed in as `now`; every claim
// uses that one value, truncated to whole seconds (spec §1.4).
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(
//       SignedToken signed_token,
//       SignAccessToken(spec, api_key, clock.Now(), limits));

#ifndef CAPTOKEN_SERVICE_TOKEN_ACCESS_TOKEN_SIGNER_H_
#define CAPTOKEN_SERVICE_TOKEN_ACCESS_TOKEN_SIGNER_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/token/access_token_spec.h"
#include "service/token/api_key.h"
#include "service/token/signed_token.h"
#include "service/token/signing_limits.h"

namespace captoken::token {

// CheckedAccessToken is a spec that passed ValidateAccessTokenSpec, with
// its lifetime resolved. Only CheckAccessToken makes one, so holding one
// proves the checks ran; callers may look at it (to authorize the request,
// say) before signing it. It refers to the spec, which must outlive it.
class CheckedAccessToken {
 public:
  const AccessTokenSpec& spec() const { return *spec_; }
  absl::Time issue_time() const { return issue_time_; }
  absl::Time expire_time() const { return expire_time_; }
  absl::Duration lifetime() const { return expire_time_ - issue_time_; }

 private:
  friend absl::StatusOr<CheckedAccessToken> CheckAccessToken(
      const AccessTokenSpec& spec, absl::Time now, const SigningLimits& limits);
  CheckedAccessToken(const AccessTokenSpec* spec, absl::Time issue_time,
                     absl::Time expire_time)
      : spec_(spec), issue_time_(issue_time), expire_time_(expire_time) {}

  const AccessTokenSpec* spec_;
  absl::Time issue_time_;
  absl::Time expire_time_;
};

// CheckAccessToken validates `spec` against `limits`
// (ValidateAccessTokenSpec), resolves its lifetime as of `now`
// (ResolveLifetime), and checks that not_before is before the expiry.
//
// Fails with INVALID_ARGUMENT naming the offending field.
absl::StatusOr<CheckedAccessToken> CheckAccessToken(
    const AccessTokenSpec& spec, absl::Time now, const SigningLimits& limits);

// SignCheckedAccessToken renders the checked spec's header and claims in
// its profile and signs them with `api_key`.
//
// Fails with INVALID_ARGUMENT for a token longer than
// `limits.max_token_bytes`.
absl::StatusOr<SignedToken> SignCheckedAccessToken(
    const CheckedAccessToken& checked, const ApiKey& api_key,
    const SigningLimits& limits);

// SignAccessToken is CheckAccessToken followed by SignCheckedAccessToken.
absl::StatusOr<SignedToken> SignAccessToken(const AccessTokenSpec& spec,
                                            const ApiKey& api_key,
                                            absl::Time now,
                                            const SigningLimits& limits);

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_ACCESS_TOKEN_SIGNER_H_
