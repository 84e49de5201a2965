#include "service/token/internal/base64url.h"

#include <array>
#include <cstdint>
#include <cstring>

#include "absl/base/config.h"
#include "absl/status/status.h"

#if defined(__x86_64__)
#include <tmmintrin.h>
#endif

namespace captoken::token::internal {
namespace {

// Written out rather than delegated to absl::WebSafeBase64Escape/Unescape:
// tokens are built by appending in place (absl only writes whole strings),
// and strict decoding needs the unused trailing bits, which absl ignores.
// base64url_test checks both directions against Abseil.

constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr uint8_t kInvalid = 0xFF;

// Every 12-bit value as its two characters, so that encoding writes three
// bytes as two table lookups (8 KiB, built at compile time).
constexpr std::array<char, 2 * 4096> MakePairTable() {
  std::array<char, 2 * 4096> table{};
  for (int i = 0; i < 4096; ++i) {
    table[2 * i] = kAlphabet[i >> 6];
    table[2 * i + 1] = kAlphabet[i & 0x3F];
  }
  return table;
}

constexpr std::array<char, 2 * 4096> kPairs = MakePairTable();

constexpr std::array<uint8_t, 256> MakeDecodeTable() {
  std::array<uint8_t, 256> table{};
  for (auto& entry : table) entry = kInvalid;
  for (uint8_t i = 0; i < 64; ++i) {
    table[static_cast<uint8_t>(kAlphabet[i])] = i;
  }
  return table;
}

constexpr std::array<uint8_t, 256> kDecode = MakeDecodeTable();

// For whole groups of four characters: one table per position, holding each
// character's six bits already shifted to where they land in the group's 24,
// so that a group decodes as four lookups OR-ed together. A character
// outside the alphabet sets bit 31 in every table, so one test finds it.
constexpr uint32_t kInvalidBit = uint32_t{1} << 31;

constexpr std::array<uint32_t, 256> MakeShiftedDecodeTable(int shift) {
  std::array<uint32_t, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[c] =
        kDecode[c] == kInvalid ? kInvalidBit : uint32_t{kDecode[c]} << shift;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kDecodeFirst = MakeShiftedDecodeTable(18);
constexpr std::array<uint32_t, 256> kDecodeSecond = MakeShiftedDecodeTable(12);
constexpr std::array<uint32_t, 256> kDecodeThird = MakeShiftedDecodeTable(6);
constexpr std::array<uint32_t, 256> kDecodeFourth = MakeShiftedDecodeTable(0);

// The 24 bits four characters carry, with kInvalidBit set if any of them is
// outside the alphabet.
uint32_t DecodeGroup(const uint8_t* src) {
  return kDecodeFirst[src[0]] | kDecodeSecond[src[1]] | kDecodeThird[src[2]] |
         kDecodeFourth[src[3]];
}

// Stores `word` most significant byte first.
void StoreBigEndian64(uint64_t word, char* dest) {
#if defined(ABSL_IS_LITTLE_ENDIAN)
  word = __builtin_bswap64(word);
#elif !defined(ABSL_IS_BIG_ENDIAN)
#error "unknown byte order"
#endif
  std::memcpy(dest, &word, sizeof(word));
}

// Built only on failure: a status with a message allocates.
absl::Status BadCharacter() {
  return absl::InvalidArgumentError(
      "not base64url: a character outside [A-Za-z0-9_-]");
}

}  // namespace

char* WriteBase64UrlPortable(absl::string_view data, char* dest) {
  const auto* src = reinterpret_cast<const uint8_t*>(data.data());
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const uint32_t bits = (src[i] << 16) | (src[i + 1] << 8) | src[i + 2];
    std::memcpy(dest, &kPairs[2 * (bits >> 12)], 2);
    std::memcpy(dest + 2, &kPairs[2 * (bits & 0xFFF)], 2);
    dest += 4;
  }
  const size_t rest = data.size() - i;
  if (rest == 1) {
    *dest++ = kAlphabet[src[i] >> 2];
    *dest++ = kAlphabet[(src[i] & 0x03) << 4];
  } else if (rest == 2) {
    const uint32_t bits = (src[i] << 8) | src[i + 1];
    *dest++ = kAlphabet[bits >> 10];
    *dest++ = kAlphabet[(bits >> 4) & 0x3F];
    *dest++ = kAlphabet[(bits & 0x0F) << 2];
  }
  return dest;
}

#if defined(__x86_64__)
namespace {

// Twelve bytes in, sixteen characters out, with SSSE3's byte shuffle
// (every x86-64 server of the last fifteen years has it, but Debian's
// baseline does not assume it, hence the check in WriteBase64Url). Each
// 32-bit lane gets the three bytes of one group, reordered so that two
// 16-bit multiplies move each 6-bit index into a byte of its own; a
// 16-entry shuffle then adds the offset from each index's range to its
// character. Signing spent about a sixth of its time here, a table lookup
// per two characters. Returns how many bytes it encoded: whole groups of
// twelve while sixteen can be loaded; WriteBase64UrlPortable does the rest.
__attribute__((target("ssse3"))) size_t WriteBlocksSsse3(const uint8_t* src,
                                                         size_t size,
                                                         char* dest) {
  const __m128i gather =
      _mm_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
  // Per range, what to add to an index to get its character: 26-51 ->
  // 'a'-'z' (row 0), 52-61 -> '0'-'9' (rows 1-10), 62 -> '-' (row 11),
  // 63 -> '_' (row 12), 0-25 -> 'A'-'Z' (row 13).
  const __m128i offsets = _mm_setr_epi8(
      'a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
      '0' - 52, '0' - 52, '0' - 52, '0' - 52, '-' - 62, '_' - 63, 'A', 0, 0);
  size_t i = 0;
  for (; i + 16 <= size; i += 12) {
    __m128i lanes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
    lanes = _mm_shuffle_epi8(lanes, gather);
    // First and third indices: masked, then shifted down by a high multiply.
    const __m128i first_third =
        _mm_mulhi_epu16(_mm_and_si128(lanes, _mm_set1_epi32(0x0FC0FC00)),
                        _mm_set1_epi32(0x04000040));
    // Second and fourth: masked, then shifted up by a low multiply.
    const __m128i second_fourth =
        _mm_mullo_epi16(_mm_and_si128(lanes, _mm_set1_epi32(0x003F03F0)),
                        _mm_set1_epi32(0x01000010));
    const __m128i indices = _mm_or_si128(first_third, second_fourth);
    // Row: 0 for 0-51, 1-12 for 52-63; then 13 for 0-25.
    __m128i row = _mm_subs_epu8(indices, _mm_set1_epi8(51));
    row = _mm_or_si128(row,
                       _mm_and_si128(_mm_cmpgt_epi8(_mm_set1_epi8(26), indices),
                                     _mm_set1_epi8(13)));
    const __m128i chars = _mm_add_epi8(indices, _mm_shuffle_epi8(offsets, row));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dest), chars);
    dest += 16;
  }
  return i;
}

