#include "service/token/internal/ascii_scan.h"

#include <cstring>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace captoken::token::internal {
namespace {

// The byte-at-a-time definition the fast scan must agree with.
size_t ReferenceLength(const std::string& text, bool stop_at_del) {
  size_t pos = 0;
  while (pos < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[pos]);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\' ||
        (stop_at_del && c == 0x7F)) {
      break;
    }
    ++pos;
  }
  return pos;
}

TEST(PlainRunLength, EmptyIsZero) { EXPECT_EQ(PlainRunLength("", false), 0u); }

TEST(PlainRunLength, AllPlainIsTheWholeLength) {
  const std::string plain = "scope:client:incoming?clientName=alice%20b~(x)";
  EXPECT_EQ(PlainRunLength(plain, false), plain.size());
  EXPECT_EQ(PlainRunLength(plain, true), plain.size());
}

TEST(PlainRunLength, DelStopsOnlyWhenAsked) {
  const std::string text = "abcdefghij\x7Fklm";
  EXPECT_EQ(PlainRunLength(text, false), text.size());
  EXPECT_EQ(PlainRunLength(text, true), 10u);
}

// Every byte value at every position of a 20-byte and a 45-byte string (so
// that the 16-byte blocks, the eight-byte loop and the tail each see it),
// against the reference.
TEST(PlainRunLength, AgreesWithTheByteAtATimeDefinition) {
  for (int byte = 0; byte < 256; ++byte) {
    for (size_t length : {20, 45}) {
      for (size_t position = 0; position < length; ++position) {
        std::string text(length, 'a');
        text[position] = static_cast<char>(byte);
        for (bool stop_at_del : {false, true}) {
          ASSERT_EQ(PlainRunLength(text, stop_at_del),
                    ReferenceLength(text, stop_at_del))
              << "byte " << byte << " at " << position << " of " << length;
        }
      }
    }
  }
}

// IsAllPlain against the same definition, every byte value at every
// position of every length up to 40: the lengths cover each way it loads a
// string (bytes, two overlapping words of 4 or 8, blocks and a last block
// that overlaps the one before).
TEST(IsAllPlain, AgreesWithTheByteAtATimeDefinition) {
  for (size_t length = 0; length <= 40; ++length) {
    for (bool stop_at_del : {false, true}) {
      const std::string plain(length, 'a');
      ASSERT_TRUE(IsAllPlain(plain, stop_at_del)) << length;
      for (size_t position = 0; position < length; ++position) {
        for (int byte = 0; byte < 256; ++byte) {
          std::string text = plain;
          text[position] = static_cast<char>(byte);
          ASSERT_EQ(IsAllPlain(text, stop_at_del),
                    ReferenceLength(text, stop_at_del) == length)
              << "byte " << byte << " at " << position << " of " << length;
        }
      }
    }
  }
}

// IsPrintableAscii against its definition, every byte value at every
// position of every length up to 40, as IsAllPlain above.
TEST(IsPrintableAscii, AgreesWithTheByteAtATimeDefinition) {
  for (size_t length = 0; length <= 40; ++length) {
    const std::string printable(length, '~');
    ASSERT_TRUE(IsPrintableAscii(printable)) << length;
    for (size_t position = 0; position < length; ++position) {
      for (int byte = 0; byte < 256; ++byte) {
        std::string text = printable;
        text[position] = static_cast<char>(byte);
        ASSERT_EQ(IsPrintableAscii(text), byte >= 0x20 && byte <= 0x7E)
            << "byte " << byte << " at " << position << " of " << length;
      }
    }
  }
}

// IsAllPlain reads only the string's own bytes: each length is checked in a
// heap block of exactly that size, where AddressSanitizer (`./dev test` runs
// every test under it too) reports any read past the end.
TEST(IsAllPlain, ReadsNothingPastTheEnd) {
  for (size_t length = 0; length <= 40; ++length) {
    std::unique_ptr<char[]> exact(new char[length == 0 ? 1 : length]);
    std::memset(exact.get(), 'a', length);
    EXPECT_TRUE(IsAllPlain(absl::string_view(exact.get(), length), false));
    EXPECT_TRUE(IsPrintableAscii(absl::string_view(exact.get(), length)));
  }
}

// FormPlainRunLength against its byte-at-a-time definition, every byte value
// at every position, as above.
TEST(FormPlainRunLength, AgreesWithTheByteAtATimeDefinition) {
  for (int byte = 0; byte < 256; ++byte) {
    for (size_t length : {20, 45}) {
      for (size_t position = 0; position < length; ++position) {
        std::string text(length, 'a');
        text[position] = static_cast<char>(byte);
        const bool stops = byte >= 0x80 || byte == '%' || byte == '+';
        ASSERT_EQ(FormPlainRunLength(text), stops ? position : text.size())
            << "byte " << byte << " at " << position << " of " << length;
      }
    }
  }
}

TEST(FormPlainRunLength, EmptyIsZero) { EXPECT_EQ(FormPlainRunLength(""), 0u); }

TEST(FindByte, FindsTheFirstFromAPosition) {
  const absl::string_view text = "a=b&c=d&e";
  EXPECT_EQ(FindByte(text, '&'), 3u);
  EXPECT_EQ(FindByte(text, '&', 3), 3u);
  EXPECT_EQ(FindByte(text, '&', 4), 7u);
  EXPECT_EQ(FindByte(text, '&', 8), absl::string_view::npos);
  EXPECT_EQ(FindByte(text, '?'), absl::string_view::npos);
  EXPECT_EQ(FindByte(text, 'e', 9), absl::string_view::npos);
  EXPECT_EQ(FindByte(text, 'e', 100), absl::string_view::npos);
  EXPECT_EQ(FindByte("", 'a'), absl::string_view::npos);
}

TEST(HexDigitValue, IsEachHexDigitsValueAndMinusOneForAnythingElse) {
  for (int byte = 0; byte < 256; ++byte) {
    const char c = static_cast<char>(byte);
    int want = -1;
    if (byte >= '0' && byte <= '9') want = byte - '0';
    if (byte >= 'a' && byte <= 'f') want = byte - 'a' + 10;
    if (byte >= 'A' && byte <= 'F') want = byte - 'A' + 10;
    EXPECT_EQ(HexDigitValue(c), want) << byte;
  }
}

TEST(HexRunLength, AgreesWithTheByteAtATimeDefinition) {
  // Lengths around the 16-byte blocks, every byte at every position.
  for (int byte = 0; byte < 256; ++byte) {
    for (size_t length : {7, 16, 32, 45}) {
      for (size_t position = 0; position < length; ++position) {
        std::string text(length, 'F');
        for (size_t i = 0; i < length; ++i) text[i] = "0a9fA5"[i % 6];
        text[position] = static_cast<char>(byte);
        const bool stops = HexDigitValue(static_cast<char>(byte)) < 0;
        ASSERT_EQ(HexRunLength(text), stops ? position : text.size())
            << "byte " << byte << " at " << position << " of " << length;
      }
    }
  }
  EXPECT_EQ(HexRunLength(""), 0u);
}

}  // namespace
}  // namespace captoken::token::internal
