// File: base64url.h
// -----------------------------------------------------------------------------
//
// Base64url without padding (RFC 4648 §5), as JWTs use it (RFC 7515 §2).
// Encoding appends; decoding is strict, so that one token has exactly one
// spelling.
//
// Example:
//
//   std::string token = "eyJ...";
//   AppendBase64Url(payload_json, &token);
//   CAPTOKEN_ASSIGN_OR_RETURN(std::string payload,
//                             StrictBase64UrlDecode(segment));

#ifndef CAPTOKEN_SERVICE_TOKEN_BASE64URL_H_
#define CAPTOKEN_SERVICE_TOKEN_BASE64URL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace captoken::token {

// AppendBase64Url appends the unpadded base64url encoding of `data` to `out`.
void AppendBase64Url(absl::string_view data, std::string* out);

// StrictBase64UrlDecode decodes unpadded base64url. It refuses anything a
// conforming encoder would not have produced: a character outside
// [A-Za-z0-9_-] (including '=' padding and whitespace), an impossible length,
// and non-zero bits after the last full byte. Those rules mean a signature
// cannot be re-spelt into a second valid token.
//
// Fails with INVALID_ARGUMENT; the message never quotes the input.
absl::StatusOr<std::string> StrictBase64UrlDecode(absl::string_view encoded);

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_BASE64URL_H_
