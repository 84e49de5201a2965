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
#include "captoken/v1/access_token.pb.h"
#include "captoken/v1/capability.pb.h"
#include "captoken/v1/taskrouter.pb.h"
#include "google/protobuf/util/json_util.h"
#include "service/convert/access_token_request.h"
#include "service/convert/capability_request.h"
#include "service/convert/taskrouter_request.h"
#include "service/convert/verify_token.h"
#include "service/token/access_token_signer.h"
#include "service/token/api_key.h"
#include "service/token/capability_signer.h"
#include "service/token/clock.h"
#include "service/token/crypto.h"
#include "service/token/field_validation.h"
#include "service/token/jwt_verifier.h"
#include "service/token/status_macros.h"
#include "service/token/taskrouter_signer.h"
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

// The three functions below are local_commands.cc's SignCapability,
// SignTaskRouter and SignAccess with the request and secrets passed in;
// keep them in step until service/mint offers the sequence as a function.
absl::StatusOr<std::string> SignCapability(absl::string_view json,
                                           absl::Time now,
                                           const Secrets& secrets) {
  CAPTOKEN_ASSIGN_OR_RETURN(v1::CapabilityRequest request,
                            ParseRequest<v1::CapabilityRequest>(json));
  CAPTOKEN_ASSIGN_OR_RETURN(
      token::CapabilitySpec spec,
      convert::CapabilitySpecFromProto(request, token::Profile::kTwilioPython));
  CAPTOKEN_ASSIGN_OR_RETURN(token::HmacSha256Key key,
                            token::HmacSha256Key::Create(secrets.auth_token));
  CAPTOKEN_ASSIGN_OR_RETURN(
      token::SignedToken signed_token,
      token::SignCapabilityToken(spec, key, now, token::SigningLimits()));
  return std::move(signed_token.token);
}

absl::StatusOr<std::string> SignTaskRouter(absl::string_view json,
                                           absl::Time now,
                                           const Secrets& secrets) {
  CAPTOKEN_ASSIGN_OR_RETURN(v1::TaskRouterRequest request,
                            ParseRequest<v1::TaskRouterRequest>(json));
  CAPTOKEN_ASSIGN_OR_RETURN(
      token::TaskRouterSpec spec,
      convert::TaskRouterSpecFromProto(request, token::Profile::kTwilioPython));
  CAPTOKEN_ASSIGN_OR_RETURN(token::HmacSha256Key key,
                            token::HmacSha256Key::Create(secrets.auth_token));
  absl::StatusOr<token::SignedToken> signed_token =
      token::SignTaskRouterToken(spec, key, now, token::SigningLimits());
  if (!signed_token.ok()) {
    return convert::TaskRouterStatusInRequestTerms(signed_token.status(),
                                                   request, spec);
  }
  return std::move(signed_token->token);
}

absl::StatusOr<std::string> SignAccess(absl::string_view json, absl::Time now,
                                       const Secrets& secrets) {
  CAPTOKEN_ASSIGN_OR_RETURN(v1::AccessTokenRequest request,
                            ParseRequest<v1::AccessTokenRequest>(json));
  CAPTOKEN_ASSIGN_OR_RETURN(token::AccessTokenSpec spec,
                            convert::AccessTokenSpecFromProto(
                                request, token::Profile::kTwilioPython));
  if (request.api_key_sid().empty()) {
    return absl::InvalidArgumentError("api_key_sid: required to sign locally");
  }
  if (absl::Status s = token::CheckSid("SK", request.api_key_sid()); !s.ok()) {
    return token::InField("api_key_sid", s);
  }
  CAPTOKEN_ASSIGN_OR_RETURN(
      token::ApiKey key,
      token::ApiKey::Create(request.api_key_sid(), secrets.api_key_secret));
  absl::StatusOr<token::SignedToken> signed_token =
      token::SignAccessToken(spec, key, now, token::SigningLimits());
  if (!signed_token.ok()) {
    return convert::AccessTokenStatusInRequestTerms(signed_token.status());
  }
  return std::move(signed_token->token);
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
      return SignCapability(fields[3], now, secrets);
    }
    if (fields[1] == "taskrouter") {
      return SignTaskRouter(fields[3], now, secrets);
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
