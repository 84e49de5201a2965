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

#ifndef CAPTOKEN_SERVICE_TOKEN_INTERNAL_BASE64URL_H_
#define CAPTOKEN_SERVICE_TOKEN_INTERNAL_BASE64URL_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace captoken::token::internal {

// AppendBase64Url appends the unpadded base64url encoding of `data` to `out`.
void AppendBase64Url(absl::string_view data, std::string* out);

// Base64UrlEncodedSize returns the length of the unpadded base64url
// encoding of `size` bytes: ceil(size * 4 / 3).
constexpr size_t Base64UrlEncodedSize(size_t size) {
  return (size * 4 + 2) / 3;
}

// WriteBase64Url writes the unpadded base64url encoding of `data` to `dest`,
// which must have room for Base64UrlEncodedSize(data.size()) characters, and
// returns the end of what it wrote. For fixed-size data (a MAC) it needs no
// string.
char* WriteBase64Url(absl::string_view data, char* dest);

// WriteBase64UrlPortable is WriteBase64Url without SIMD: what it runs where
// the CPU lacks SSSE3, and for the last bytes of every input. Tests compare
// the two.
char* WriteBase64UrlPortable(absl::string_view data, char* dest);

// StrictBase64UrlDecode decodes unpadded base64url. It refuses anything a
// conforming encoder would not have produced: a character outside
// [A-Za-z0-9_-] (including '=' padding and whitespace), an impossible length,
// and non-zero bits after the last full byte. Those rules mean a signature
// cannot be re-spelt into a second valid token.
//
// Fails with INVALID_ARGUMENT; the message never quotes the input.
absl::StatusOr<std::string> StrictBase64UrlDecode(absl::string_view encoded);

// StrictBase64UrlDecodeInto is StrictBase64UrlDecode into `*out`, replacing
// its contents, so that a caller can reuse one buffer. On failure `*out`
// holds no meaningful bytes.
absl::Status StrictBase64UrlDecodeInto(absl::string_view encoded,
                                       std::string* out);

}  // namespace captoken::token::internal

#endif  // CAPTOKEN_SERVICE_TOKEN_INTERNAL_BASE64URL_H_
