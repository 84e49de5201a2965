// Fuzzes token decoding and verification: the input as a token, and the
// input signed with the test key (so the parsers behind the MAC check are
// reached too). Nothing may crash, leak or trip a sanitizer, whatever
// verifies must come back with claims that parse, and each fast path must
// agree with the general path it stands in for: the scope claim's one-pass
// parameter decoder, and the flat-object JSON reader the claims are read
// with.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/token/capability_verifier.h"
#include "service/token/clock.h"
#include "service/token/crypto.h"
#include "service/token/internal/base64url.h"
#include "service/token/internal/scope_claim.h"
#include "service/token/internal/url_encoding.h"
#include "service/token/json_value.h"
#include "service/token/jwt.h"
#include "service/token/jwt_verifier.h"

namespace {

using ::captoken::token::CapabilityClaims;
using ::captoken::token::CapabilityVerifier;
using ::captoken::token::FixedClock;
using ::captoken::token::HmacSha256Key;
using ::captoken::token::JwtVerifier;

const HmacSha256Key& Key() {
  static const HmacSha256Key* const key =
      new HmacSha256Key(*HmacSha256Key::Create("fuzz-auth-token"));
  return *key;
}

const FixedClock& Clock() {
  static const FixedClock* const clock =
      new FixedClock(absl::FromUnixSeconds(1700000000));
  return *clock;
}

void Check(absl::string_view token) {
  const HmacSha256Key* keys[] = {&Key()};
  CapabilityVerifier::Options options;
  options.jwt.clock = &Clock();
  const CapabilityVerifier verifier = *CapabilityVerifier::Create(options);
  CapabilityClaims claims;
  auto verified = verifier.Verify(token, keys, &claims);
  if (verified.ok()) {
    // A verified token's scope claim parses again to the same scopes.
    auto reparsed = captoken::token::internal::ParseScopeClaim(
        verified->claims().scope_claim);
    if (!reparsed.ok() || !(*reparsed == verified->claims().scopes)) {
      __builtin_trap();
    }
  }
  const JwtVerifier jwt_verifier = *JwtVerifier::Create({.clock = &Clock()});
  (void)jwt_verifier.Verify(token, keys);
  auto segments = captoken::token::SplitCompactJwt(token, 1 << 20);
  if (segments.ok()) (void)captoken::token::DecodeJwt(*segments);
}

// Whatever DecodeParamListFast accepts, the general path (decode the whole
// list, split it, each side already decoded by ForEachQueryPair) reads to
// the same parameters.
void CheckFastParamList(absl::string_view encoded) {
  std::vector<captoken::token::Param> fast;
  if (!captoken::token::internal::scope_claim_internal::DecodeParamListFast(
          encoded, &fast)) {
    return;
  }
  absl::StatusOr<std::string> list =
      captoken::token::internal::FormDecode(encoded);
  if (!list.ok()) __builtin_trap();
  std::vector<captoken::token::Param> general;
  const absl::Status status = captoken::token::internal::ForEachQueryPair(
      *list, [&general](absl::string_view key, absl::string_view value) {
        general.push_back({std::string(key), std::string(value)});
        return absl::OkStatus();
      });
  if (!status.ok() || !(general == fast)) __builtin_trap();
}

// Whatever ReadFlatJsonObject accepts, ParseJson parses to the same
// members.
void CheckFlatJson(absl::string_view input) {
  captoken::token::JsonMember flat[8];
  const std::optional<size_t> count =
      captoken::token::ReadFlatJsonObject(input, flat);
  if (!count.has_value()) return;
  const auto parsed = captoken::token::ParseJson(input);
  if (!parsed.ok()) __builtin_trap();
  const std::vector<captoken::token::JsonMember> views = parsed->member_views();
  if (views.size() != *count) __builtin_trap();
  for (size_t i = 0; i < *count; ++i) {
    if (views[i].name != flat[i].name || views[i].type != flat[i].type ||
        views[i].text != flat[i].text ||
        views[i].bool_value != flat[i].bool_value ||
        views[i].integer != flat[i].integer) {
      __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  Check(input);
  // The input as JSON claims under a valid header and MAC.
  std::string token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.";
  captoken::token::internal::AppendBase64Url(input, &token);
  const HmacSha256Key::Mac mac = Key().Compute(token);
  token.push_back('.');
  captoken::token::internal::AppendBase64Url(
      absl::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()),
      &token);
  Check(token);
  // And the input as a scope claim on its own, and as a parameter list.
  (void)captoken::token::internal::ParseScopeClaim(input);
  CheckFastParamList(input);
  CheckFlatJson(input);
  return 0;
}
