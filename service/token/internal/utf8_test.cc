// Tests for utf8.h: strict UTF-8 (RFC 3629) decoding.

#include "service/token/internal/utf8.h"

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace captoken::token::internal {
namespace {

// An independent encoder, to test the decoder against every code point.
std::string EncodeUtf8(char32_t c) {
  std::string out;
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
  return out;
}

struct Decoded {
  char32_t code_point;
  size_t next;
};

Decoded DecodeAt(absl::string_view text, size_t pos) {
  const char32_t c = DecodeUtf8(text, &pos);
  return {c, pos};
}

TEST(DecodeUtf8, DecodesOneCodePointOfEachLength) {
  struct Case {
    absl::string_view bytes;
    char32_t expected;
  };
  const Case cases[] = {
      {"A", U'A'},
      {absl::string_view("\0", 1), 0},
      {"\x7F", 0x7F},
      {"\xC2\x80", 0x80},
      {"\xC3\xA9", 0xE9},  // é
      {"\xDF\xBF", 0x7FF},
      {"\xE0\xA0\x80", 0x800},
      {"\xE2\x82\xAC", 0x20AC},  // €
      {"\xE2\x80\xA8", 0x2028},
      {"\xED\x9F\xBF", 0xD7FF},  // Just below the surrogates.
      {"\xEE\x80\x80", 0xE000},  // Just above them.
      {"\xEF\xBF\xBD", 0xFFFD},
      {"\xEF\xBF\xBF", 0xFFFF},
      {"\xF0\x90\x80\x80", 0x10000},
      {"\xF0\x9F\x98\x80", 0x1F600},  // 😀
      {"\xF4\x8F\xBF\xBF", 0x10FFFF},
  };
  for (const Case& test_case : cases) {
    const Decoded decoded = DecodeAt(test_case.bytes, 0);
    EXPECT_EQ(decoded.code_point, test_case.expected)
        << "U+" << std::hex << static_cast<uint32_t>(test_case.expected);
    EXPECT_EQ(decoded.next, test_case.bytes.size());
  }
}

TEST(DecodeUtf8, DecodesEveryScalarValueAndOnlyThose) {
  for (char32_t c = 0; c <= 0x10FFFF; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    const std::string bytes = EncodeUtf8(c);
    const Decoded decoded = DecodeAt(bytes, 0);
    ASSERT_EQ(decoded.code_point, c) << static_cast<uint32_t>(c);
    ASSERT_EQ(decoded.next, bytes.size()) << static_cast<uint32_t>(c);
  }
}

TEST(DecodeUtf8, RefusesEverySurrogate) {
  for (char32_t c = 0xD800; c <= 0xDFFF; ++c) {
    const std::string bytes = EncodeUtf8(c);  // ED A0 80 .. ED BF BF
    const Decoded decoded = DecodeAt(bytes, 0);
    ASSERT_EQ(decoded.code_point, kInvalidUtf8) << static_cast<uint32_t>(c);
    ASSERT_EQ(decoded.next, 1u);
  }
}

TEST(DecodeUtf8, DecodesFromTheMiddleAndAdvancesPastOneCodePoint) {
  const absl::string_view text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";
  size_t pos = 0;
  EXPECT_EQ(DecodeUtf8(text, &pos), U'a');
  EXPECT_EQ(pos, 1u);
  EXPECT_EQ(DecodeUtf8(text, &pos), 0xE9u);
  EXPECT_EQ(pos, 3u);
  EXPECT_EQ(DecodeUtf8(text, &pos), 0x20ACu);
  EXPECT_EQ(pos, 6u);
  EXPECT_EQ(DecodeUtf8(text, &pos), 0x1F600u);
  EXPECT_EQ(pos, 10u);
  EXPECT_EQ(DecodeUtf8(text, &pos), U'z');
  EXPECT_EQ(pos, text.size());
}

struct Invalid {
  const char* name;
  absl::string_view bytes;
};

const std::vector<Invalid>& InvalidSequences() {
  static const auto* const kInvalid = new std::vector<Invalid>{
      {"lone continuation byte", "\x80"},
      {"lone last continuation byte", "\xBF"},
      {"overlong NUL", "\xC0\x80"},
      {"overlong 0x7F", "\xC1\xBF"},
      {"overlong three-byte", "\xE0\x80\x80"},
      {"overlong U+07FF", "\xE0\x9F\xBF"},
      {"overlong four-byte", "\xF0\x80\x80\x80"},
      {"overlong U+FFFF", "\xF0\x8F\xBF\xBF"},
      {"high surrogate U+D800", "\xED\xA0\x80"},
      {"low surrogate U+DFFF", "\xED\xBF\xBF"},
      {"CESU-8 surrogate pair", "\xED\xA0\xBD\xED\xB8\x80"},
      {"above U+10FFFF", "\xF4\x90\x80\x80"},
      {"F5 lead", "\xF5\x80\x80\x80"},
      {"F7 lead", "\xF7\xBF\xBF\xBF"},
      {"five-byte form", "\xF8\x88\x80\x80\x80"},
      {"six-byte form", "\xFC\x84\x80\x80\x80\x80"},
      {"FE", "\xFE"},
      {"FF", "\xFF"},
      {"truncated two-byte", "\xC3"},
      {"truncated three-byte", "\xE2\x82"},
      {"truncated four-byte", "\xF0\x9F\x98"},
      {"ASCII where a continuation should be", "\xC3\x41"},
      {"lead where a continuation should be", "\xE2\xC3\xA9"},
      {"missing last continuation", "\xF0\x9F\x98\x41"},
  };
  return *kInvalid;
}

TEST(DecodeUtf8, RefusesMalformedSequencesAndAdvancesOneByte) {
  for (const Invalid& invalid : InvalidSequences()) {
    SCOPED_TRACE(invalid.name);
    const Decoded decoded = DecodeAt(invalid.bytes, 0);
    EXPECT_EQ(decoded.code_point, kInvalidUtf8);
    EXPECT_EQ(decoded.next, 1u);
  }
}

TEST(DecodeUtf8, ResynchronisesAfterAnInvalidByte) {
  const absl::string_view text =
      "\xC3"
      "A";
  size_t pos = 0;
  EXPECT_EQ(DecodeUtf8(text, &pos), kInvalidUtf8);
  EXPECT_EQ(pos, 1u);
  EXPECT_EQ(DecodeUtf8(text, &pos), U'A');
  EXPECT_EQ(pos, 2u);
}

TEST(IsValidUtf8, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ASCII, with punctuation!"));
  EXPECT_TRUE(IsValidUtf8(absl::string_view("nul\0inside", 10)));
  EXPECT_TRUE(IsValidUtf8("Jos\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));
  EXPECT_TRUE(
      IsValidUtf8("\xEF\xBB\xBF"
                  "BOM is a code point"));
}

TEST(IsValidUtf8, RefusesAnyMalformedSequenceAnywhere) {
  for (const Invalid& invalid : InvalidSequences()) {
    SCOPED_TRACE(invalid.name);
    const std::string bytes(invalid.bytes);
    EXPECT_FALSE(IsValidUtf8(bytes));
    EXPECT_FALSE(IsValidUtf8("prefix " + bytes));
    EXPECT_FALSE(IsValidUtf8(bytes + " suffix"));
    EXPECT_FALSE(IsValidUtf8("\xC3\xA9" + bytes + "\xC3\xA9"));
  }
}

TEST(IsValidUtf8, RefusesATruncatedSequenceAtTheEnd) {
  const std::string text = "caf\xC3\xA9";
  EXPECT_TRUE(IsValidUtf8(text));
  EXPECT_FALSE(IsValidUtf8(text.substr(0, text.size() - 1)));
  const std::string emoji = "\xF0\x9F\x98\x80";
  for (size_t length = 1; length < emoji.size(); ++length) {
    EXPECT_FALSE(IsValidUtf8(emoji.substr(0, length))) << length;
  }
}

}  // namespace
}  // namespace captoken::token::internal
