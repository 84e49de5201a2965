// File: utf8.h
// -----------------------------------------------------------------------------
//
// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
// U+10FFFF. Every string that reaches a token passes through here first,
// because both SDK profiles encode text as UTF-8 and an invalid sequence has
// no defined encoding in either.
//
// Example:
//
//   size_t pos = 0;
//   while (pos < text.size()) {
//     char32_t c = DecodeUtf8(text, &pos);
//     if (c == kInvalidUtf8) return Error();
//   }

#ifndef CAPTOKEN_SERVICE_TOKEN_INTERNAL_UTF8_H_
#define CAPTOKEN_SERVICE_TOKEN_INTERNAL_UTF8_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace captoken::token::internal {

// kInvalidUtf8 is what DecodeUtf8 returns for a malformed sequence.
inline constexpr char32_t kInvalidUtf8 = 0xFFFFFFFF;

// DecodeUtf8 decodes the code point that starts at `*pos` and advances `*pos`
// past it. On a malformed sequence it returns kInvalidUtf8 and advances by
// one byte. Requires `*pos < text.size()`.
char32_t DecodeUtf8(absl::string_view text, size_t* pos);

// IsValidUtf8 reports whether all of `text` is well-formed UTF-8.
bool IsValidUtf8(absl::string_view text);

}  // namespace captoken::token::internal

#endif  // CAPTOKEN_SERVICE_TOKEN_INTERNAL_UTF8_H_
