#include "service/token/capability_signer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "service/token/internal/scope_claim.h"
#include "service/token/jwt.h"
#include "service/token/signing_limits.h"
#include "service/token/status_macros.h"

namespace captoken::token {
absl::StatusOr<CheckedCapability> CheckCapability(const CapabilitySpec& spec,
                                                  absl::Time now,
                                                  const SigningLimits& limits) {
  CAPTOKEN_RETURN_IF_ERROR(ValidateCapabilitySpec(spec, limits));
  CAPTOKEN_ASSIGN_OR_RETURN(
      absl::Time expire_time,
      ResolveLifetime(spec.ttl, spec.expire_time, now, limits));
  return CheckedCapability(
      &spec, absl::FromUnixSeconds(absl::ToUnixSeconds(now)), expire_time);
}

absl::StatusOr<SignedToken> SignCheckedCapability(
    const CheckedCapability& checked, const HmacSha256Key& key,
    const SigningLimits& limits) {
  const CapabilitySpec& spec = checked.spec();
  const absl::Time issue_time = checked.issue_time();
  const absl::Time expire_time = checked.expire_time();
  // The payload is rebuilt for every token; each thread keeps its buffer
  // (claims, never secrets) so that signing allocates only the token it
  // returns.
  thread_local std::string payload;
  payload.clear();

  // The claims are written directly rather than through JsonWriter: every
  // string in them is text JSON writes as it is, in both styles. The scope
  // claim is percent-encoded printable ASCII without '"' or '\\'
  // (scope_claim.h), and the account SID was checked to be "AC" and hex
  // digits. So the scope goes straight into the payload, with no copy.
  // capability_vectors_test holds the bytes to every profile's SDK's. Only
  // twilio-python 5.x writes spaced JSON; every profile orders the claims
  // scope, iss, exp, then node adds iat and twilio-python 6+ its nbf.
  const bool spaced = spec.profile == Profile::kTwilioPython;
  payload.append(spaced ? R"({"scope": ")" : R"({"scope":")");
  CAPTOKEN_RETURN_IF_ERROR(
      internal::AppendScopeClaim(spec.profile, spec.scopes, &payload));
  payload.append(spaced ? R"(", "iss": ")" : R"(","iss":")");
  payload.append(spec.account_sid);
  payload.append(spaced ? R"(", "exp": )" : R"(","exp":)");
  absl::StrAppend(&payload, absl::ToUnixSeconds(expire_time));
  if (spec.profile == Profile::kTwilioNode) {
    payload.append(R"(,"iat":)");
    absl::StrAppend(&payload, absl::ToUnixSeconds(issue_time));
  }
  if (WritesDefaultNotBefore(spec.profile) && !spec.omit_not_before) {
    payload.append(R"(,"nbf":)");
    absl::StrAppend(&payload, absl::ToUnixSeconds(issue_time));
  }
  payload.push_back('}');

  SignedToken signed_token{
      .token = SignHs256Jwt(Hs256HeaderBase64(spec.profile), payload, key),
      .issue_time = issue_time,
      .expire_time = expire_time,
  };
  CAPTOKEN_RETURN_IF_ERROR(
      CheckTokenSize(signed_token.token, "scopes", limits));
  return signed_token;
}

absl::StatusOr<SignedToken> SignCapabilityToken(const CapabilitySpec& spec,
                                                const HmacSha256Key& key,
                                                absl::Time now,
                                                const SigningLimits& limits) {
  CAPTOKEN_ASSIGN_OR_RETURN(CheckedCapability checked,
                            CheckCapability(spec, now, limits));
  return SignCheckedCapability(checked, key, limits);
}

}  // namespace captoken::token
