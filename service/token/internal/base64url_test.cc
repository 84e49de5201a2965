// Tests for base64url.h: unpadded base64url (RFC 4648 §5) and its strict
// decoder, which accepts exactly one spelling of each byte string.

#include "service/token/internal/base64url.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace captoken::token::internal {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Encode(absl::string_view data) {
  std::string out;
  AppendBase64Url(data, &out);
  return out;
}

std::string AllByteValues() {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  return bytes;
}

// RFC 4648 §10, without the padding.
struct KnownAnswer {
  absl::string_view decoded;
  absl::string_view encoded;
};
constexpr KnownAnswer kRfc4648[] = {
    {"", ""},
    {"f", "Zg"},
    {"fo", "Zm8"},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg"},
    {"fooba", "Zm9vYmE"},
    {"foobar", "Zm9vYmFy"},
};

TEST(AppendBase64Url, EncodesTheRfc4648TestVectorsWithoutPadding) {
  for (const KnownAnswer& answer : kRfc4648) {
    EXPECT_EQ(Encode(answer.decoded), answer.encoded) << answer.decoded;
  }
}

TEST(AppendBase64Url, UsesTheUrlSafeAlphabet) {
  // Standard base64 would write "+/8" and "//8=".
  EXPECT_EQ(Encode("\xfb\xff"), "-_8");
  EXPECT_EQ(Encode("\xff\xff"), "__8");
  EXPECT_EQ(Encode("\xfb\xef\xbe"), "----");
  EXPECT_EQ(Encode("\xff\xff\xff"), "____");
}

TEST(AppendBase64Url, EncodesTheNodeHeader) {
  EXPECT_EQ(Encode(R"({"alg":"HS256","typ":"JWT"})"),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
}

TEST(AppendBase64Url, AppendsToWhatIsAlreadyThere) {
  std::string out = "header.";
  AppendBase64Url("foo", &out);
  EXPECT_EQ(out, "header.Zm9v");
  AppendBase64Url("", &out);
  EXPECT_EQ(out, "header.Zm9v");
}

TEST(AppendBase64Url, NeverWritesPaddingOrCharactersOutsideTheAlphabet) {
  const std::string bytes = AllByteValues();
  for (size_t length = 0; length <= bytes.size(); ++length) {
    const std::string encoded = Encode(bytes.substr(0, length));
    EXPECT_EQ(encoded.size(), (length * 4 + 2) / 3) << length;
    EXPECT_EQ(encoded.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "abcdefghijklmnopqrstuvwxyz"
                                        "0123456789-_"),
              std::string::npos)
        << length;
  }
}

// Bytes that differ from each other and from their neighbours' patterns,
// so that a byte or index out of place shows.
std::string MixedBytes(size_t size) {
  std::string bytes;
  uint32_t state = 0x9E3779B9;
  for (size_t i = 0; i < size; ++i) {
    state = state * 1664525 + 1013904223;
    bytes.push_back(static_cast<char>(state >> 24));
  }
  return bytes;
}

// Where the CPU has SSSE3, WriteBase64Url encodes whole blocks with it and
// the rest portably; every length and start (block boundaries fall
// everywhere) must give the portable encoder's characters, and Abseil's.
TEST(WriteBase64Url, AgreesWithThePortableEncoderAndAbseil) {
  const std::string bytes = MixedBytes(400) + AllByteValues();
  for (size_t start = 0; start < 16; ++start) {
    for (size_t length = 0; start + length <= 200; ++length) {
      const absl::string_view data =
          absl::string_view(bytes).substr(start, length);
      std::string fast(Base64UrlEncodedSize(length) + 1, '*');
      std::string portable = fast;
      const char* fast_end = WriteBase64Url(data, fast.data());
      const char* portable_end = WriteBase64UrlPortable(data, portable.data());
      ASSERT_EQ(fast_end - fast.data(),
                static_cast<ptrdiff_t>(length * 4 + 2) / 3)
          << start << "+" << length;
      ASSERT_EQ(portable_end - portable.data(), fast_end - fast.data());
      ASSERT_EQ(fast, portable) << start << "+" << length;
      ASSERT_EQ(fast.back(), '*') << "wrote past the end";
      fast.pop_back();
      ASSERT_EQ(fast, absl::WebSafeBase64Escape(data))
          << start << "+" << length;
    }
  }
  // Every byte value, at every position of a group, in long inputs.
  const std::string all = AllByteValues() + AllByteValues() + AllByteValues();
  for (size_t start = 0; start < 3; ++start) {
    const absl::string_view data = absl::string_view(all).substr(start);
    EXPECT_EQ(Encode(data), absl::WebSafeBase64Escape(data)) << start;
  }
}

TEST(StrictBase64UrlDecode, DecodesTheRfc4648TestVectors) {
  for (const KnownAnswer& answer : kRfc4648) {
    ASSERT_OK_AND_ASSIGN(std::string decoded,
                         StrictBase64UrlDecode(answer.encoded));
    EXPECT_EQ(decoded, answer.decoded);
  }
}

TEST(StrictBase64UrlDecode, RoundTripsEveryLengthAndByteValue) {
  const std::string bytes = AllByteValues() + AllByteValues();
  for (size_t start = 0; start < 3; ++start) {
    for (size_t length = 0; length + start <= bytes.size(); ++length) {
      const std::string data = bytes.substr(start, length);
      ASSERT_OK_AND_ASSIGN(std::string decoded,
                           StrictBase64UrlDecode(Encode(data)));
      ASSERT_EQ(decoded, data) << start << "+" << length;
    }
  }
}

