// File: ascii_scan.h
// -----------------------------------------------------------------------------
//
// PlainRunLength finds how many leading bytes of a string need no attention
// from a JSON writer or reader: printable ASCII other than '"' and '\'. It
// looks at eight bytes at a time (SWAR), since token strings are long runs
// of plain ASCII and this scan sits on the signing and verifying paths.
//
// Example:
//
//   const size_t plain = PlainRunLength(value.substr(pos),
//   /*stop_at_del=*/false); out->append(value.data() + pos, plain);

#ifndef CAPTOKEN_SERVICE_TOKEN_ASCII_SCAN_H_
#define CAPTOKEN_SERVICE_TOKEN_ASCII_SCAN_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "absl/strings/string_view.h"

namespace captoken::token {

// PlainRunLength returns the length of the longest prefix of `text` with no
// byte below 0x20, no '"', no '\', no byte of 0x80 or above, and, if
// `stop_at_del`, no DEL (0x7F).
inline size_t PlainRunLength(absl::string_view text, bool stop_at_del) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  // Nonzero iff some byte of `x` is zero (exact for the test below: a false
  // positive only ever stops the fast loop early).
  auto has_zero = [](uint64_t x) { return (x - kOnes) & ~x & kHighs; };
  size_t pos = 0;
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

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_ASCII_SCAN_H_
