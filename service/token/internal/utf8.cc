#include "service/token/internal/utf8.h"

#include <cstdint>
#include <cstring>

namespace captoken::token::internal {
namespace {

bool IsContinuation(uint8_t byte) { return (byte & 0xC0) == 0x80; }

}  // namespace

char32_t DecodeUtf8(absl::string_view text, size_t* pos) {
  const size_t start = *pos;
  const uint8_t lead = static_cast<uint8_t>(text[start]);
  *pos = start + 1;
  if (lead < 0x80) return lead;

  size_t length;
  char32_t code_point;
  char32_t minimum;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code_point = lead & 0x1F;
    minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code_point = lead & 0x0F;
    minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code_point = lead & 0x07;
    minimum = 0x10000;
  } else {
    return kInvalidUtf8;
  }
  if (text.size() - start < length) return kInvalidUtf8;
  for (size_t i = 1; i < length; ++i) {
    const uint8_t byte = static_cast<uint8_t>(text[start + i]);
    if (!IsContinuation(byte)) return kInvalidUtf8;
    code_point = (code_point << 6) | (byte & 0x3F);
  }
  if (code_point < minimum || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return kInvalidUtf8;
  }
  *pos = start + length;
  return code_point;
}

bool IsValidUtf8(absl::string_view text) {
  size_t pos = 0;
  // Eight ASCII bytes at a time: a word with no high bit set.
  while (pos + 8 <= text.size()) {
    uint64_t word;
    std::memcpy(&word, text.data() + pos, sizeof(word));
    if ((word & 0x8080808080808080ULL) != 0) break;
    pos += 8;
  }
  while (pos < text.size()) {
    // ASCII runs are the common case; skip them without decoding.
    if (static_cast<uint8_t>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    if (DecodeUtf8(text, &pos) == kInvalidUtf8) return false;
  }
  return true;
}

}  // namespace captoken::token::internal
