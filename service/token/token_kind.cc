#include "service/token/token_kind.h"

#include "service/token/field_validation.h"
#include "service/token/json_value.h"
#include "service/token/jwt.h"
#include "service/token/status_macros.h"
#include "service/token/verification_failure.h"

namespace captoken::token {
namespace {

absl::Status Malformed(absl::string_view problem) {
  return VerificationError(VerificationFailure::kMalformed, problem);
}

// The string claim `name` if it is a SID with `prefix`, else "".
std::string SidClaim(const JsonValue& payload, absl::string_view name,
                     absl::string_view prefix) {
  const JsonValue* value = payload.Find(name);
  if (value == nullptr || !value->is_string() ||
      !IsSid(prefix, value->text())) {
    return "";
  }
  return value->text();
}

}  // namespace

absl::StatusOr<UnverifiedRouting> ReadUnverifiedRouting(
    absl::string_view token, size_t max_token_bytes) {
  CAPTOKEN_ASSIGN_OR_RETURN(JwtSegments segments,
                            SplitCompactJwt(token, max_token_bytes));
  CAPTOKEN_ASSIGN_OR_RETURN(DecodedJwt jwt, DecodeJwt(segments));
  UnverifiedRouting routing;
  if (jwt.header.Find("cty") != nullptr) {
    routing.kind = TokenKind::kAccessToken;
    routing.account_sid = SidClaim(jwt.payload, "sub", "AC");
    routing.api_key_sid = SidClaim(jwt.payload, "iss", "SK");
    if (routing.account_sid.empty()) {
      return Malformed("sub is not an account SID");
    }
    if (routing.api_key_sid.empty()) {
      return Malformed("iss is not an API key SID");
    }
    return routing;
  }
  if (jwt.payload.Find("scope") != nullptr) {
    routing.kind = TokenKind::kCapability;
  } else if (jwt.payload.Find("policies") != nullptr) {
    routing.kind = TokenKind::kTaskRouter;
  } else {
    return Malformed("not a capability, TaskRouter or Access Token");
  }
  routing.account_sid = SidClaim(jwt.payload, "iss", "AC");
  if (routing.account_sid.empty()) {
    return Malformed("iss is not an account SID");
  }
  return routing;
}

}  // namespace captoken::token
