#include "service/token/profile.h"

namespace captoken::token {

absl::string_view ProfileName(Profile profile) {
  switch (profile) {
    case Profile::kTwilioPython:
      return "twilio-python";
    case Profile::kTwilioNode:
      return "twilio-node";
    case Profile::kTwilioPython6:
      return "twilio-python-6";
    case Profile::kTwilioPython7:
      return "twilio-python-7";
  }
  return "unknown";
}

}  // namespace captoken::token
