#include "client/cli/local_commands.h"

#include <iostream>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "captoken/v1/access_token.pb.h"
#include "captoken/v1/capability.pb.h"
#include "captoken/v1/taskrouter.pb.h"
#include "client/cli/cli_flags.h"
#include "client/cli/cli_io.h"
#include "client/cli/output.h"
#include "client/cli/request_json.h"
#include "service/convert/access_token_request.h"
#include "service/convert/capability_request.h"
#include "service/convert/taskrouter_request.h"
#include "service/convert/verify_response.h"
#include "service/convert/verify_token.h"
#include "service/token/access_token_signer.h"
#include "service/token/capability_signer.h"
#include "service/token/clock.h"
#include "service/token/field_validation.h"
#include "service/token/jwt.h"
#include "service/token/jwt_verifier.h"
#include "service/token/status_macros.h"
#include "service/token/taskrouter_signer.h"
#include "service/token/token_kind.h"

namespace captoken::cli {
namespace {

// Reads --issued-at / --at: the time they give, or now. A one-shot command
// reads the clock once either way.
absl::Time TimeFromFlag(int64_t unix_seconds) {
  return unix_seconds < 0 ? absl::Now() : absl::FromUnixSeconds(unix_seconds);
}

// Local signing uses the library's default limits, which are the server's
// defaults: a server with a default config refuses the same requests
// (caller policies aside).

absl::StatusOr<std::string> SignCapability() {
  CAPTOKEN_ASSIGN_OR_RETURN(v1::CapabilityRequest request,
                            ParseRequestFlag<v1::CapabilityRequest>());
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

absl::StatusOr<std::string> SignTaskRouter() {
  CAPTOKEN_ASSIGN_OR_RETURN(v1::TaskRouterRequest request,
                            ParseRequestFlag<v1::TaskRouterRequest>());
  CAPTOKEN_ASSIGN_OR_RETURN(
      token::TaskRouterSpec spec,
      convert::TaskRouterSpecFromProto(request, token::Profile::kTwilioPython));
  CAPTOKEN_ASSIGN_OR_RETURN(token::HmacSha256Key key, ReadAuthTokenKey());
  absl::StatusOr<token::SignedToken> signed_token = token::SignTaskRouterToken(
      spec, key, TimeFromFlag(absl::GetFlag(FLAGS_issued_at)),
      token::SigningLimits());
  if (!signed_token.ok()) {
    return convert::TaskRouterStatusInRequestTerms(signed_token.status(),
                                                   request, spec);
  }
  return std::move(signed_token->token);
}

absl::StatusOr<std::string> SignAccess() {
  CAPTOKEN_ASSIGN_OR_RETURN(v1::AccessTokenRequest request,
                            ParseRequestFlag<v1::AccessTokenRequest>());
  CAPTOKEN_ASSIGN_OR_RETURN(token::AccessTokenSpec spec,
                            convert::AccessTokenSpecFromProto(
                                request, token::Profile::kTwilioPython));
  // The server may pick a key; here the caller holds one secret and must
  // say whose it is.
  if (request.api_key_sid().empty()) {
    return absl::InvalidArgumentError(
        "api_key_sid: required to sign locally (the key whose secret "
        "--api-key-secret-env or --api-key-secret-file gives)");
  }
  if (absl::Status s = token::CheckSid("SK", request.api_key_sid()); !s.ok()) {
    return token::InField("api_key_sid", s);
  }
  CAPTOKEN_ASSIGN_OR_RETURN(token::ApiKey key,
                            ReadApiKey(request.api_key_sid()));
  absl::StatusOr<token::SignedToken> signed_token = token::SignAccessToken(
      spec, key, TimeFromFlag(absl::GetFlag(FLAGS_issued_at)),
      token::SigningLimits());
  if (!signed_token.ok()) {
    return convert::AccessTokenStatusInRequestTerms(signed_token.status());
  }
  return std::move(signed_token->token);
}

int PrintSigned(const std::vector<std::string>& args, absl::string_view command,
                absl::StatusOr<std::string> (*sign)()) {
  if (!args.empty()) return Fail(absl::StrCat(command, " takes no arguments"));
  absl::StatusOr<std::string> token = sign();
  if (!token.ok()) return Fail(token.status());
  std::cout << *token << "\n";
  return 0;
}

// Verifies `token` with the secret its kind needs, read from the flags.
absl::StatusOr<convert::TokenVerification> VerifyWithFlagSecrets(
    absl::string_view token, const token::UnverifiedRouting& routing,
    const token::Clock& clock) {
  const token::JwtVerifier::Options jwt = {
      .clock = &clock,
      .leeway = absl::GetFlag(FLAGS_leeway),
      .max_token_bytes = token::kMaxVerifyTokenBytes};
  const std::string account_sid = absl::GetFlag(FLAGS_account_sid);
  if (routing.kind == token::TokenKind::kAccessToken) {
    CAPTOKEN_ASSIGN_OR_RETURN(token::ApiKey key,
                              ReadApiKey(routing.api_key_sid));
    return convert::VerifyTokenOfKind(token, routing.kind, jwt, account_sid,
                                      {.api_key = &key});
  }
  CAPTOKEN_ASSIGN_OR_RETURN(token::HmacSha256Key key, ReadAuthTokenKey());
  const token::HmacSha256Key* keys[] = {&key};
  return convert::VerifyTokenOfKind(token, routing.kind, jwt, account_sid,
                                    {.auth_tokens = keys});
}

}  // namespace

int RunSignCapability(const std::vector<std::string>& args) {
  return PrintSigned(args, "sign capability", &SignCapability);
}

int RunSignTaskRouter(const std::vector<std::string>& args) {
  return PrintSigned(args, "sign taskrouter", &SignTaskRouter);
}

int RunSignAccess(const std::vector<std::string>& args) {
  return PrintSigned(args, "sign access", &SignAccess);
}

int RunVerifyLocally(const std::vector<std::string>& args) {
  if (args.size() != 1) return Fail("verify takes one TOKEN (or - for stdin)");
  absl::StatusOr<std::string> token = ReadArgument(args[0]);
  if (!token.ok()) return Fail(token.status());
  // The kind, read unverified, only says which secret to check it with.
  // The server's limit: a token one verifies, the other does too.
  absl::StatusOr<token::UnverifiedRouting> routing =
      token::ReadUnverifiedRouting(*token, token::kMaxVerifyTokenBytes);
  if (!routing.ok()) {
    if (absl::Status printed =
            PrintJson(convert::UnreadableTokenResponseFor(routing.status()));
        !printed.ok()) {
      return Fail(printed);
    }
    return Fail(routing.status());
  }
  const token::FixedClock clock(TimeFromFlag(absl::GetFlag(FLAGS_at)));
  absl::StatusOr<convert::TokenVerification> verification =
      VerifyWithFlagSecrets(*token, *routing, clock);
  if (!verification.ok()) return Fail(verification.status());
  // A verdict that cannot be printed is a failure, even a valid one: exit
  // status 0 always comes with the verdict on standard output.
  if (absl::Status printed = PrintJson(verification->response); !printed.ok()) {
    return Fail(printed);
  }
  if (!verification->status.ok()) return Fail(verification->status);
  return 0;
}

int RunDecode(const std::vector<std::string>& args) {
  if (args.size() != 1) return Fail("decode takes one TOKEN (or - for stdin)");
  absl::StatusOr<std::string> token = ReadArgument(args[0]);
  if (!token.ok()) return Fail(token.status());
  // Decodes what verify would read, no more.
  absl::StatusOr<token::JwtSegments> segments =
      token::SplitCompactJwt(*token, token::kMaxVerifyTokenBytes);
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
