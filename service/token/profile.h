// File: profile.h
// -----------------------------------------------------------------------------
//
// Profile selects whose bytes a token reproduces. Every token kind
// (capability, TaskRouter, Access Token) can be written in every profile;
// each kind's signer documents what the profile changes for it.
//
// The three twilio-python profiles share python's semantics (one scope per
// kind, the incoming client name copied into the outgoing scope, form
// encoding, deny policies, the channel id as friendly name, identity as a
// grant); they differ in JSON layout and, from 6.x on, in a default `nbf`.
//
// Example:
//
//   spec.profile = Profile::kTwilioNode;
//   audit.profile = std::string(ProfileName(spec.profile));  // "twilio-node"

#ifndef CAPTOKEN_SERVICE_TOKEN_PROFILE_H_
#define CAPTOKEN_SERVICE_TOKEN_PROFILE_H_

#include "absl/strings/string_view.h"

namespace captoken::token {

// Profile selects whose bytes a token reproduces (spec "Profiles"). Values
// are only ever appended: the proto enum and stored configs name them.
enum class Profile {
  // twilio-python 5.x (TwilioCapability, TaskRouter*Capability,
  // AccessToken): the default, so that no existing caller's bytes change.
  kTwilioPython,
  // twilio-node 3.x-6.x (ClientCapability, TaskRouterCapability,
  // AccessToken).
  kTwilioNode,
  // twilio-python 6.x with PyJWT 1.x (ClientCapabilityToken,
  // *CapabilityToken, AccessToken): compact JSON, header {"typ", "alg"},
  // nbf by default.
  kTwilioPython6,
  // twilio-python 7.x-9.x with PyJWT 2.5 or later, which sorts the header
  // keys: otherwise the bytes of kTwilioPython6.
  kTwilioPython7,
};

// Every profile, in enum order (for series that must exist from the start).
inline constexpr Profile kAllProfiles[] = {
    Profile::kTwilioPython, Profile::kTwilioNode, Profile::kTwilioPython6,
    Profile::kTwilioPython7};

// ProfileName returns "twilio-python", "twilio-node", "twilio-python-6" or
// "twilio-python-7": the names audit lines and metrics carry.
absl::string_view ProfileName(Profile profile);

// IsPythonProfile reports whether `profile` has twilio-python's semantics
// (every profile but kTwilioNode).
constexpr bool IsPythonProfile(Profile profile) {
  return profile != Profile::kTwilioNode;
}

// WritesDefaultNotBefore reports whether `profile` writes nbf = the signing
// time when a spec asks for no nbf of its own: twilio-python 6+'s Jwt does
// (its nbf=GENERATE default); python 5.x and node never write one.
constexpr bool WritesDefaultNotBefore(Profile profile) {
  return profile == Profile::kTwilioPython6 ||
         profile == Profile::kTwilioPython7;
}

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_PROFILE_H_
