#include "client/cli/local_commands.h"

#include <iostream>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "captoken/v1/access_token.pb.h"
#include "captoken/v1/capability.pb.h"
#include "captoken/v1/taskrouter.pb.h"
#include "client/cli/cli_flags.h"
#include "client/cli/cli_io.h"
#include "client/cli/output.h"
#include "client/cli/request_json.h"
#include "service/convert/verify_response.h"
#include "service/convert/verify_token.h"
#include "service/mint/sign_request.h"
#include "service/token/access_token_signer.h"
#include "service/token/api_key.h"
#include "service/token/clock.h"
#include "service/token/crypto.h"
#include "service/token/jwt.h"
#include "service/token/jwt_verifier.h"
#include "service/token/status_macros.h"
#include "service/token/token_kind.h"

namespace captoken::cli {
namespace {

// Reads --issued-at / --at: the time they give, or now. A one-shot command
// reads the clock once either way.
absl::Time TimeFromFlag(int64_t unix_seconds) {
  return unix_seconds < 0 ? absl::Now() : absl::FromUnixSeconds(unix_seconds);
}

// Signs --request as a `Request` as of --issued-at through the server's own
// sequence (mint/sign_request.h), with the library's default limits, which
// are the server's defaults: a server with a default config signs and
// refuses the same requests (caller policies aside), with the same
// messages. `read_key(request, checked)` reads the secret, once the request
// has passed every check: a refused request reads none.
template <typename Request, typename ReadKey>
absl::StatusOr<std::string> SignRequestFlag(ReadKey read_key) {
  CAPTOKEN_ASSIGN_OR_RETURN(Request request, ParseRequestFlag<Request>());
  const token::FixedClock clock(TimeFromFlag(absl::GetFlag(FLAGS_issued_at)));
  CAPTOKEN_ASSIGN_OR_RETURN(
      mint::SignedRequest signed_request,
      mint::SignRequest(request, {.clock = &clock}, [&](const auto& checked) {
        return read_key(request, checked);
      }));
  return std::move(signed_request.token.token);
}

// Capability and TaskRouter tokens: the account's auth token.
template <typename Request>
absl::StatusOr<std::string> SignWithAuthToken() {
  absl::optional<token::HmacSha256Key> key;
  return SignRequestFlag<Request>(
      [&](const Request&,
          const auto&) -> absl::StatusOr<const token::HmacSha256Key*> {
        CAPTOKEN_ASSIGN_OR_RETURN(token::HmacSha256Key read,
                                  ReadAuthTokenKey());
        return &key.emplace(std::move(read));
      });
}

// Access Tokens: the API key the request names.
absl::StatusOr<std::string> SignWithApiKey() {
  absl::optional<token::ApiKey> key;
  return SignRequestFlag<v1::AccessTokenRequest>(
      [&](const v1::AccessTokenRequest& request,
          const token::CheckedAccessToken&)
          -> absl::StatusOr<const token::ApiKey*> {
        // The server may pick a key; here the caller holds one secret and
        // must say whose it is.
        if (request.api_key_sid().empty()) {
          return absl::InvalidArgumentError(
              "api_key_sid: required to sign locally (the key whose secret "
              "--api-key-secret-env or --api-key-secret-file gives)");
        }
        CAPTOKEN_ASSIGN_OR_RETURN(token::ApiKey read,
                                  ReadApiKey(request.api_key_sid()));
        return &key.emplace(std::move(read));
      });
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
  return PrintSigned(args, "sign capability",
                     &SignWithAuthToken<v1::CapabilityRequest>);
}

int RunSignTaskRouter(const std::vector<std::string>& args) {
  return PrintSigned(args, "sign taskrouter",
                     &SignWithAuthToken<v1::TaskRouterRequest>);
}

int RunSignAccess(const std::vector<std::string>& args) {
  return PrintSigned(args, "sign access", &SignWithApiKey);
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
