// File: ascii_scan.h
// -----------------------------------------------------------------------------
//
// Byte scans on the signing and verifying paths. PlainRunLength finds how
// many leading bytes of a string need no attention from a JSON writer or
// reader: printable ASCII other than '"' and '\'. FormPlainRunLength does
// the same for a form decoder. Both look at sixteen bytes at a time (SSE2,
// which every x86-64 has) or else eight (SWAR), since token strings are long
// runs of plain ASCII. FindByte finds one byte; HexDigitValue reads one hex
// digit.
//
// Example:
//
//   const size_t plain = PlainRunLength(value.substr(pos),
//   /*stop_at_del=*/false); out->append(value.data() + pos, plain);

#ifndef CAPTOKEN_SERVICE_TOKEN_INTERNAL_ASCII_SCAN_H_
#define CAPTOKEN_SERVICE_TOKEN_INTERNAL_ASCII_SCAN_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "absl/strings/string_view.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace captoken::token::internal {

#if defined(__SSE2__)
namespace ascii_scan_internal {

// The position of the first byte in the whole 16-byte blocks of `text` that
// `special` marks (it returns 0xFF for each byte of a block that stops the
// scan), or else where the last partial block starts, for the caller's
// word and byte loops. A block's mask gives the exact position, so a stop
// needs no byte loop.
template <typename Special>
size_t FirstSpecialInBlocks(absl::string_view text, Special special) {
  size_t pos = 0;
  while (pos + 16 <= text.size()) {
    const __m128i block =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + pos));
    const int mask = _mm_movemask_epi8(special(block));
    if (mask != 0) return pos + static_cast<size_t>(__builtin_ctz(mask));
    pos += 16;
  }
  return pos;
}

// The bytes of `block` that PlainRunLength stops at, as 0xFF: as signed
// bytes, those below 0x20 and those of 0x80 or above (negative) are the
// ones less than 0x20; then '"', '\\' and, if `stop_at_del`, DEL.
inline __m128i PlainStops(__m128i block, bool stop_at_del) {
  __m128i special =
      _mm_or_si128(_mm_cmplt_epi8(block, _mm_set1_epi8(0x20)),
                   _mm_or_si128(_mm_cmpeq_epi8(block, _mm_set1_epi8('"')),
                                _mm_cmpeq_epi8(block, _mm_set1_epi8('\\'))));
  if (stop_at_del) {
    special = _mm_or_si128(special, _mm_cmpeq_epi8(block, _mm_set1_epi8(0x7F)));
  }
  return special;
}

}  // namespace ascii_scan_internal
#endif

// PlainRunLength returns the length of the longest prefix of `text` with no
// byte below 0x20, no '"', no '\', no byte of 0x80 or above, and, if
// `stop_at_del`, no DEL (0x7F).
inline size_t PlainRunLength(absl::string_view text, bool stop_at_del) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  // Nonzero iff some byte of `x` is zero (exact for the test below: a false
  // positive only ever stops the fast loop early).
  auto has_zero = [](uint64_t x) { return (x - kOnes) & ~x & kHighs; };
#if defined(__SSE2__)
  size_t pos = ascii_scan_internal::FirstSpecialInBlocks(
      text, [stop_at_del](__m128i block) {
        return ascii_scan_internal::PlainStops(block, stop_at_del);
      });
#else
  size_t pos = 0;
#endif
  while (pos + 8 <= text.size()) {
    uint64_t word;
    std::memcpy(&word, text.data() + pos, sizeof(word));
    const uint64_t special =
        (word & kHighs) |                           // non-ASCII
        ((word - kOnes * 0x20) & ~word & kHighs) |  // below 0x20
        has_zero(word ^ (kOnes * '"')) | has_zero(word ^ (kOnes * '\\')) |
        (stop_at_del ? has_zero(word ^ (kOnes * 0x7F)) : 0);
    if (special != 0) break;
    pos += 8;
  }
  while (pos < text.size()) {
    const uint8_t c = static_cast<uint8_t>(text[pos]);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\' ||
        (stop_at_del && c == 0x7F)) {
      break;
    }
    ++pos;
  }
  return pos;
}

