// File: crypto.h
// -----------------------------------------------------------------------------
//
// The token library's only door to a crypto library. Everything here is
// written against the API that OpenSSL 3 and BoringSSL share, so the library
// builds against either (`bazel test --config=boringssl //service/token/...`).
// No other file includes an OpenSSL header.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(HmacSha256Key key,
//                             HmacSha256Key::Create(secret.RevealSecretBytes()));
//   HmacSha256Key::Mac mac = key.Compute(signing_input);
//   if (!ConstantTimeEquals(expected, actual)) ...

#ifndef CAPTOKEN_SERVICE_TOKEN_CRYPTO_H_
#define CAPTOKEN_SERVICE_TOKEN_CRYPTO_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace captoken::token {

// WipeMemory overwrites `size` bytes at `data` with zeros in a way the
// compiler may not optimise away (OPENSSL_cleanse).
void WipeMemory(void* data, size_t size);

// ConstantTimeEquals reports whether `a` and `b` hold the same bytes. Its
// running time depends on the lengths but not on the contents, so comparing
// a MAC with it leaks nothing about where the first difference is. Lengths
// are compared first (they are not secret).
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

// Sha256Digest is a SHA-256 hash.
using Sha256Digest = std::array<uint8_t, 32>;

// Sha256 hashes `data`.
Sha256Digest Sha256(absl::string_view data);

// HmacSha256Key is a key for HMAC-SHA256 (RFC 2104), prepared once so that
// each MAC costs only the hashing of the message.
//
// Preparing means hashing the padded key's inner and outer blocks up front,
// as BoringSSL's and OpenSSL's HMAC contexts do, and keeping both SHA-256
// states. Those states are as sensitive as the key itself: they are wiped
// when the key is destroyed, and the class has no way to print them. A key is
// immutable after Create(), so one key may sign on many threads at once.
class HmacSha256Key {
 public:
  using Mac = std::array<uint8_t, 32>;

  // Create prepares a key from the raw secret bytes (for Twilio, the UTF-8
  // bytes of the auth token or API key secret, used as they are).
  //
  // Fails with INVALID_ARGUMENT if `secret` is empty.
  static absl::StatusOr<HmacSha256Key> Create(absl::string_view secret);

  HmacSha256Key(HmacSha256Key&&) noexcept;
  HmacSha256Key& operator=(HmacSha256Key&&) noexcept;
  HmacSha256Key(const HmacSha256Key&) = delete;
  HmacSha256Key& operator=(const HmacSha256Key&) = delete;
  ~HmacSha256Key();

  // Compute returns HMAC-SHA256(key, message).
  Mac Compute(absl::string_view message) const;

 private:
  struct PreparedState;
  struct StateDeleter {
    void operator()(PreparedState* state) const;
  };

  explicit HmacSha256Key(std::unique_ptr<PreparedState, StateDeleter> state);

  std::unique_ptr<PreparedState, StateDeleter> state_;
};

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_CRYPTO_H_
