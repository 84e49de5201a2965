#include "service/token/base64url.h"

#include "absl/status/status.h"
#include "absl/strings/escaping.h"

namespace captoken::token {
namespace {

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '_';
}

}  // namespace

void AppendBase64Url(absl::string_view data, std::string* out) {
  std::string encoded;
  absl::WebSafeBase64Escape(data, &encoded);
  out->append(encoded);
}

absl::StatusOr<std::string> StrictBase64UrlDecode(absl::string_view encoded) {
  for (char c : encoded) {
    if (!IsBase64UrlChar(c)) {
      return absl::InvalidArgumentError(
          "not base64url: a character outside [A-Za-z0-9_-]");
    }
  }
  if (encoded.size() % 4 == 1) {
    return absl::InvalidArgumentError("not base64url: impossible length");
  }
  std::string decoded;
  if (!absl::WebSafeBase64Unescape(encoded, &decoded)) {
    return absl::InvalidArgumentError("not base64url");
  }
  // absl ignores the bits below the last full byte; a canonical encoding has
  // them zero, which re-encoding checks.
  if (absl::WebSafeBase64Escape(decoded) != encoded) {
    return absl::InvalidArgumentError("not base64url: non-canonical encoding");
  }
  return decoded;
}

}  // namespace captoken::token