TEST(StrictBase64UrlDecode, DecodesTheUrlSafeAlphabet) {
  ASSERT_OK_AND_ASSIGN(std::string decoded, StrictBase64UrlDecode("-_8"));
  EXPECT_EQ(decoded, "\xfb\xff");
}

TEST(StrictBase64UrlDecode, EmptyInputIsEmpty) {
  ASSERT_OK_AND_ASSIGN(std::string decoded, StrictBase64UrlDecode(""));
  EXPECT_EQ(decoded, "");
}

struct Malformed {
  const char* name;
  std::string encoded;
  const char* problem;  // A substring of the message.
};

std::vector<Malformed> MalformedInputs() {
  return {
      {"padding", "Zg==", "outside"},
      {"one pad char", "Zm8=", "outside"},
      {"padding on a full block", "Zm9v====", "outside"},
      {"standard-alphabet plus", "-+8", "outside"},
      {"standard-alphabet slash", "_/8", "outside"},
      {"space", "Zm9v Zm9v", "outside"},
      {"leading space", " Zm9v", "outside"},
      {"newline", "Zm9v\nZm9v", "outside"},
      {"carriage return", "Zm9v\r", "outside"},
      {"tab", "\tZm9v", "outside"},
      {"dot", "Zm9v.Zm9v", "outside"},
      {"NUL byte", std::string("Zm\0v", 4), "outside"},
      {"non-ASCII", "Zm9v\xC3\xA9", "outside"},
      {"percent", "Zm9%76", "outside"},
      {"one character", "Z", "impossible length"},
      {"five characters", "Zm9vY", "impossible length"},
      {"nine characters", "Zm9vYmFyZ", "impossible length"},
      {"non-zero bits after one byte", "Zh", "not base64url"},
      {"non-zero bits after one byte, high", "Zv", "not base64url"},
      {"non-zero bits after two bytes", "Zm9", "not base64url"},
      {"non-zero bits after two bytes, last", "Zm_", "not base64url"},
      {"non-zero bits after five bytes", "Zm9vYmF", "not base64url"},
  };
}

TEST(StrictBase64UrlDecode, RefusesEverySpellingAnEncoderWouldNotProduce) {
  for (const Malformed& input : MalformedInputs()) {
    SCOPED_TRACE(input.name);
    absl::StatusOr<std::string> decoded = StrictBase64UrlDecode(input.encoded);
    EXPECT_THAT(decoded, StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr(input.problem)));
    EXPECT_THAT(decoded, StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("not base64url")));
  }
}

// A character outside the alphabet at every position of a long input, so
// that the two-group loop, the one-group loop and the last partial group
// each see one.
TEST(StrictBase64UrlDecode, RefusesABadCharacterAtEveryPosition) {
  const std::string valid = Encode(AllByteValues().substr(0, 35));
  ASSERT_THAT(StrictBase64UrlDecode(valid), IsOk());
  for (char bad : {'=', '+', '/', '.', ' ', '\0', '\xC3'}) {
    for (size_t position = 0; position < valid.size(); ++position) {
      std::string encoded = valid;
      encoded[position] = bad;
      EXPECT_THAT(
          StrictBase64UrlDecode(encoded),
          StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("outside")))
          << "byte " << static_cast<int>(bad) << " at " << position;
    }
  }
}

TEST(StrictBase64UrlDecode, NonCanonicalTrailingBitsAreNamedAsSuch) {
  EXPECT_THAT(
      StrictBase64UrlDecode("Zh"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("non-canonical")));
}

TEST(StrictBase64UrlDecode, EveryOtherSpellingOfTheLastCharacterIsRefused) {
  // "Zg" is "f"; of the 64 possible second characters only 'g' has zero
  // trailing bits. Likewise for two bytes ("Zm8" is "fo"): 16 of 64 are
  // canonical, one of which spells "fo".
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  int accepted_one_byte = 0;
  int accepted_two_bytes = 0;
  for (char c : alphabet) {
    if (StrictBase64UrlDecode(std::string("Z") + c).ok()) ++accepted_one_byte;
    if (StrictBase64UrlDecode(std::string("Zm") + c).ok()) {
      ++accepted_two_bytes;
    }
  }
  EXPECT_EQ(accepted_one_byte, 4);    // 'A', 'Q', 'g', 'w'.
  EXPECT_EQ(accepted_two_bytes, 16);  // Multiples of 4.
  EXPECT_THAT(StrictBase64UrlDecode("Zg"), IsOk());
  EXPECT_THAT(StrictBase64UrlDecode("Zm8"), IsOk());
}

TEST(StrictBase64UrlDecode, MessageNeverQuotesTheInput) {
  const std::string secretish = "c2VjcmV0LXRva2VuLXZhbHVl";
  for (const std::string& input :
       {secretish + "=", secretish + "+", secretish + "Z", secretish + "Zh",
        secretish + " "}) {
    absl::StatusOr<std::string> decoded = StrictBase64UrlDecode(input);
    ASSERT_FALSE(decoded.ok()) << input;
    EXPECT_THAT(std::string(decoded.status().message()),
                Not(HasSubstr(secretish)));
    EXPECT_THAT(std::string(decoded.status().message()),
                Not(HasSubstr("c2Vj")));
  }
}

}  // namespace
}  // namespace captoken::token::internal
