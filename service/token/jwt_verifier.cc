#include "service/token/jwt_verifier.h"

#include <utility>

#include "service/token/field_validation.h"
#include "service/token/status_macros.h"

namespace captoken::token {
namespace {

constexpr absl::Duration kMaxLeeway = absl::Minutes(10);

}  // namespace

absl::StatusOr<JwtVerifier> JwtVerifier::Create(Options options) {
  if (options.clock == nullptr) {
    return absl::InvalidArgumentError("clock: required");
  }
  if (options.leeway < absl::ZeroDuration() || options.leeway > kMaxLeeway) {
    return absl::InvalidArgumentError("leeway: must be between 0 and 10 min");
  }
  if (options.max_token_bytes == 0) {
    return absl::InvalidArgumentError("max_token_bytes: must be positive");
  }
  return JwtVerifier(options);
}

absl::StatusOr<JwtVerifier> JwtVerifier::CreateForAccount(
    Options options, absl::string_view expected_account_sid) {
  if (!expected_account_sid.empty() && !IsSid("AC", expected_account_sid)) {
    return absl::InvalidArgumentError(
        "expected_account_sid: must be \"AC\" followed by 32 hex digits");
  }
  return Create(options);
}

absl::StatusOr<VerifiedJwt> JwtVerifier::Verify(
    absl::string_view token,
    absl::Span<const HmacSha256Key* const> keys) const {
  CAPTOKEN_ASSIGN_OR_RETURN(VerifiedJwt verified,
                            Authenticate(token, keys, kTwilioHeaderExtras));
  CAPTOKEN_RETURN_IF_ERROR(CheckTimes(verified.times));
  return verified;
}

absl::StatusOr<VerifiedJwt> JwtVerifier::Authenticate(
    absl::string_view token, absl::Span<const HmacSha256Key* const> keys,
    absl::Span<const absl::string_view> allowed_header_extras) const {
  CAPTOKEN_ASSIGN_OR_RETURN(
      AuthenticatedJwt jwt,
      AuthenticateHs256Jwt(token, keys, options_.max_token_bytes,
                           allowed_header_extras));
  CAPTOKEN_ASSIGN_OR_RETURN(internal::TimeClaims times,
                            internal::ReadTimeClaims(jwt.payload));
  return VerifiedJwt{std::move(jwt), times};
}

absl::Status JwtVerifier::AuthenticatePayload(
    absl::string_view token, absl::Span<const HmacSha256Key* const> keys,
    absl::Span<const absl::string_view> allowed_header_extras,
    std::string* payload_json) const {
  return AuthenticateHs256JwtPayload(token, keys, options_.max_token_bytes,
                                     allowed_header_extras, payload_json);
}

absl::Status JwtVerifier::CheckTimes(const internal::TimeClaims& times) const {
  return internal::CheckTimeClaims(times, options_.clock->Now(),
                                   options_.leeway);
}

}  // namespace captoken::token
