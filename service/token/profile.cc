#include "service/token/profile.h"

namespace captoken::token {

absl::string_view ProfileName(Profile profile) {
  switch (profile) {
    case Profile::kTwilioPython:
      return "twilio-python";
    case Profile::kTwilioNode:
      return "twilio-node";
  }
  return "unknown";
}

}  // namespace captoken::token
