#include "service/token/signing_limits.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace captoken::token {

absl::Status CheckLifetimeSetAtMostOnce(
    const std::optional<absl::Duration>& ttl,
    const std::optional<absl::Time>& expire_time) {
  if (ttl.has_value() && expire_time.has_value()) {
    return absl::InvalidArgumentError(
        "ttl, expire_time: set at most one of them");
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::Time> ResolveLifetime(
    const std::optional<absl::Duration>& ttl,
    const std::optional<absl::Time>& expire_time, absl::Time now,
    const SigningLimits& limits) {
  if (absl::Status s = CheckLifetimeSetAtMostOnce(ttl, expire_time); !s.ok()) {
    return s;
  }
  const absl::Time issued_at = absl::FromUnixSeconds(absl::ToUnixSeconds(now));
  absl::Duration lifetime = limits.default_ttl;
  if (ttl.has_value()) {
    lifetime = *ttl;
    if (lifetime != absl::Trunc(lifetime, absl::Seconds(1))) {
      return absl::InvalidArgumentError(
          "ttl: must be a whole number of seconds");
    }
    if (lifetime <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError("ttl: must be positive");
    }
  } else if (expire_time.has_value()) {
    lifetime =
        absl::FromUnixSeconds(absl::ToUnixSeconds(*expire_time)) - issued_at;
    if (lifetime <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          "expire_time: must be after the signing time");
    }
  }
  if (lifetime > limits.max_ttl) {
    return absl::InvalidArgumentError(
        absl::StrCat(expire_time.has_value() ? "expire_time" : "ttl",
                     ": longer than the maximum lifetime of ",
                     absl::ToInt64Seconds(limits.max_ttl), " s"));
  }
  return issued_at + lifetime;
}

absl::Status CheckTokenSize(absl::string_view token, absl::string_view field,
                            const SigningLimits& limits) {
  if (token.size() <= limits.max_token_bytes) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": the token would be longer than ",
                   limits.max_token_bytes, " bytes"));
}

}  // namespace captoken::token