// NoByteStops is whether no byte of `text` stops a scan: `block_stops`
// marks (0xFF) each byte of a 16-byte block that does, `byte_stops` says
// it of one byte. It is for the short strings of a log line or a token's
// fields (keys, names, SIDs), which are shorter than a block or end in part
// of one: from 4 bytes up it looks at the whole string in one or a few
// block checks, two loads that overlap where the string is shorter than
// what they read together (bytes read twice are checked twice), with no
// byte loop. Below 4 bytes, or without SSE2, it goes a byte at a time.
template <typename BlockStops, typename ByteStops>
bool NoByteStops(absl::string_view text, BlockStops block_stops,
                 ByteStops byte_stops) {
  const char* const data = text.data();
  const size_t size = text.size();
#if defined(__SSE2__)
  if (size >= 16) {
    __m128i stops = _mm_setzero_si128();
    for (size_t pos = 0; pos + 16 <= size; pos += 16) {
      stops = _mm_or_si128(stops,
                           block_stops(_mm_loadu_si128(
                               reinterpret_cast<const __m128i*>(data + pos))));
    }
    stops = _mm_or_si128(
        stops, block_stops(_mm_loadu_si128(
                   reinterpret_cast<const __m128i*>(data + size - 16))));
    return _mm_movemask_epi8(stops) == 0;
  }
  if (size >= 8) {
    uint64_t head, tail;
    std::memcpy(&head, data, sizeof(head));
    std::memcpy(&tail, data + size - 8, sizeof(tail));
    return _mm_movemask_epi8(block_stops(_mm_set_epi64x(
               static_cast<int64_t>(tail), static_cast<int64_t>(head)))) == 0;
  }
  if (size >= 4) {
    uint32_t head, tail;
    std::memcpy(&head, data, sizeof(head));
    std::memcpy(&tail, data + size - 4, sizeof(tail));
    return _mm_movemask_epi8(block_stops(_mm_set_epi32(
               static_cast<int>(tail), static_cast<int>(head),
               static_cast<int>(tail), static_cast<int>(head)))) == 0;
  }
#endif
  bool none = true;
  for (size_t i = 0; i < size; ++i) {
    none &= !byte_stops(static_cast<uint8_t>(data[i]));
  }
  return none;
}

// IsAllPlain is PlainRunLength(text, stop_at_del) == text.size(), for the
// short strings a log line is made of (NoByteStops).
inline bool IsAllPlain(absl::string_view text, bool stop_at_del) {
  return NoByteStops(
      text,
#if defined(__SSE2__)
      [stop_at_del](__m128i block) {
        return ascii_scan_internal::PlainStops(block, stop_at_del);
      },
#else
      nullptr,
#endif
      [stop_at_del](uint8_t c) {
        return c < 0x20 || c >= 0x80 || c == '"' || c == '\\' ||
               (stop_at_del && c == 0x7F);
      });
}

// IsPrintableAscii is whether every byte of `text` is printable ASCII
// (0x20 to 0x7E): text that field validation (field_validation.h) need not
// decode. A token's client names and parameters are checked this way.
inline bool IsPrintableAscii(absl::string_view text) {
  return NoByteStops(
      text,
#if defined(__SSE2__)
      [](__m128i block) {
        // As signed bytes, those below 0x20 and those of 0x80 or above
        // (negative) are the ones less than 0x20; then DEL.
        return _mm_or_si128(_mm_cmplt_epi8(block, _mm_set1_epi8(0x20)),
                            _mm_cmpeq_epi8(block, _mm_set1_epi8(0x7F)));
      },
#else
      nullptr,
#endif
      [](uint8_t c) { return c < 0x20 || c >= 0x7F; });
}

