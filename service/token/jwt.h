// File: jwt.h
// -----------------------------------------------------------------------------
//
// HS256 JSON Web Tokens in compact form (RFC 7515 §7.1, RFC 7519):
//
//   B64URL(header) "." B64URL(payload) "." B64URL(HMAC-SHA256(key, first two))
//
// Signing takes header and payload bytes exactly as a profile wrote them.
// Verification follows "verify before you parse": the token is split, its
// MAC is checked in constant time over the exact signing input, and only
// then are the header and payload decoded and parsed.
//
// Example:
//
//   std::string token = SignHs256Jwt(kNodeHeaderBase64, payload_json, key);
//
//   CAPTOKEN_ASSIGN_OR_RETURN(JwtSegments segments,
//                             SplitCompactJwt(token, max_bytes));
//   CAPTOKEN_RETURN_IF_ERROR(VerifyHs256Mac(segments, key));
//   CAPTOKEN_ASSIGN_OR_RETURN(DecodedJwt jwt, DecodeJwt(segments));

#ifndef CAPTOKEN_SERVICE_TOKEN_JWT_H_
#define CAPTOKEN_SERVICE_TOKEN_JWT_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "service/token/crypto.h"
#include "service/token/json_value.h"
#include "service/token/profile.h"

namespace captoken::token {

// The headers captoken's profiles write, as JSON and base64url: node's
// jsonwebtoken (and PyJWT 2.5+, which sorts the keys: twilio-python 7+)
// writes alg first; twilio-python 5.x's own encoder dumps the literal
// {"typ": "JWT", "alg": ...} with spaces, and PyJWT 1.x (twilio-python 6.x)
// the same dict compactly.
inline constexpr absl::string_view kNodeHeaderJson =
    R"({"alg":"HS256","typ":"JWT"})";
inline constexpr absl::string_view kPythonHeaderJson =
    R"({"typ": "JWT", "alg": "HS256"})";
inline constexpr absl::string_view kPython6HeaderJson =
    R"({"typ":"JWT","alg":"HS256"})";
inline constexpr absl::string_view kNodeHeaderBase64 =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
inline constexpr absl::string_view kPythonHeaderBase64 =
    "eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJIUzI1NiJ9";
inline constexpr absl::string_view kPython6HeaderBase64 =
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9";

// Hs256HeaderBase64 returns the base64url header a capability or
// TaskRouter token carries in `profile` (one of the constants above).
absl::string_view Hs256HeaderBase64(Profile profile);

// SignHs256Jwt returns the compact token for the already base64url-encoded
// header `encoded_header` and the payload bytes `payload_json`.
std::string SignHs256Jwt(absl::string_view encoded_header,
                         absl::string_view payload_json,
                         const HmacSha256Key& key);

// JwtSegments are views into a compact token.
struct JwtSegments {
  absl::string_view signing_input;  // header "." payload
  absl::string_view header;
  absl::string_view payload;
  absl::string_view signature;
};

// SplitCompactJwt splits `token` into its three segments without decoding
// them. The segments view `token`, which must outlive them.
//
// Fails (see verification_failure.h) with kTooLarge if `token` is longer
// than `max_bytes`, and kMalformed if it does not have exactly three
// non-empty segments.
absl::StatusOr<JwtSegments> SplitCompactJwt(absl::string_view token,
                                            size_t max_bytes);

// VerifyHs256Mac checks the signature segment against HMAC-SHA256 of the
// signing input under `key`, in constant time. The comparison is between
// base64url spellings, so a re-spelt signature (other padding bits) fails.
//
// Fails with kBadSignature.
absl::Status VerifyHs256Mac(const JwtSegments& segments,
                            const HmacSha256Key& key);

// DecodedJwt is a token's header and payload, as bytes and parsed.
struct DecodedJwt {
  std::string header_json;
  std::string payload_json;
  JsonValue header;
  JsonValue payload;
};

// DecodeJwt decodes (strict base64url) and parses (strict JSON) the header
// and payload, which must both be JSON objects. It does not check the MAC:
// call it only after VerifyHs256Mac, or to show a token to a person.
//
// Fails with kMalformed.
absl::StatusOr<DecodedJwt> DecodeJwt(const JwtSegments& segments);

// AuthenticatedJwt is a token whose MAC and header passed: the header as
// bytes (already checked), the payload as bytes and parsed.
struct AuthenticatedJwt {
  std::string header_json;
  std::string payload_json;
  JsonValue payload;
};

// AuthenticateHs256Jwt runs the steps every verifier shares, in this order:
// SplitCompactJwt, VerifyHs256Mac against each of `keys` until one matches,
// DecodeJwt, and CheckHs256Header with `allowed_header_extras`. A header
// that is byte for byte one the signer writes (either profile's) is known
// good and is not parsed again.
//
// Fails with the first step's failure.
absl::StatusOr<AuthenticatedJwt> AuthenticateHs256Jwt(
    absl::string_view token, absl::Span<const HmacSha256Key* const> keys,
    size_t max_token_bytes,
    absl::Span<const absl::string_view> allowed_header_extras);

// AuthenticateHs256JwtPayload runs AuthenticateHs256Jwt's steps up to, not
// including, parsing the payload: SplitCompactJwt, the MAC against each of
// `keys` until one matches, the header, and the payload's strict base64url,
// decoded into `*payload_json` (its contents replaced, so that a caller can
// reuse one buffer). The header's bytes go to `*header_json` unless it is
// null. For verifiers that read the usual payloads faster than ParseJson.
//
// Fails with the first step's failure, as AuthenticateHs256Jwt does.
absl::Status AuthenticateHs256JwtPayload(
    absl::string_view token, absl::Span<const HmacSha256Key* const> keys,
    size_t max_token_bytes,
    absl::Span<const absl::string_view> allowed_header_extras,
    std::string* payload_json, std::string* header_json = nullptr);

// ParseJwtPayload parses a decoded payload (strict JSON), which must be an
// object: AuthenticateHs256Jwt's last step.
//
// Fails with kMalformed.
absl::StatusOr<JsonValue> ParseJwtPayload(absl::string_view payload_json);

// CheckHs256Header checks a decoded header: `alg` must be "HS256", `typ` (if
// present) "JWT", and every other member must be named in `allowed_extras`.
// A `crit` member is always refused (RFC 7515 §4.1.11: we understand no
// extensions).
//
// Fails with kUnsupportedHeader.
absl::Status CheckHs256Header(
    const JsonValue& header,
    absl::Span<const absl::string_view> allowed_extras);

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_JWT_H_
