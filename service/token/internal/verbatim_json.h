// File: verbatim_json.h
// -----------------------------------------------------------------------------
//
// JSON that a caller supplies and a token carries as it is: Access Token
// voice parameters and playback grants, TaskRouter filter constraints. The
// SDKs copy such objects into the claims untouched (twilio-node through
// JSON.stringify, twilio-python through json.dumps), so we do too, in the
// profile's JSON style and in the caller's member order.
//
// CheckVerbatimJson decides what may be copied. Everything JSON can say is
// allowed except what the two profiles would write differently or what no
// SDK could have been given:
//
//   * numbers must be integers within +/-(2^53 - 1): JavaScript and Python
//     print fractions and exponents differently, and larger integers are
//     not exact in JavaScript;
//   * an object may not repeat a member name (neither language can);
//   * strings and names must be valid UTF-8, names non-empty; control
//     characters are allowed in values (JSON escapes them);
//   * depth, value count and text length are bounded.
//
// Failures name the place with `{i}` for an object's i-th member and `[i]`
// for an array's i-th element (both from 0), never quoting names or values:
// "grants[0].voice.outgoing_application_params{2}[1]: not an integer".
//
// Example:
//
//   CAPTOKEN_RETURN_IF_ERROR(CheckVerbatimJson(
//       "player", grant.grant, VerbatimJsonRules::From(limits)));
//   writer.Key("player");
//   AppendVerbatimJson(grant.grant, &writer);

#ifndef CAPTOKEN_SERVICE_TOKEN_INTERNAL_VERBATIM_JSON_H_
#define CAPTOKEN_SERVICE_TOKEN_INTERNAL_VERBATIM_JSON_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "service/token/internal/json_writer.h"
#include "service/token/json_value.h"
#include "service/token/signing_limits.h"

namespace captoken::token::internal {

// The largest integer JavaScript represents exactly: 2^53 - 1.
inline constexpr int64_t kMaxSafeJsonInteger = (int64_t{1} << 53) - 1;

struct VerbatimJsonRules {
  // Nesting depth; a scalar or an empty container is depth 1.
  size_t max_depth = 8;
  // Values in all, containers included.
  size_t max_values = 256;
  // Bytes in one string or member name.
  size_t max_text_bytes = 512;

  // From returns the rules `limits` imply.
  static VerbatimJsonRules From(const SigningLimits& limits) {
    return {.max_depth = limits.max_json_depth,
            .max_values = limits.max_json_values,
            .max_text_bytes = limits.max_text_bytes};
  }
};

// CheckVerbatimJson checks `value` against the rules above. `field` is the
// path of the value in the request, prefixed to every message.
//
// Fails with INVALID_ARGUMENT naming the first offending place.
absl::Status CheckVerbatimJson(absl::string_view field, const JsonValue& value,
                               const VerbatimJsonRules& rules);

// AppendVerbatimJson writes `value`, which must have passed
// CheckVerbatimJson, as the next value of `writer`.
void AppendVerbatimJson(const JsonValue& value, JsonWriter* writer);

}  // namespace captoken::token::internal

#endif  // CAPTOKEN_SERVICE_TOKEN_INTERNAL_VERBATIM_JSON_H_
