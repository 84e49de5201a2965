// seed_calls ACCOUNT_SID AUTH_TOKEN CLIENT APPLICATION_SID UNIX_SECONDS
//
// twilio-python's
//   capability = TwilioCapability(account_sid, auth_token)
//   capability.allow_client_incoming(client)
//   capability.allow_client_outgoing(application_sid)
//   capability.generate()
// at a given second, through captoken's public C++ API from another
// workspace. check.sh compares what it prints with the token twilio-python
// made for the same calls (tests/vectors/python/py5_cc10_*).

#include <cstdint>
#include <iostream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "service/token/clock.h"
#include "service/token/twilio_capability.h"

int main(int argc, char** argv) {
  int64_t unix_seconds = 0;
  if (argc != 6 || !absl::SimpleAtoi(argv[5], &unix_seconds)) {
    std::cerr << "usage: seed_calls ACCOUNT_SID AUTH_TOKEN CLIENT "
                 "APPLICATION_SID UNIX_SECONDS\n";
    return 2;
  }
  captoken::token::FixedClock clock(absl::FromUnixSeconds(unix_seconds));
  auto capability = captoken::token::TwilioCapability::Create(
      argv[1], argv[2], {.clock = &clock});
  if (!capability.ok()) {
    std::cerr << capability.status().message() << "\n";
    return 1;
  }
  capability->AllowClientIncoming(argv[3]);
  capability->AllowClientOutgoing(argv[4]);
  auto token = capability->Generate();
  if (!token.ok()) {
    std::cerr << token.status().message() << "\n";
    return 1;
  }
  std::cout << *token << "\n";
  return 0;
}
