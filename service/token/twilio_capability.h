// File: twilio_capability.h
// -----------------------------------------------------------------------------
//
// TwilioCapability is the in-process C++ API, shaped like twilio-python's
// TwilioCapability so that code ports line by line. In python:
//
//   capability = TwilioCapability(account_sid, auth_token)
//   capability.allow_client_incoming("Alice")
//   capability.allow_client_outgoing(application_sid, To="+15551234567")
//   capability.allow_event_stream()
//   token = capability.generate(expires=600)
//
// and in C++:
//
//   absl::StatusOr<TwilioCapability> capability =
//       TwilioCapability::Create(account_sid, auth_token);
//   capability->AllowClientIncoming("Alice");
//   capability->AllowClientOutgoing(application_sid, {{"To", "+15551234567"}});
//   capability->AllowEventStream();
//   absl::StatusOr<std::string> token =
//       capability->Generate(absl::Seconds(600));
//
// The Allow* calls only record scopes; every input is checked by Generate,
// which reports the first problem as INVALID_ARGUMENT. The auth token is
// held only as a prepared HMAC key in wiped memory.
//
// Example (node profile, fixed clock):
//
//   FixedClock clock(absl::FromUnixSeconds(1700000000));
//   CAPTOKEN_ASSIGN_OR_RETURN(
//       TwilioCapability capability,
//       TwilioCapability::Create(account_sid, auth_token,
//                                {.profile = Profile::kTwilioNode,
//                                 .clock = &clock}));
//   capability.AllowClientIncoming("alice");
//   absl::StatusOr<std::string> token = capability.Generate();

#ifndef CAPTOKEN_SERVICE_TOKEN_TWILIO_CAPABILITY_H_
#define CAPTOKEN_SERVICE_TOKEN_TWILIO_CAPABILITY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/token/capability_scope.h"
#include "service/token/capability_spec.h"
#include "service/token/clock.h"
#include "service/token/crypto.h"

namespace captoken::token {

struct TwilioCapabilityOptions {
  Profile profile = Profile::kTwilioPython;
  // Where "now" comes from. Must outlive the capability.
  const Clock* clock = &Clock::Real();
  SigningLimits limits;
  // No nbf in the twilio-python 6+ profiles, which write the signing time
  // by default (ClientCapabilityToken's nbf=None); see CapabilitySpec.
  bool omit_not_before = false;
};

class TwilioCapability {
 public:
  using Options = TwilioCapabilityOptions;

  // Create makes an empty capability for one account.
  //
  // Fails with INVALID_ARGUMENT if `account_sid` is not "AC" + 32 hex
  // digits, `auth_token` is empty, or `options.clock` is null.
  static absl::StatusOr<TwilioCapability> Create(absl::string_view account_sid,
                                                 absl::string_view auth_token,
                                                 Options options = {});

  // AllowClientIncoming lets the device receive calls as `client_name`.
  TwilioCapability& AllowClientIncoming(absl::string_view client_name);

  // AllowClientOutgoing lets the device place calls through the TwiML
  // application `application_sid`, passing it `params` (in order).
  TwilioCapability& AllowClientOutgoing(absl::string_view application_sid,
                                        std::vector<Param> params = {});

  // AllowClientOutgoing with every option, including the node profile's
  // explicit client name.
  TwilioCapability& AllowClientOutgoing(ClientOutgoingScope scope);

  // AllowEventStream lets the device subscribe to the event stream.
  TwilioCapability& AllowEventStream(std::vector<Param> filters = {});

  // Generate signs a token that lives for the limits' default TTL (3600 s).
  absl::StatusOr<std::string> Generate() const;

  // Generate signs a token that lives for `ttl` (whole seconds, positive,
  // at most the limits' max_ttl).
  absl::StatusOr<std::string> Generate(absl::Duration ttl) const;

  // GenerateUntil signs a token that expires at `expire_time`.
  absl::StatusOr<std::string> GenerateUntil(absl::Time expire_time) const;

 private:
  TwilioCapability(std::string account_sid, HmacSha256Key key, Options options);

  absl::StatusOr<std::string> Sign(CapabilitySpec spec) const;

  CapabilitySpec spec_;
  HmacSha256Key key_;
  Options options_;
};

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_TWILIO_CAPABILITY_H_
