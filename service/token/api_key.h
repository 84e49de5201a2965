// File: api_key.h
// -----------------------------------------------------------------------------
//
// ApiKey is a Twilio API key: its SID ("SK" + 32 hex digits) and its secret,
// prepared as an HMAC-SHA256 key. Access Tokens are signed with an API key,
// never with an account's auth token; making it its own type means a
// signer cannot be handed the wrong kind of secret by mistake.
//
// The SID is not secret: it is the token's `iss` and the prefix of its
// `jti`. The secret is kept only as a prepared HMAC state, wiped when the
// key is destroyed (see crypto.h).
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(
//       ApiKey api_key,
//       ApiKey::Create("SK00112233445566778899aabbccddeeff",
//                      secret.RevealSecretBytes()));
//   CAPTOKEN_ASSIGN_OR_RETURN(SignedToken signed_token,
//                             SignAccessToken(spec, api_key, now, limits));

#ifndef CAPTOKEN_SERVICE_TOKEN_API_KEY_H_
#define CAPTOKEN_SERVICE_TOKEN_API_KEY_H_

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/token/crypto.h"

namespace captoken::token {

class ApiKey {
 public:
  // Create prepares the key `sid` with the UTF-8 bytes of `secret`.
  //
  // Fails with INVALID_ARGUMENT if `sid` is not "SK" + 32 hex digits, or
  // `secret` is empty. Messages never contain either.
  static absl::StatusOr<ApiKey> Create(absl::string_view sid,
                                       absl::string_view secret);

  ApiKey(ApiKey&&) noexcept = default;
  ApiKey& operator=(ApiKey&&) noexcept = default;
  ApiKey(const ApiKey&) = delete;
  ApiKey& operator=(const ApiKey&) = delete;

  // sid returns the key's SID.
  const std::string& sid() const { return sid_; }

  // hmac_key returns the prepared secret.
  const HmacSha256Key& hmac_key() const { return hmac_key_; }

 private:
  ApiKey(std::string sid, HmacSha256Key hmac_key)
      : sid_(std::move(sid)), hmac_key_(std::move(hmac_key)) {}

  std::string sid_;
  HmacSha256Key hmac_key_;
};

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_API_KEY_H_
