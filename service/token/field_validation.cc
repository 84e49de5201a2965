#include "service/token/field_validation.h"

#include "absl/strings/str_cat.h"
#include "service/token/internal/ascii_scan.h"
#include "service/token/internal/utf8.h"

namespace captoken::token {
namespace {

bool IsControl(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

}  // namespace

bool IsSid(absl::string_view prefix, absl::string_view value) {
  constexpr size_t kHexDigits = 32;
  if (value.size() != prefix.size() + kHexDigits) return false;
  if (value.substr(0, prefix.size()) != prefix) return false;
  const absl::string_view digits = value.substr(prefix.size());
  return internal::HexRunLength(digits) == digits.size();
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
  // Most text (client names, parameters) is printable ASCII, found whole
  // in a few block compares; anything else is decoded.
  if (internal::IsPrintableAscii(value)) return absl::OkStatus();
  size_t pos = 0;
  while (pos < value.size()) {
    if (static_cast<unsigned char>(value[pos]) >= 0x20 &&
        static_cast<unsigned char>(value[pos]) < 0x7F) {
      ++pos;  // Printable ASCII: the common case.
      continue;
    }
    const char32_t c = internal::DecodeUtf8(value, &pos);
    if (c == internal::kInvalidUtf8)
      return absl::InvalidArgumentError("not valid UTF-8");
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
