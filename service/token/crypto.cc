#include "service/token/crypto.h"

// OpenSSL 3 marks the low-level SHA256_* functions deprecated in favour of
// EVP, but they are the only SHA-256 API it shares with BoringSSL, and the
// only one whose state is a plain struct that can be copied without an
// allocation. That copy is what makes a prepared HMAC key cheap to use from
// many threads at once.
#define OPENSSL_SUPPRESS_DEPRECATED

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/status/status.h"

namespace captoken::token {

void WipeMemory(void* data, size_t size) {
  if (size != 0) OPENSSL_cleanse(data, size);
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  // OpenSSL's x86-64 CRYPTO_memcmp compares exactly 16 bytes as two words,
  // and any other length a byte at a time, about two cycles a byte: a MAC's
  // 43 characters took 26 ns, a tenth of verifying a token's MAC. So longer
  // inputs go as 16-byte chunks, the last one overlapping the one before
  // (no copies). Every chunk is compared, whatever the others hold.
  constexpr size_t kChunk = 16;
  if (a.size() < kChunk) {
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
  }
  int differs = 0;
  for (size_t pos = 0; pos < a.size(); pos += kChunk) {
    const size_t chunk = std::min(pos, a.size() - kChunk);
    differs |= CRYPTO_memcmp(a.data() + chunk, b.data() + chunk, kChunk);
  }
  return differs == 0;
}

Sha256Digest Sha256(absl::string_view data) {
  // Not the one-shot SHA256(): OpenSSL 3 implements it with EVP_Q_digest,
  // which looks the algorithm up by name on every call, and that lookup
  // cost more than the hash of a token (the server fingerprints every token
  // it mints; see docs/performance.md).
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data.data(), data.size());
  Sha256Digest digest;
  SHA256_Final(digest.data(), &ctx);
  return digest;
}

// What SHA-256 holds after absorbing one 64-byte block: its chaining value.
// The rest of a SHA256_CTX (the block buffer, the counters) is the same for
// every key at that point, so each key keeps only the two 32-byte values,
// 64 bytes rather than two 112-byte contexts: a server holding a million
// accounts' keys saves 160 bytes on each (docs/performance-notes.md, "Scale
// in accounts"). OpenSSL's and BoringSSL's SHA256_CTX both name the chaining
// value h[8] and the bit count Nl/Nh.
struct HmacSha256Key::PreparedState {
  uint32_t inner[8];  // After absorbing (key XOR ipad).
  uint32_t outer[8];  // After absorbing (key XOR opad).
};

namespace {

// A SHA-256 context as it stands after absorbing one block, whose chaining
// value is `state`.
void ResumeAfterOneBlock(const uint32_t (&state)[8], SHA256_CTX* ctx) {
  SHA256_Init(ctx);
  std::memcpy(ctx->h, state, sizeof(state));
  ctx->Nl = SHA256_CBLOCK * 8;  // Bits absorbed; Nh (the high word) stays 0.
}

// The chaining value of SHA-256 after absorbing `block`.
void ChainingValueOf(const uint8_t (&block)[SHA256_CBLOCK],
                     uint32_t (&state)[8]) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, block, sizeof(block));
  std::memcpy(state, ctx.h, sizeof(state));
  WipeMemory(&ctx, sizeof(ctx));
}

}  // namespace

void HmacSha256Key::StateDeleter::operator()(PreparedState* state) const {
  WipeMemory(state, sizeof(*state));
  delete state;
}

absl::StatusOr<HmacSha256Key> HmacSha256Key::Create(absl::string_view secret) {
  if (secret.empty()) {
    return absl::InvalidArgumentError("HMAC key must not be empty");
  }
  // RFC 2104: a key longer than the block is replaced by its hash; a shorter
  // one is padded with zeros to the block size.
  uint8_t block[SHA256_CBLOCK] = {};
  if (secret.size() > sizeof(block)) {
    SHA256(reinterpret_cast<const uint8_t*>(secret.data()), secret.size(),
           block);
  } else {
    std::memcpy(block, secret.data(), secret.size());
  }

  std::unique_ptr<PreparedState, StateDeleter> state(new PreparedState);
  uint8_t pad[SHA256_CBLOCK];
  for (size_t i = 0; i < sizeof(pad); ++i) pad[i] = block[i] ^ 0x36;
  ChainingValueOf(pad, state->inner);
  for (size_t i = 0; i < sizeof(pad); ++i) pad[i] = block[i] ^ 0x5c;
  ChainingValueOf(pad, state->outer);

  WipeMemory(block, sizeof(block));
  WipeMemory(pad, sizeof(pad));
  return HmacSha256Key(std::move(state));
}

HmacSha256Key::HmacSha256Key(std::unique_ptr<PreparedState, StateDeleter> state)
    : state_(std::move(state)) {}

HmacSha256Key::HmacSha256Key(HmacSha256Key&&) noexcept = default;
HmacSha256Key& HmacSha256Key::operator=(HmacSha256Key&&) noexcept = default;
HmacSha256Key::~HmacSha256Key() = default;

HmacSha256Key::Mac HmacSha256Key::Compute(absl::string_view message) const {
  // The prepared states are copied, never modified, so concurrent calls on
  // one key are safe. The copies hold key-derived state and are wiped.
  SHA256_CTX ctx;
  ResumeAfterOneBlock(state_->inner, &ctx);
  uint8_t inner_digest[SHA256_DIGEST_LENGTH];
  SHA256_Update(&ctx, message.data(), message.size());
  SHA256_Final(inner_digest, &ctx);

  Mac mac;
  ResumeAfterOneBlock(state_->outer, &ctx);
  SHA256_Update(&ctx, inner_digest, sizeof(inner_digest));
  SHA256_Final(mac.data(), &ctx);
  WipeMemory(&ctx, sizeof(ctx));
  WipeMemory(inner_digest, sizeof(inner_digest));
  return mac;
}

}  // namespace captoken::token
