#include "client/cli/local_commands.h"

#include <iostream>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "captoken/v1/capability.pb.h"
#include "client/cli/cli_flags.h"
#include "client/cli/cli_io.h"
#include "client/cli/output.h"
#include "client/cli/request_json.h"
#include "service/convert/capability_request.h"
#include "service/convert/verify_response.h"
#include "service/token/capability_signer.h"
#include "service/token/capability_verifier.h"
#include "service/token/clock.h"
#include "service/token/jwt.h"
#include "service/token/status_macros.h"

namespace captoken::cli {
namespace {

// Reads --issued-at / --at: the time they give, or now. A one-shot command
// reads the clock once either way.
absl::Time TimeFromFlag(int64_t unix_seconds) {
  return unix_seconds < 0 ? absl::Now() : absl::FromUnixSeconds(unix_seconds);
}

absl::StatusOr<std::string> SignCapability() {
  CAPTOKEN_ASSIGN_OR_RETURN(v1::CapabilityRequest request,
                            ParseCapabilityRequestFlag());
  CAPTOKEN_ASSIGN_OR_RETURN(
      token::CapabilitySpec spec,
      convert::CapabilitySpecFromProto(request, token::Profile::kTwilioPython));
  CAPTOKEN_ASSIGN_OR_RETURN(token::HmacSha256Key key, ReadAuthTokenKey());
  CAPTOKEN_ASSIGN_OR_RETURN(
      token::SignedToken signed_token,
      token::SignCapabilityToken(spec, key,
                                 TimeFromFlag(absl::GetFlag(FLAGS_issued_at)),
                                 token::SigningLimits()));
  return std::move(signed_token.token);
}

}  // namespace

int RunSignCapability(const std::vector<std::string>& args) {
  if (!args.empty()) return Fail("sign capability takes no arguments");
  absl::StatusOr<std::string> token = SignCapability();
  if (!token.ok()) return Fail(token.status());
  std::cout << *token << "\n";
  return 0;
}

int RunVerifyLocally(const std::vector<std::string>& args) {
  if (args.size() != 1) return Fail("verify takes one TOKEN (or - for stdin)");
  absl::StatusOr<std::string> token = ReadArgument(args[0]);
  if (!token.ok()) return Fail(token.status());
  absl::StatusOr<token::HmacSha256Key> key = ReadAuthTokenKey();
  if (!key.ok()) return Fail(key.status());

  const token::FixedClock clock(TimeFromFlag(absl::GetFlag(FLAGS_at)));
  token::CapabilityVerifier::Options options;
  options.jwt.clock = &clock;
  options.jwt.leeway = absl::GetFlag(FLAGS_leeway);
  options.expected_account_sid = absl::GetFlag(FLAGS_account_sid);
  absl::StatusOr<token::CapabilityVerifier> verifier =
      token::CapabilityVerifier::Create(options);
  if (!verifier.ok()) return Fail(verifier.status());

  token::CapabilityClaims claims;
  claims.expire_time = absl::InfinitePast();
  absl::StatusOr<token::VerifiedCapabilityToken> verified =
      verifier->Verify(*token, *key, &claims);
  const bool authenticated = claims.expire_time != absl::InfinitePast();
  PrintJson(convert::VerifyResponseFor(verified.status(),
                                       authenticated ? &claims : nullptr));
  if (!verified.ok()) return Fail(verified.status());
  return 0;
}

int RunDecode(const std::vector<std::string>& args) {
  if (args.size() != 1) return Fail("decode takes one TOKEN (or - for stdin)");
  absl::StatusOr<std::string> token = ReadArgument(args[0]);
  if (!token.ok()) return Fail(token.status());
  absl::StatusOr<token::JwtSegments> segments =
      token::SplitCompactJwt(*token, 64 * 1024);
  if (!segments.ok()) return Fail(segments.status());
  absl::StatusOr<token::DecodedJwt> jwt = token::DecodeJwt(*segments);
  if (!jwt.ok()) return Fail(jwt.status());
  // Both parts parsed as JSON objects, so they can be embedded as they are.
  std::cout << "{\"verified\":false,\"header\":" << jwt->header_json
            << ",\"payload\":" << jwt->payload_json << "}\n";
  std::cerr << "captoken: decoded WITHOUT checking the signature; use "
               "`captoken verify` to check it\n";
  return 0;
}

}  // namespace captoken::cli
