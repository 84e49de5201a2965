// File: profile.h
// -----------------------------------------------------------------------------
//
// Profile selects whose bytes a token reproduces. Every token kind
// (capability, TaskRouter, Access Token) can be written in either profile;
// each kind's signer documents what the profile changes for it.
//
// Example:
//
//   spec.profile = Profile::kTwilioNode;
//   audit.profile = std::string(ProfileName(spec.profile));  // "twilio-node"

#ifndef CAPTOKEN_SERVICE_TOKEN_PROFILE_H_
#define CAPTOKEN_SERVICE_TOKEN_PROFILE_H_

#include "absl/strings/string_view.h"

namespace captoken::token {

// Profile selects whose bytes a token reproduces (spec "Profiles").
enum class Profile {
  // twilio-python 5.x (TwilioCapability, TaskRouter*Capability,
  // AccessToken): the default.
  kTwilioPython,
  // twilio-node 3.x-6.x (ClientCapability, TaskRouterCapability,
  // AccessToken).
  kTwilioNode,
};

// ProfileName returns "twilio-python" or "twilio-node".
absl::string_view ProfileName(Profile profile);

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_PROFILE_H_