// FormPlainRunLength returns the length of the longest prefix of `text`
// that form-decoding (url_encoding.h) copies as it is and that needs no
// UTF-8 check: ASCII other than '%' and '+'. A block at a time, like
// PlainRunLength: the scope claim is decoded for every token verified.
inline size_t FormPlainRunLength(absl::string_view text) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  auto has_zero = [](uint64_t x) { return (x - kOnes) & ~x & kHighs; };
#if defined(__SSE2__)
  // Non-ASCII bytes are the negative ones as signed bytes.
  size_t pos =
      ascii_scan_internal::FirstSpecialInBlocks(text, [](__m128i block) {
        return _mm_or_si128(
            _mm_cmplt_epi8(block, _mm_setzero_si128()),
            _mm_or_si128(_mm_cmpeq_epi8(block, _mm_set1_epi8('%')),
                         _mm_cmpeq_epi8(block, _mm_set1_epi8('+'))));
      });
#else
  size_t pos = 0;
#endif
  while (pos + 8 <= text.size()) {
    uint64_t word;
    std::memcpy(&word, text.data() + pos, sizeof(word));
    const uint64_t special = (word & kHighs) | has_zero(word ^ (kOnes * '%')) |
                             has_zero(word ^ (kOnes * '+'));
    if (special != 0) break;
    pos += 8;
  }
  while (pos < text.size()) {
    const uint8_t c = static_cast<uint8_t>(text[pos]);
    if (c >= 0x80 || c == '%' || c == '+') break;
    ++pos;
  }
  return pos;
}

// FindByte is text.find(c, from) without a call into Abseil: this Abseil's
// string_view is its own class, whose find() is an out-of-line function
// that then calls memchr. The scope claim's parser finds a few bytes in
// every scope of every token verified.
inline size_t FindByte(absl::string_view text, char c, size_t from = 0) {
  if (from >= text.size()) return absl::string_view::npos;
  const void* found = std::memchr(text.data() + from, c, text.size() - from);
  return found == nullptr ? absl::string_view::npos
                          : static_cast<size_t>(
                                static_cast<const char*>(found) - text.data());
}

namespace ascii_scan_internal {

constexpr std::array<int8_t, 256> MakeHexDigitValues() {
  std::array<int8_t, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[c] = c >= '0' && c <= '9'   ? static_cast<int8_t>(c - '0')
               : c >= 'a' && c <= 'f' ? static_cast<int8_t>(c - 'a' + 10)
               : c >= 'A' && c <= 'F' ? static_cast<int8_t>(c - 'A' + 10)
                                      : int8_t{-1};
  }
  return table;
}

inline constexpr std::array<int8_t, 256> kHexDigitValues = MakeHexDigitValues();

}  // namespace ascii_scan_internal

// HexDigitValue is the value of the hex digit `c` (either case), or -1. A
// table, since percent-escapes are decoded in every scope of every token
// verified.
inline int HexDigitValue(char c) {
  return ascii_scan_internal::kHexDigitValues[static_cast<uint8_t>(c)];
}

// HexRunLength returns the length of the longest prefix of `text` that is
// hex digits (either case). Sixteen bytes at a time: verifying a token
// checks its iss (32 hex digits) this way, and the byte loop cost as much
// as splitting the token.
inline size_t HexRunLength(absl::string_view text) {
#if defined(__SSE2__)
  auto in_range = [](__m128i bytes, char low, char high) {
    return _mm_and_si128(_mm_cmpgt_epi8(bytes, _mm_set1_epi8(low - 1)),
                         _mm_cmplt_epi8(bytes, _mm_set1_epi8(high + 1)));
  };
  size_t pos =
      ascii_scan_internal::FirstSpecialInBlocks(text, [&](__m128i block) {
        // Setting bit 5 maps 'A'-'F' onto 'a'-'f' and nothing else there;
        // bytes of 0x80 and above stay negative, in no range.
        const __m128i hex = _mm_or_si128(
            in_range(block, '0', '9'),
            in_range(_mm_or_si128(block, _mm_set1_epi8(0x20)), 'a', 'f'));
        return _mm_xor_si128(hex, _mm_set1_epi8(-1));  // The non-hex bytes.
      });
#else
  size_t pos = 0;
#endif
  while (pos < text.size() && HexDigitValue(text[pos]) >= 0) ++pos;
  return pos;
}

}  // namespace captoken::token::internal

#endif  // CAPTOKEN_SERVICE_TOKEN_INTERNAL_ASCII_SCAN_H_
