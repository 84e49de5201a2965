// File: access_token_spec.h
// -----------------------------------------------------------------------------
//
// AccessTokenSpec describes one Access Token to sign: the account, the
// identity and the grants. The API key it is signed with is not part of
// the spec: it is handed to the signer as an ApiKey (api_key.h), whose SID
// becomes the token's iss and jti prefix. ValidateAccessTokenSpec checks a
// spec against the limits before any work is done on it.
//
// Grants are written in order, identity first (last in the twilio-python
// 6+ profiles, as those SDKs write it); a later grant of the same kind
// replaces the earlier one in the earlier one's position, as every SDK does
// (node's at19).
//
// Example:
//
//   AccessTokenSpec spec;
//   spec.account_sid = "AC0123456789abcdef0123456789abcdef";
//   spec.identity = "alice";
//   spec.grants.push_back(VideoGrant{.room = "DailyStandup"});
//   CAPTOKEN_RETURN_IF_ERROR(ValidateAccessTokenSpec(spec, SigningLimits()));

#ifndef CAPTOKEN_SERVICE_TOKEN_ACCESS_TOKEN_SPEC_H_
#define CAPTOKEN_SERVICE_TOKEN_ACCESS_TOKEN_SPEC_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/token/access_grant.h"
#include "service/token/profile.h"
#include "service/token/signing_limits.h"

namespace captoken::token {

// The one algorithm captoken signs Access Tokens with. twilio-node also
// offers HS384 and HS512; Twilio documents HS256 only.
inline constexpr absl::string_view kAccessTokenAlgorithm = "HS256";

// AccessTokenSpec is everything an Access Token says.
struct AccessTokenSpec {
  // "AC" + 32 hex digits: the token's sub.
  std::string account_sid;
  // Required: valid UTF-8 without control characters, at most
  // SigningLimits::max_text_bytes.
  std::string identity;
  // In order; see the top of this file for repeats.
  std::vector<AccessGrant> grants;
  // The nbf claim, in whole seconds. Absent means none in the python 5.x
  // and node profiles, and the signing time in the twilio-python 6+
  // profiles (the SDK's nbf default) unless `omit_not_before`.
  std::optional<absl::Time> not_before;
  // True writes no nbf in the twilio-python 6+ profiles (the SDK's
  // nbf=None); the other profiles write none anyway. Refused together with
  // `not_before`.
  bool omit_not_before = false;
  // The Twilio region ("us1", "ie1", "au1", ...) written as the header's
  // `twr`; empty means none. ASCII letters, digits, '-', '_' and '.' only.
  std::string region;
  // At most one of `ttl` and `expire_time`; neither means
  // SigningLimits::default_ttl.
  std::optional<absl::Duration> ttl;
  std::optional<absl::Time> expire_time;
  // Empty or "HS256" (the SDKs' toJwt(algorithm) argument); anything else
  // is refused.
  std::string algorithm;
  Profile profile = Profile::kTwilioPython;
};

// ValidateAccessTokenSpec checks every field of `spec` against `limits`:
// the account SID, the identity, each grant's SIDs and texts (see
// field_validation.h) and verbatim JSON (see verbatim_json.h), counts, the
// region, the algorithm, that not_before is whole seconds and not set
// together with omit_not_before, and that the lifetime is set at most one
// way. Bounds that need a clock (the lifetime,
// not_before before the expiry) are checked by CheckAccessToken.
//
// Fails with INVALID_ARGUMENT naming the first offending field, for
// example "grants[1].voice.outgoing_application_sid: required".
absl::Status ValidateAccessTokenSpec(const AccessTokenSpec& spec,
                                     const SigningLimits& limits);

// CheckIdentity is the identity rule on its own, for APIs that take the
// identity first (AccessToken::Create).
absl::Status CheckIdentity(absl::string_view identity,
                           const SigningLimits& limits);

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_ACCESS_TOKEN_SPEC_H_
