// The conformance harness's captoken side (tests/conformance/run.py): signs
// and verifies requests in process with the same conversion and signers
// `captoken sign` / `captoken verify` use (client/cli/local_commands.cc), one
// line in, one line out, so that a whole batch costs one process.
//
//   sign_driver AUTH_TOKEN API_KEY_SECRET < lines
//
// Input lines, tab-separated (JSON text holds no raw tab):
//   sign <TAB> capability|taskrouter|access <TAB> ISSUED_AT <TAB> REQUEST_JSON
//   verify <TAB> AT <TAB> TOKEN
// Output, one line each:
//   OK <TAB> TOKEN                (sign)   or   OK                (verify)
//   ERR <TAB> CODE <TAB> MESSAGE  (CODE as absl::StatusCodeToString)

#include <iostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "captoken/v1/access_token.pb.h"
#include "captoken/v1/capability.pb.h"
#include "captoken/v1/taskrouter.pb.h"
#include "google/protobuf/util/json_util.h"
#include "service/convert/verify_token.h"
#include "service/mint/sign_request.h"
#include "service/token/api_key.h"
#include "service/token/clock.h"
#include "service/token/crypto.h"
#include "service/token/jwt_verifier.h"
#include "service/token/status_macros.h"
#include "service/token/token_kind.h"

namespace captoken::conformance {
namespace {

struct Secrets {
  std::string auth_token;
  std::string api_key_secret;
};

template <typename Request>
absl::StatusOr<Request> ParseRequest(absl::string_view json) {
  Request request;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      std::string(json), &request, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("request is not a ", request.GetTypeName(),
                     " in JSON: ", status.message().as_string()));
  }
  return request;
}

// Signs as `captoken sign` does, through the sequence the server's minter
// and the CLI share (mint::SignRequest): counts, conversion, checks in the
// request's terms, then the key. `now` is the request's signing time.
template <typename Request, typename KeyFor>
absl::StatusOr<std::string> Sign(absl::string_view json, absl::Time now,
                                 KeyFor key_for) {
  CAPTOKEN_ASSIGN_OR_RETURN(Request request, ParseRequest<Request>(json));
  const token::FixedClock clock(now);
  CAPTOKEN_ASSIGN_OR_RETURN(
      mint::SignedRequest signed_request,
      mint::SignRequest(request, {.clock = &clock}, [&](const auto& checked) {
        return key_for(request, checked);
      }));
  return std::move(signed_request.token.token);
}

// Capability and TaskRouter tokens: the auth token.
template <typename Request>
absl::StatusOr<std::string> SignWithAuthToken(absl::string_view json,
                                              absl::Time now,
                                              const Secrets& secrets) {
  absl::optional<token::HmacSha256Key> key;
  return Sign<Request>(
      json, now,
      [&](const Request&,
          const auto&) -> absl::StatusOr<const token::HmacSha256Key*> {
        CAPTOKEN_ASSIGN_OR_RETURN(
            token::HmacSha256Key created,
            token::HmacSha256Key::Create(secrets.auth_token));
        return &key.emplace(std::move(created));
      });
}

// Access Tokens: the API key the request names, as `captoken sign` (which
// holds one secret) requires.
absl::StatusOr<std::string> SignAccess(absl::string_view json, absl::Time now,
                                       const Secrets& secrets) {
  absl::optional<token::ApiKey> key;
  return Sign<v1::AccessTokenRequest>(
      json, now,
      [&](const v1::AccessTokenRequest& request,
          const token::CheckedAccessToken&)
          -> absl::StatusOr<const token::ApiKey*> {
        if (request.api_key_sid().empty()) {
          return absl::InvalidArgumentError(
              "api_key_sid: required to sign locally");
        }
        CAPTOKEN_ASSIGN_OR_RETURN(
            token::ApiKey created,
            token::ApiKey::Create(request.api_key_sid(),
                                  secrets.api_key_secret));
        return &key.emplace(std::move(created));
      });
}

// As `captoken verify`: the kind read unverified picks the secret, and the
// verdict must be OK.
absl::Status Verify(absl::string_view jwt, absl::Time at,
                    const Secrets& secrets) {
  CAPTOKEN_ASSIGN_OR_RETURN(
      token::UnverifiedRouting routing,
      token::ReadUnverifiedRouting(jwt, token::kMaxVerifyTokenBytes));
  const token::FixedClock clock(at);
  const token::JwtVerifier::Options options = {
      .clock = &clock, .max_token_bytes = token::kMaxVerifyTokenBytes};
  absl::StatusOr<convert::TokenVerification> verification;
  if (routing.kind == token::TokenKind::kAccessToken) {
    CAPTOKEN_ASSIGN_OR_RETURN(
        token::ApiKey key,
        token::ApiKey::Create(routing.api_key_sid, secrets.api_key_secret));
    verification = convert::VerifyTokenOfKind(jwt, routing.kind, options, "",
                                              {.api_key = &key});
  } else {
    CAPTOKEN_ASSIGN_OR_RETURN(token::HmacSha256Key key,
                              token::HmacSha256Key::Create(secrets.auth_token));
    const token::HmacSha256Key* keys[] = {&key};
    verification = convert::VerifyTokenOfKind(jwt, routing.kind, options, "",
                                              {.auth_tokens = keys});
  }
  if (!verification.ok()) return verification.status();
  return verification->status;
}

absl::StatusOr<absl::Time> SecondsField(absl::string_view text) {
  int64_t seconds = 0;
  if (!absl::SimpleAtoi(text, &seconds)) {
    return absl::InvalidArgumentError("driver: bad time field");
  }
  return absl::FromUnixSeconds(seconds);
}

absl::StatusOr<std::string> HandleLine(absl::string_view line,
                                       const Secrets& secrets) {
  const std::vector<absl::string_view> fields =
      absl::StrSplit(line, absl::MaxSplits('\t', 3));
  if (fields.size() == 4 && fields[0] == "sign") {
    CAPTOKEN_ASSIGN_OR_RETURN(absl::Time now, SecondsField(fields[2]));
    if (fields[1] == "capability") {
      return SignWithAuthToken<v1::CapabilityRequest>(fields[3], now, secrets);
    }
    if (fields[1] == "taskrouter") {
      return SignWithAuthToken<v1::TaskRouterRequest>(fields[3], now, secrets);
    }
    if (fields[1] == "access") return SignAccess(fields[3], now, secrets);
  } else if (fields.size() == 3 && fields[0] == "verify") {
    CAPTOKEN_ASSIGN_OR_RETURN(absl::Time at, SecondsField(fields[1]));
    CAPTOKEN_RETURN_IF_ERROR(Verify(fields[2], at, secrets));
    return std::string();
  }
  // A harness bug, not a verdict: stop rather than answer.
  std::cerr << "sign_driver: malformed line: " << line << "\n";
  std::exit(2);
}

}  // namespace
}  // namespace captoken::conformance

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: sign_driver AUTH_TOKEN API_KEY_SECRET < lines\n";
    return 2;
  }
  const captoken::conformance::Secrets secrets = {argv[1], argv[2]};
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    absl::StatusOr<std::string> result =
        captoken::conformance::HandleLine(line, secrets);
    if (result.ok()) {
      std::cout << "OK";
      if (!result->empty()) std::cout << '\t' << *result;
      std::cout << '\n';
    } else {
      // One line per answer whatever the message holds.
      std::cout << "ERR\t" << absl::StatusCodeToString(result.status().code())
                << '\t'
                << absl::StrReplaceAll(result.status().message(),
                                       {{"\n", " "}, {"\t", " "}})
                << '\n';
    }
  }
  return 0;
}
