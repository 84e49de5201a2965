// File: signing_limits.h
// -----------------------------------------------------------------------------
//
// SigningLimits bound what a request may ask for, for every token kind, and
// ResolveLifetime turns a requested lifetime (a ttl, an expire_time or
// neither) into the expiry a token signed at `now` carries.
//
// Example:
//
//   SigningLimits limits;
//   limits.max_ttl = absl::Hours(8);
//   CAPTOKEN_ASSIGN_OR_RETURN(
//       absl::Time expire_time,
//       ResolveLifetime(spec.ttl, spec.expire_time, clock.Now(), limits));

#ifndef CAPTOKEN_SERVICE_TOKEN_SIGNING_LIMITS_H_
#define CAPTOKEN_SERVICE_TOKEN_SIGNING_LIMITS_H_

#include <cstddef>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace captoken::token {

// SigningLimits bound a request. The defaults are the server's defaults.
struct SigningLimits {
  // Scopes in one capability token.
  size_t max_scopes = 16;
  // Parameters (or filters) in one capability scope.
  size_t max_params_per_scope = 32;
  // Bytes in one client name, identity, parameter key or value, URL, or
  // any other text field.
  size_t max_text_bytes = 512;
  // Bytes in the finished token. Tokens travel in URLs and headers.
  size_t max_token_bytes = 8192;
  // Lifetime when a request names none (the SDKs' default).
  absl::Duration default_ttl = absl::Hours(1);
  // Longest lifetime; Twilio documents 24 hours as its maximum.
  absl::Duration max_ttl = absl::Hours(24);
  // Policies in one TaskRouter token. Python's defaults plus every optional
  // extra come to 14.
  size_t max_policies = 64;
  // Filters in one TaskRouter policy's query_filter or post_filter.
  size_t max_filters_per_policy = 32;
  // Grants in one Access Token request (repeats of a kind included).
  size_t max_grants = 16;
  // JSON copied verbatim into a token (voice parameters, a playback grant,
  // a filter's constraint): nesting depth, counting the outermost value as
  // 1, and the number of values in all.
  size_t max_json_depth = 8;
  size_t max_json_values = 256;
};

// ResolveLifetime returns when a token signed at `now` expires: `now` plus
// `ttl` (or `limits.default_ttl` when neither is set), or `expire_time`.
// Times are whole seconds, truncated as the SDKs truncate them.
//
// Fails with INVALID_ARGUMENT if both `ttl` and `expire_time` are set, or if
// the lifetime is not a whole number of seconds, is not positive, or exceeds
// `limits.max_ttl`. Messages name the field ("ttl" or "expire_time").
absl::StatusOr<absl::Time> ResolveLifetime(
    const std::optional<absl::Duration>& ttl,
    const std::optional<absl::Time>& expire_time, absl::Time now,
    const SigningLimits& limits);

// CheckLifetimeSetAtMostOnce fails with INVALID_ARGUMENT if both `ttl` and
// `expire_time` are set. ResolveLifetime checks it too; validators that run
// without a clock call it directly.
absl::Status CheckLifetimeSetAtMostOnce(
    const std::optional<absl::Duration>& ttl,
    const std::optional<absl::Time>& expire_time);

// CheckTokenSize fails with INVALID_ARGUMENT if the finished `token` is
// longer than `limits.max_token_bytes`. The message names `field`, the part
// of the request that made it long ("scopes", "grants", "policies").
absl::Status CheckTokenSize(absl::string_view token, absl::string_view field,
                            const SigningLimits& limits);

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_SIGNING_LIMITS_H_
