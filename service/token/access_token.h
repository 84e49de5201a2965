// File: access_token.h
// -----------------------------------------------------------------------------
//
// AccessToken is the in-process C++ API for Access Tokens, shaped like
// twilio-python's AccessToken (and TwilioCapability, twilio_capability.h) so
// that code ports line by line. In python:
//
//   token = AccessToken(account_sid, key_sid, secret, identity="alice")
//   token.add_grant(VideoGrant(room="standup"))
//   jwt = token.to_jwt()
//
// and in C++:
//
//   absl::StatusOr<AccessToken> token =
//       AccessToken::Create(account_sid, key_sid, secret, "alice");
//   token->AddGrant(VideoGrant{.room = "standup"});
//   absl::StatusOr<std::string> jwt = token->ToJwt();
//
// Create checks the key, the account and the identity; AddGrant only
// records; ToJwt checks everything else and reports the first problem as
// INVALID_ARGUMENT. The API key secret is held only as a prepared HMAC key
// in wiped memory.
//
// Example (node profile, fixed clock, a region and a short lifetime):
//
//   FixedClock clock(absl::FromUnixSeconds(1700000000));
//   CAPTOKEN_ASSIGN_OR_RETURN(
//       AccessToken token,
//       AccessToken::Create(account_sid, key_sid, secret, "alice",
//                           {.profile = Profile::kTwilioNode,
//                            .clock = &clock,
//                            .ttl = absl::Minutes(10),
//                            .region = "au1"}));
//   token.AddGrant(VoiceGrant{.incoming_allow = true});
//   absl::StatusOr<std::string> jwt = token.ToJwt();

#ifndef CAPTOKEN_SERVICE_TOKEN_ACCESS_TOKEN_H_
#define CAPTOKEN_SERVICE_TOKEN_ACCESS_TOKEN_H_

#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/token/access_grant.h"
#include "service/token/access_token_spec.h"
#include "service/token/api_key.h"
#include "service/token/clock.h"
#include "service/token/profile.h"
#include "service/token/signing_limits.h"

namespace captoken::token {

struct AccessTokenOptions {
  Profile profile = Profile::kTwilioPython;
  // Where "now" comes from. Must outlive the token.
  const Clock* clock = &Clock::Real();
  SigningLimits limits;
  // Lifetime (python's ttl=, node's options.ttl); unset means the limits'
  // default_ttl (3600 s).
  std::optional<absl::Duration> ttl;
  // The nbf claim (python's nbf=, node's options.nbf); unset means none,
  // or the signing time in the twilio-python 6+ profiles (their default).
  std::optional<absl::Time> not_before;
  // No nbf in the twilio-python 6+ profiles either (python's nbf=None).
  bool omit_not_before = false;
  // The region header (node's options.region); empty means none.
  std::string region;
};

class AccessToken {
 public:
  using Options = AccessTokenOptions;

  // Create makes a token with no grants for `identity`, signed with the API
  // key `api_key_sid` / `api_key_secret`, for `account_sid`.
  //
  // Fails with INVALID_ARGUMENT if `account_sid` is not "AC" + 32 hex
  // digits, `api_key_sid` is not "SK" + 32 hex digits, `api_key_secret` is
  // empty, `identity` breaks the identity rule (access_token_spec.h), or
  // `options.clock` is null.
  static absl::StatusOr<AccessToken> Create(absl::string_view account_sid,
                                            absl::string_view api_key_sid,
                                            absl::string_view api_key_secret,
                                            absl::string_view identity,
                                            Options options = {});

  // AddGrant adds `grant`; a later grant of the same kind replaces the
  // earlier one in its position.
  AccessToken& AddGrant(AccessGrant grant);

  // ToJwt signs the token with HS256.
  absl::StatusOr<std::string> ToJwt() const;

  // ToJwt with the SDKs' `algorithm` argument: only "HS256" (or "", which
  // means HS256) is accepted; HS384 and HS512 fail with INVALID_ARGUMENT.
  absl::StatusOr<std::string> ToJwt(absl::string_view algorithm) const;

  // spec returns what ToJwt would sign, for inspection.
  const AccessTokenSpec& spec() const { return spec_; }

 private:
  AccessToken(AccessTokenSpec spec, ApiKey api_key, Options options)
      : spec_(std::move(spec)),
        api_key_(std::move(api_key)),
        options_(std::move(options)) {}

  AccessTokenSpec spec_;
  ApiKey api_key_;
  Options options_;
};

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_ACCESS_TOKEN_H_