bool HasSsse3() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("ssse3");
}

}  // namespace
#endif

char* WriteBase64Url(absl::string_view data, char* dest) {
#if defined(__x86_64__)
  static const bool ssse3 = HasSsse3();
  if (ssse3 && data.size() >= 16) {
    const auto* src = reinterpret_cast<const uint8_t*>(data.data());
    const size_t done = WriteBlocksSsse3(src, data.size(), dest);
    return WriteBase64UrlPortable(data.substr(done),
                                  dest + Base64UrlEncodedSize(done));
  }
#endif
  return WriteBase64UrlPortable(data, dest);
}

void AppendBase64Url(absl::string_view data, std::string* out) {
  const size_t start = out->size();
  out->resize(start + Base64UrlEncodedSize(data.size()));
  WriteBase64Url(data, &(*out)[start]);
}

absl::StatusOr<std::string> StrictBase64UrlDecode(absl::string_view encoded) {
  std::string decoded;
  if (absl::Status status = StrictBase64UrlDecodeInto(encoded, &decoded);
      !status.ok()) {
    return status;
  }
  return decoded;
}

absl::Status StrictBase64UrlDecodeInto(absl::string_view encoded,
                                       std::string* out) {
  // Four characters carry three bytes; a remainder of 1 character cannot
  // happen (it is checked after the alphabet, the likelier mistake).
  const size_t rest = encoded.size() % 4;
  out->resize(encoded.size() / 4 * 3 + (rest == 0 ? 0 : rest - 1));
  char* dest = out->data();
  const auto* src = reinterpret_cast<const uint8_t*>(encoded.data());
  // Two whole groups at a time while eight bytes of output remain: their
  // six bytes are stored as one word (the payload is decoded for every
  // token verified, and byte-by-byte stores were most of its cost). The
  // word's last two bytes are overwritten by what follows.
  char* const end = dest + out->size();
  size_t i = 0;
  for (; i + 8 <= encoded.size() && end - dest >= 8; i += 8) {
    const uint32_t high = DecodeGroup(src + i);
    const uint32_t low = DecodeGroup(src + i + 4);
    if (((high | low) & kInvalidBit) != 0) return BadCharacter();
    StoreBigEndian64((uint64_t{high} << 40) | (uint64_t{low} << 16), dest);
    dest += 6;
  }
  // Whole groups: four characters make three bytes.
  for (; i + 4 <= encoded.size(); i += 4) {
    const uint32_t bits = DecodeGroup(src + i);
    if ((bits & kInvalidBit) != 0) return BadCharacter();
    *dest++ = static_cast<char>(bits >> 16);
    *dest++ = static_cast<char>((bits >> 8) & 0xFF);
    *dest++ = static_cast<char>(bits & 0xFF);
  }
  // The last, partial group.
  uint32_t bits = 0;
  int pending_bits = 0;
  for (; i < encoded.size(); ++i) {
    const uint8_t value = kDecode[src[i]];
    if (value == kInvalid) return BadCharacter();
    bits = (bits << 6) | value;
    pending_bits += 6;
    if (pending_bits >= 8) {
      pending_bits -= 8;
      *dest++ = static_cast<char>((bits >> pending_bits) & 0xFF);
    }
  }
  if (rest == 1) {
    return absl::InvalidArgumentError("not base64url: impossible length");
  }
  // A canonical encoder leaves the bits after the last full byte zero; a
  // decoder that ignored them would accept several spellings of one token.
  if ((bits & ((1u << pending_bits) - 1)) != 0) {
    return absl::InvalidArgumentError("not base64url: non-canonical encoding");
  }
  return absl::OkStatus();
}

}  // namespace captoken::token::internal
