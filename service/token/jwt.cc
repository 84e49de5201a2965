#include "service/token/jwt.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "service/token/internal/ascii_scan.h"
#include "service/token/internal/base64url.h"
#include "service/token/verification_failure.h"

namespace captoken::token {
namespace {

// Base64url of a 32-byte MAC: ceil(32 * 8 / 6) characters, no padding.
constexpr size_t kEncodedMacSize =
    internal::Base64UrlEncodedSize(sizeof(HmacSha256Key::Mac));
static_assert(kEncodedMacSize == 43);

absl::string_view MacBytes(const HmacSha256Key::Mac& mac) {
  return absl::string_view(reinterpret_cast<const char*>(mac.data()),
                           mac.size());
}

absl::Status BadSignature() {
  return VerificationError(VerificationFailure::kBadSignature,
                           "signature does not match");
}

absl::StatusOr<std::string> DecodeSegment(absl::string_view segment,
                                          absl::string_view what) {
  absl::StatusOr<std::string> decoded =
      internal::StrictBase64UrlDecode(segment);
  if (!decoded.ok()) {
    return VerificationError(
        VerificationFailure::kMalformed,
        absl::StrCat(what, ": ", decoded.status().message()));
  }
  return decoded;
}

absl::StatusOr<JsonValue> ParseObject(absl::string_view json,
                                      absl::string_view what) {
  absl::StatusOr<JsonValue> value = ParseJson(json);
  if (!value.ok()) {
    return VerificationError(
        VerificationFailure::kMalformed,
        absl::StrCat(what, ": ", value.status().message()));
  }
  if (!value->is_object()) {
    return VerificationError(VerificationFailure::kMalformed,
                             absl::StrCat(what, ": not a JSON object"));
  }
  return value;
}

// The MAC check itself: the signature segment must be the base64url of the
// MAC, compared in constant time (a stack buffer: no allocation per token).
bool MacMatches(const JwtSegments& segments, const HmacSha256Key& key) {
  HmacSha256Key::Mac mac = key.Compute(segments.signing_input);
  char expected[kEncodedMacSize];
  internal::WriteBase64Url(MacBytes(mac), expected);
  const bool matches = ConstantTimeEquals(
      absl::string_view(expected, sizeof(expected)), segments.signature);
  // The expected MAC is a valid signature for whatever input arrived, a
  // forged token's included: it must not outlive the comparison in memory
  // that anything else could read.
  WipeMemory(mac.data(), mac.size());
  WipeMemory(expected, sizeof(expected));
  return matches;
}

}  // namespace

absl::string_view Hs256HeaderBase64(Profile profile) {
  switch (profile) {
    case Profile::kTwilioPython:
      return kPythonHeaderBase64;
    case Profile::kTwilioPython6:
      return kPython6HeaderBase64;
    case Profile::kTwilioNode:
    case Profile::kTwilioPython7:
      break;
  }
  return kNodeHeaderBase64;
}

std::string SignHs256Jwt(absl::string_view encoded_header,
                         absl::string_view payload_json,
                         const HmacSha256Key& key) {
  std::string token;
  token.reserve(encoded_header.size() + 2 + (payload_json.size() + 2) / 3 * 4 +
                kEncodedMacSize);
  token.append(encoded_header.data(), encoded_header.size());
  token.push_back('.');
  internal::AppendBase64Url(payload_json, &token);
  const HmacSha256Key::Mac mac = key.Compute(token);
  token.push_back('.');
  internal::AppendBase64Url(MacBytes(mac), &token);
  return token;
}

absl::StatusOr<JwtSegments> SplitCompactJwt(absl::string_view token,
                                            size_t max_bytes) {
  if (token.size() > max_bytes) {
    return VerificationError(
        VerificationFailure::kTooLarge,
        absl::StrCat("token longer than ", max_bytes, " bytes"));
  }
  // FindByte, not find(): this Abseil's find() is out of line, and
  // splitting is a tenth of checking a token's MAC.
  const size_t first_dot = internal::FindByte(token, '.');
  const size_t second_dot = first_dot == absl::string_view::npos
                                ? absl::string_view::npos
                                : internal::FindByte(token, '.', first_dot + 1);
  if (second_dot == absl::string_view::npos ||
      internal::FindByte(token, '.', second_dot + 1) !=
          absl::string_view::npos) {
    return VerificationError(VerificationFailure::kMalformed,
                             "token does not have three segments");
  }
  JwtSegments segments;
  segments.signing_input = token.substr(0, second_dot);
  segments.header = token.substr(0, first_dot);
  segments.payload = token.substr(first_dot + 1, second_dot - first_dot - 1);
  segments.signature = token.substr(second_dot + 1);
  if (segments.header.empty() || segments.payload.empty() ||
      segments.signature.empty()) {
    return VerificationError(VerificationFailure::kMalformed,
                             "token has an empty segment");
  }
  return segments;
}

absl::Status VerifyHs256Mac(const JwtSegments& segments,
                            const HmacSha256Key& key) {
  return MacMatches(segments, key) ? absl::OkStatus() : BadSignature();
}

absl::StatusOr<DecodedJwt> DecodeJwt(const JwtSegments& segments) {
  DecodedJwt jwt;
  absl::StatusOr<std::string> header = DecodeSegment(segments.header, "header");
  if (!header.ok()) return header.status();
  absl::StatusOr<std::string> payload =
      DecodeSegment(segments.payload, "payload");
  if (!payload.ok()) return payload.status();
  jwt.header_json = *std::move(header);
  jwt.payload_json = *std::move(payload);

  absl::StatusOr<JsonValue> parsed_header =
      ParseObject(jwt.header_json, "header");
  if (!parsed_header.ok()) return parsed_header.status();
  absl::StatusOr<JsonValue> parsed_payload =
      ParseObject(jwt.payload_json, "payload");
  if (!parsed_payload.ok()) return parsed_payload.status();
  jwt.header = *std::move(parsed_header);
  jwt.payload = *std::move(parsed_payload);
  return jwt;
}

absl::Status AuthenticateHs256JwtPayload(
    absl::string_view token, absl::Span<const HmacSha256Key* const> keys,
    size_t max_token_bytes,
    absl::Span<const absl::string_view> allowed_header_extras,
    std::string* payload_json, std::string* header_json) {
  absl::StatusOr<JwtSegments> segments =
      SplitCompactJwt(token, max_token_bytes);
  if (!segments.ok()) return segments.status();
  bool mac_matches = false;
  for (const HmacSha256Key* key : keys) {
    if (MacMatches(*segments, *key)) {
      mac_matches = true;
      break;
    }
  }
  if (!mac_matches) return BadSignature();

  if (segments->header == kNodeHeaderBase64) {
    if (header_json != nullptr) *header_json = std::string(kNodeHeaderJson);
  } else if (segments->header == kPythonHeaderBase64) {
    if (header_json != nullptr) *header_json = std::string(kPythonHeaderJson);
  } else if (segments->header == kPython6HeaderBase64) {
    if (header_json != nullptr) *header_json = std::string(kPython6HeaderJson);
  } else {
    absl::StatusOr<std::string> header =
        DecodeSegment(segments->header, "header");
    if (!header.ok()) return header.status();
    absl::StatusOr<JsonValue> parsed = ParseObject(*header, "header");
    if (!parsed.ok()) return parsed.status();
    absl::Status header_status =
        CheckHs256Header(*parsed, allowed_header_extras);
    if (!header_status.ok()) return header_status;
    if (header_json != nullptr) *header_json = *std::move(header);
  }
  if (absl::Status status =
          internal::StrictBase64UrlDecodeInto(segments->payload, payload_json);
      !status.ok()) {
    return VerificationError(VerificationFailure::kMalformed,
                             absl::StrCat("payload: ", status.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<JsonValue> ParseJwtPayload(absl::string_view payload_json) {
  return ParseObject(payload_json, "payload");
}

absl::StatusOr<AuthenticatedJwt> AuthenticateHs256Jwt(
    absl::string_view token, absl::Span<const HmacSha256Key* const> keys,
    size_t max_token_bytes,
    absl::Span<const absl::string_view> allowed_header_extras) {
  AuthenticatedJwt jwt;
  if (absl::Status status = AuthenticateHs256JwtPayload(
          token, keys, max_token_bytes, allowed_header_extras,
          &jwt.payload_json, &jwt.header_json);
      !status.ok()) {
    return status;
  }
  absl::StatusOr<JsonValue> payload = ParseJwtPayload(jwt.payload_json);
  if (!payload.ok()) return payload.status();
  jwt.payload = *std::move(payload);
  return jwt;
}

absl::Status CheckHs256Header(
    const JsonValue& header,
    absl::Span<const absl::string_view> allowed_extras) {
  const JsonValue* alg = header.Find("alg");
  if (alg == nullptr || !alg->is_string() || alg->text() != "HS256") {
    return VerificationError(VerificationFailure::kUnsupportedHeader,
                             "header: alg is not HS256");
  }
  for (size_t i = 0; i < header.member_names().size(); ++i) {
    const std::string& name = header.member_names()[i];
    const JsonValue& value = header.member_values()[i];
    if (name == "alg") continue;
    if (name == "typ") {
      if (!value.is_string() || value.text() != "JWT") {
        return VerificationError(VerificationFailure::kUnsupportedHeader,
                                 "header: typ is not JWT");
      }
      continue;
    }
    if (name == "crit") {
      return VerificationError(VerificationFailure::kUnsupportedHeader,
                               "header: crit is not supported");
    }
    bool allowed = false;
    for (absl::string_view extra : allowed_extras) allowed |= name == extra;
    if (!allowed) {
      return VerificationError(VerificationFailure::kUnsupportedHeader,
                               "header: unexpected member");
    }
  }
  return absl::OkStatus();
}

}  // namespace captoken::token
