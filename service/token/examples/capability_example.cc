// capability_example: twilio-python's TwilioCapability example, in C++, with
// captoken's token library in process. In python:
//
//   capability = TwilioCapability(account_sid, auth_token)
//   capability.allow_client_incoming("Alice")
//   capability.allow_client_outgoing(application_sid)
//   print(capability.generate(expires=600))
//
// Here:
//
//   TWILIO_ACCOUNT_SID=AC... TWILIO_AUTH_TOKEN=... capability_example AP...
//
// prints the same token twilio-python 5.x prints for those calls at the same
// second. It depends only on the library's public target,
// //service/token (docs/token-library.md).

#include <cstdlib>
#include <iostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/token/twilio_capability.h"

namespace {

constexpr char kUsage[] =
    R"(usage: TWILIO_ACCOUNT_SID=AC... TWILIO_AUTH_TOKEN=... capability_example APPLICATION_SID

Prints a Twilio Client capability token that lets "Alice" receive calls and
place calls through the TwiML application APPLICATION_SID, valid for 600 s.
)";

const char* Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || argv[1][0] == '-') {
    bool asked_for_help = argc == 2 && (std::string(argv[1]) == "--help" ||
                                        std::string(argv[1]) == "-h");
    (asked_for_help ? std::cout : std::cerr) << kUsage;
    return asked_for_help ? 0 : 2;
  }
  const char* application_sid = argv[1];

  absl::StatusOr<captoken::token::TwilioCapability> capability =
      captoken::token::TwilioCapability::Create(Env("TWILIO_ACCOUNT_SID"),
                                                Env("TWILIO_AUTH_TOKEN"));
  if (!capability.ok()) {
    std::cerr << "capability_example: " << capability.status().message()
              << "\n";
    return 1;
  }
  capability->AllowClientIncoming("Alice");
  capability->AllowClientOutgoing(application_sid);

  absl::StatusOr<std::string> token = capability->Generate(absl::Seconds(600));
  if (!token.ok()) {
    std::cerr << "capability_example: " << token.status().message() << "\n";
    return 1;
  }
  std::cout << *token << "\n";
  return 0;
}
