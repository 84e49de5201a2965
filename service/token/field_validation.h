// File: field_validation.h
// -----------------------------------------------------------------------------
//
// Checks for the fields of a token request. A check returns INVALID_ARGUMENT
// with a message that states the rule broken ("required", "not valid
// UTF-8"), never the value, so it is safe to return to a caller and to log.
// InField() then names the field, which callers build only on failure so that
// the success path allocates nothing.
//
// Example:
//
//   if (absl::Status s = CheckSid("AC", sid); !s.ok()) {
//     return InField("account_sid", s);   // "account_sid: required"
//   }

#ifndef CAPTOKEN_SERVICE_TOKEN_FIELD_VALIDATION_H_
#define CAPTOKEN_SERVICE_TOKEN_FIELD_VALIDATION_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace captoken::token {

// IsSid reports whether `value` is `prefix` (two capital letters, such as
// "AC") followed by 32 hexadecimal digits, the shape of every Twilio SID.
bool IsSid(absl::string_view prefix, absl::string_view value);

// CheckSid fails if `value` is empty or not IsSid(prefix, value).
absl::Status CheckSid(absl::string_view prefix, absl::string_view value);

struct TextRules {
  size_t max_bytes = 512;
  bool required = true;
};

// CheckText fails unless `value` is valid UTF-8 without control characters
// (U+0000-U+001F, U+007F-U+009F), at most `rules.max_bytes` long, and
// non-empty when `rules.required`.
absl::Status CheckText(absl::string_view value, const TextRules& rules);

// InField returns INVALID_ARGUMENT "<field>: <problem's message>".
absl::Status InField(absl::string_view field, const absl::Status& problem);

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_FIELD_VALIDATION_H_
