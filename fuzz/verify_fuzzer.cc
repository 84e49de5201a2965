// Fuzzes token decoding and verification: the input as a token, and the
// input signed with the test key (so the parsers behind the MAC check are
// reached too). Nothing may crash, leak or trip a sanitizer, whatever
// verifies must come back with claims that parse, the scope claim's
// parameter lists must read as the general query functions read them, and
// the flat-object JSON reader the claims are read with must agree with the
// full parser.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
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

// ParseScopeClaim reads a parameter list as the general query functions do
// (decode the whole list, then ForEachQueryPair over it): the same
// parameters, or an error for both.
void CheckParamList(absl::string_view encoded) {
  // '&' and ' ' would end the parameter or the scope in the claim itself.
  if (encoded.find_first_of("& ") != absl::string_view::npos) return;
  std::string claim =
      "scope:client:outgoing?appSid=AP0123456789abcdef0123456789abcdef"
      "&appParams=";
  claim.append(encoded.data(), encoded.size());
  const auto parsed = captoken::token::internal::ParseScopeClaim(claim);
  std::vector<captoken::token::Param> reference;
  absl::StatusOr<std::string> list =
      captoken::token::internal::FormDecode(encoded);
  absl::Status status = list.status();
  if (status.ok()) {
    status = captoken::token::internal::ForEachQueryPair(
        *list, [&reference](absl::string_view key, absl::string_view value) {
          reference.push_back({std::string(key), std::string(value)});
          return absl::OkStatus();
        });
  }
  if (parsed.ok() != status.ok()) __builtin_trap();
  if (parsed.ok() &&
      !(std::get<captoken::token::ClientOutgoingScope>(parsed->front())
            .params == reference)) {
    __builtin_trap();
  }
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
  CheckParamList(input);
  CheckFlatJson(input);
  return 0;
}
