// Fuzzes the path of a request: proto3 JSON -> request message -> spec ->
// validation -> signing, as the CLI and the server run it, for each kind
// the input parses as (CapabilityRequest, TaskRouterRequest,
// AccessTokenRequest). Whatever signs must verify with the same key and
// read back as it was asked for: node capability tokens keep their scopes,
// TaskRouter tokens their policies, Access Tokens their identity.

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "absl/time/time.h"
#include "captoken/v1/access_token.pb.h"
#include "captoken/v1/capability.pb.h"
#include "captoken/v1/taskrouter.pb.h"
#include "google/protobuf/util/json_util.h"
#include "service/convert/access_token_request.h"
#include "service/convert/capability_request.h"
#include "service/convert/taskrouter_request.h"
#include "service/token/access_token_signer.h"
#include "service/token/access_token_verifier.h"
#include "service/token/api_key.h"
#include "service/token/capability_signer.h"
#include "service/token/capability_verifier.h"
#include "service/token/clock.h"
#include "service/token/crypto.h"
#include "service/token/taskrouter_signer.h"
#include "service/token/taskrouter_verifier.h"

namespace {

using ::captoken::token::HmacSha256Key;

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

const HmacSha256Key& Key() {
  static const HmacSha256Key* const key =
      new HmacSha256Key(*HmacSha256Key::Create("fuzz-auth-token"));
  return *key;
}

const captoken::token::ApiKey& ApiKey() {
  static const captoken::token::ApiKey* const key =
      new captoken::token::ApiKey(*captoken::token::ApiKey::Create(
          "SK0123456789abcdef0123456789abcdef", "fuzz-api-key-secret"));
  return *key;
}

const captoken::token::FixedClock& Clock() {
  static const captoken::token::FixedClock* const clock =
      new captoken::token::FixedClock(kNow);
  return *clock;
}

template <typename Message>
bool Parse(const std::string& json, Message* message) {
  return google::protobuf::util::JsonStringToMessage(json, message).ok();
}

void FuzzCapability(const std::string& json) {
  captoken::v1::CapabilityRequest request;
  if (!Parse(json, &request)) return;
  auto spec = captoken::convert::CapabilitySpecFromProto(
      request, captoken::token::Profile::kTwilioNode);
  if (!spec.ok()) return;
  auto signed_token = captoken::token::SignCapabilityToken(
      *spec, Key(), kNow, captoken::token::SigningLimits());
  if (!signed_token.ok()) return;

  captoken::token::CapabilityVerifier::Options options;
  options.jwt.clock = &Clock();
  auto verifier = captoken::token::CapabilityVerifier::Create(options);
  auto verified = verifier->Verify(signed_token->token, Key());
  if (!verified.ok()) __builtin_trap();  // We signed it: it must verify.
  if (spec->profile == captoken::token::Profile::kTwilioNode &&
      !(verified->claims().scopes == spec->scopes)) {
    __builtin_trap();  // Node tokens carry the scopes exactly as given.
  }
}

void FuzzTaskRouter(const std::string& json) {
  captoken::v1::TaskRouterRequest request;
  if (!Parse(json, &request)) return;
  auto spec = captoken::convert::TaskRouterSpecFromProto(
      request, captoken::token::Profile::kTwilioNode);
  if (!spec.ok()) return;
  auto signed_token = captoken::token::SignTaskRouterToken(
      *spec, Key(), kNow, captoken::token::SigningLimits());
  if (!signed_token.ok()) return;

  auto verifier =
      captoken::token::TaskRouterVerifier::Create({.jwt = {.clock = &Clock()}});
  auto verified = verifier->Verify(signed_token->token, Key());
  if (!verified.ok()) __builtin_trap();
  if (!(verified->claims().policies == spec->policies) ||
      verified->claims().channel_id != spec->channel_id) {
    __builtin_trap();  // Policies come back in order, as given.
  }
}

void FuzzAccessToken(const std::string& json) {
  captoken::v1::AccessTokenRequest request;
  if (!Parse(json, &request)) return;
  auto spec = captoken::convert::AccessTokenSpecFromProto(
      request, captoken::token::Profile::kTwilioNode);
  if (!spec.ok()) return;
  auto signed_token = captoken::token::SignAccessToken(
      *spec, ApiKey(), kNow, captoken::token::SigningLimits());
  if (!signed_token.ok()) return;

  auto verifier = captoken::token::AccessTokenVerifier::Create(
      {.jwt = {.clock = &Clock(), .leeway = absl::ZeroDuration()}});
  captoken::token::AccessTokenClaims claims;
  auto verified = verifier->Verify(signed_token->token, ApiKey(), &claims);
  // A not_before in the future is the one legitimate refusal.
  if (!verified.ok() &&
      !(spec->not_before.has_value() && *spec->not_before > kNow)) {
    __builtin_trap();
  }
  if (claims.identity != spec->identity ||
      claims.account_sid != spec->account_sid) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string json(reinterpret_cast<const char*>(data), size);
  FuzzCapability(json);
  FuzzTaskRouter(json);
  FuzzAccessToken(json);
  return 0;
}
