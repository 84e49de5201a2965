#include "service/token/field_validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "service/token/utf8.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace captoken::token {
namespace {

bool IsControl(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

// Whether every byte of `text` is a hex digit. Verifying a token checks its
// iss this way: sixteen at a time with SSE2 (every x86-64), the byte loop
// having cost as much as splitting the token.
bool AllHexDigits(absl::string_view text) {
  size_t pos = 0;
#if defined(__SSE2__)
  auto in_range = [](__m128i bytes, char low, char high) {
    return _mm_and_si128(_mm_cmpgt_epi8(bytes, _mm_set1_epi8(low - 1)),
                         _mm_cmplt_epi8(bytes, _mm_set1_epi8(high + 1)));
  };
  for (; pos + 16 <= text.size(); pos += 16) {
    const __m128i bytes =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + pos));
    // Setting bit 5 maps 'A'-'F' onto 'a'-'f' and nothing else there; bytes
    // of 0x80 and above stay negative, in no range.
    const __m128i hex = _mm_or_si128(
        in_range(bytes, '0', '9'),
        in_range(_mm_or_si128(bytes, _mm_set1_epi8(0x20)), 'a', 'f'));
    if (_mm_movemask_epi8(hex) != 0xFFFF) return false;
  }
#endif
  for (; pos < text.size(); ++pos) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(text[pos]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool IsSid(absl::string_view prefix, absl::string_view value) {
  constexpr size_t kHexDigits = 32;
  if (value.size() != prefix.size() + kHexDigits) return false;
  if (value.substr(0, prefix.size()) != prefix) return false;
  return AllHexDigits(value.substr(prefix.size()));
}

absl::Status CheckSid(absl::string_view prefix, absl::string_view value) {
  if (value.empty()) return absl::InvalidArgumentError("required");
  if (!IsSid(prefix, value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("must be \"", prefix, "\" followed by 32 hex digits"));
  }
  return absl::OkStatus();
}

absl::Status CheckText(absl::string_view value, const TextRules& rules) {
  if (value.empty()) {
    return rules.required ? absl::InvalidArgumentError("required")
                          : absl::OkStatus();
  }
  if (value.size() > rules.max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("longer than ", rules.max_bytes, " bytes"));
  }
  size_t pos = 0;
  while (pos < value.size()) {
    if (static_cast<unsigned char>(value[pos]) >= 0x20 &&
        static_cast<unsigned char>(value[pos]) < 0x7F) {
      ++pos;  // Printable ASCII: the common case.
      continue;
    }
    const char32_t c = DecodeUtf8(value, &pos);
    if (c == kInvalidUtf8) return absl::InvalidArgumentError("not valid UTF-8");
    if (IsControl(c)) {
      return absl::InvalidArgumentError("contains a control character");
    }
  }
  return absl::OkStatus();
}

absl::Status InField(absl::string_view field, const absl::Status& problem) {
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": ", problem.message()));
}

}  // namespace captoken::token
