// Fuzzes the path of a request: proto3 JSON -> CapabilityRequest ->
// CapabilitySpec -> validation -> signing, as the CLI and the server run it.
// Whatever signs must verify with the same key and parse back to the scopes
// that were asked for (node profile keeps them as given).

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "absl/time/time.h"
#include "captoken/v1/capability.pb.h"
#include "google/protobuf/util/json_util.h"
#include "service/convert/capability_request.h"
#include "service/token/capability_signer.h"
#include "service/token/capability_verifier.h"
#include "service/token/clock.h"
#include "service/token/crypto.h"

namespace {

using ::captoken::token::HmacSha256Key;

const HmacSha256Key& Key() {
  static const HmacSha256Key* const key =
      new HmacSha256Key(*HmacSha256Key::Create("fuzz-auth-token"));
  return *key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string json(reinterpret_cast<const char*>(data), size);
  captoken::v1::CapabilityRequest request;
  if (!google::protobuf::util::JsonStringToMessage(json, &request).ok()) {
    return 0;
  }
  auto spec = captoken::convert::CapabilitySpecFromProto(
      request, captoken::token::Profile::kTwilioNode);
  if (!spec.ok()) return 0;
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  auto signed_token = captoken::token::SignCapabilityToken(
      *spec, Key(), now, captoken::token::SigningLimits());
  if (!signed_token.ok()) return 0;

  const captoken::token::FixedClock clock(now);
  captoken::token::CapabilityVerifier::Options options;
  options.jwt.clock = &clock;
  auto verifier = captoken::token::CapabilityVerifier::Create(options);
  auto verified = verifier->Verify(signed_token->token, Key());
  if (!verified.ok()) __builtin_trap();  // We signed it: it must verify.
  if (spec->profile == captoken::token::Profile::kTwilioNode &&
      !(verified->claims().scopes == spec->scopes)) {
    __builtin_trap();  // Node tokens carry the scopes exactly as given.
  }
  return 0;
}
