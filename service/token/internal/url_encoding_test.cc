// Tests for url_encoding.h: node's encodeURIComponent (spec §2.2), python's
// quote_plus (spec §2.4), and the form decoder that reads both.

#include "service/token/internal/url_encoding.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/internal/utf8.h"
#include "tests/testing/status_matchers.h"

namespace captoken::token::internal {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Pair;

std::string UriComponent(absl::string_view text) {
  std::string out;
  AppendUriComponent(text, &out);
  return out;
}

std::string QuotePlus(absl::string_view text) {
  std::string out;
  AppendQuotePlus(text, &out);
  return out;
}

constexpr absl::string_view kAlphanumerics =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// ---- encodeURIComponent ---------------------------------------------------

TEST(AppendUriComponent, KeepsLettersDigitsAndTheNineMarks) {
  EXPECT_EQ(UriComponent(kAlphanumerics), kAlphanumerics);
  EXPECT_EQ(UriComponent("-_.!~*'()"), "-_.!~*'()");
}

TEST(AppendUriComponent, EscapesEverythingElseWithUppercaseHex) {
  EXPECT_EQ(UriComponent(" "), "%20");
  EXPECT_EQ(UriComponent("+"), "%2B");
  EXPECT_EQ(UriComponent("/"), "%2F");
  EXPECT_EQ(UriComponent("%"), "%25");
  EXPECT_EQ(UriComponent("&=?#"), "%26%3D%3F%23");
  EXPECT_EQ(UriComponent(":@$,;"), "%3A%40%24%2C%3B");
  EXPECT_EQ(UriComponent("\"<>[]{}|\\^`"), "%22%3C%3E%5B%5D%7B%7D%7C%5C%5E%60");
  EXPECT_EQ(UriComponent(absl::string_view("\0\x1f\x7f", 3)), "%00%1F%7F");
}

TEST(AppendUriComponent, EncodesNonAsciiAsUtf8Bytes) {
  EXPECT_EQ(UriComponent("Jos\xC3\xA9"), "Jos%C3%A9");
  EXPECT_EQ(UriComponent("\xE2\x82\xAC"), "%E2%82%AC");
  EXPECT_EQ(UriComponent("\xF0\x9F\x98\x80"), "%F0%9F%98%80");
}

TEST(AppendUriComponent, MatchesTheSpecExamples) {
  // Spec §2.7: P(params), then E(P).
  EXPECT_EQ(UriComponent("+15551234567"), "%2B15551234567");
  EXPECT_EQ(UriComponent("client:bob"), "client%3Abob");
  EXPECT_EQ(UriComponent("To=%2B15551234567&CallerId=client%3Abob"),
            "To%3D%252B15551234567%26CallerId%3Dclient%253Abob");
}

TEST(AppendUriComponent, EveryByteIsKeptOrEscapedAsThreeCharacters) {
  const std::string kept = absl::StrCat(kAlphanumerics, "-_.!~*'()");
  for (int byte = 0; byte < 256; ++byte) {
    const std::string input(1, static_cast<char>(byte));
    const std::string encoded = UriComponent(input);
    if (kept.find(static_cast<char>(byte)) != std::string::npos) {
      EXPECT_EQ(encoded, input) << byte;
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      EXPECT_EQ(encoded, absl::StrCat("%", std::string(1, kHex[byte >> 4]),
                                      std::string(1, kHex[byte & 0xF])))
          << byte;
    }
  }
}

TEST(AppendUriComponent, AppendsToWhatIsAlreadyThere) {
  std::string out = "clientName=";
  AppendUriComponent("a b", &out);
  EXPECT_EQ(out, "clientName=a%20b");
  AppendUriComponent("", &out);
  EXPECT_EQ(out, "clientName=a%20b");
}

// ---- quote_plus -----------------------------------------------------------

TEST(AppendQuotePlus, KeepsLettersDigitsAndFourMarks) {
  EXPECT_EQ(QuotePlus(kAlphanumerics), kAlphanumerics);
  EXPECT_EQ(QuotePlus("_.-~"), "_.-~");
}

TEST(AppendQuotePlus, WritesASpaceAsPlus) {
  EXPECT_EQ(QuotePlus("John Smith"), "John+Smith");
  EXPECT_EQ(QuotePlus("  "), "++");
}

TEST(AppendQuotePlus, EscapesTheMarksEncodeUriComponentKeeps) {
  EXPECT_EQ(QuotePlus("!*'()"), "%21%2A%27%28%29");
  EXPECT_EQ(QuotePlus("/"), "%2F");
}

TEST(AppendQuotePlus, EscapesPlusSoThatItCannotMeanASpace) {
  EXPECT_EQ(QuotePlus("1+1"), "1%2B1");
}

TEST(AppendQuotePlus, EscapesEverythingElseWithUppercaseHex) {
  EXPECT_EQ(QuotePlus("&=?#%:"), "%26%3D%3F%23%25%3A");
  EXPECT_EQ(QuotePlus("Jos\xC3\xA9"), "Jos%C3%A9");
  EXPECT_EQ(QuotePlus("\xF0\x9F\x98\x80"), "%F0%9F%98%80");
  EXPECT_EQ(QuotePlus(absl::string_view("\0\x7f", 2)), "%00%7F");
}

TEST(AppendQuotePlus, MatchesPython5ForTheSpecExample) {
  // Spec §2.4: urlencode({"first name": "John Smith"}) then quote_plus.
  EXPECT_EQ(QuotePlus("first+name=John+Smith"), "first%2Bname%3DJohn%2BSmith");
  EXPECT_EQ(QuotePlus("/2010-04-01/Events"), "%2F2010-04-01%2FEvents");
}

TEST(AppendQuotePlus, EveryByteIsKeptSpaceIsPlusAndTheRestEscaped) {
  const std::string kept = absl::StrCat(kAlphanumerics, "_.-~");
  for (int byte = 0; byte < 256; ++byte) {
    const std::string input(1, static_cast<char>(byte));
    const std::string encoded = QuotePlus(input);
    if (byte == ' ') {
      EXPECT_EQ(encoded, "+");
    } else if (kept.find(static_cast<char>(byte)) != std::string::npos) {
      EXPECT_EQ(encoded, input) << byte;
    } else {
      EXPECT_EQ(encoded.size(), 3u) << byte;
      EXPECT_EQ(encoded[0], '%') << byte;
      EXPECT_EQ(encoded.find_first_of("abcdef"), std::string::npos) << byte;
    }
  }
}

// Short encodings are built on the stack, long ones in place: lengths on
// both sides of the switch must encode byte for byte as a lone byte does.
TEST(AppendQuotePlus, LongAndShortTextEncodesAsItsBytesDo) {
  const std::string pattern = "a +\x01~/\xff";
  for (size_t length = 0; length <= 400; ++length) {
    std::string text;
    std::string expected;
    for (size_t i = 0; i < length; ++i) {
      const char c = pattern[i % pattern.size()];
      text.push_back(c);
      expected += QuotePlus(std::string(1, c));
    }
    ASSERT_EQ(QuotePlus(text), expected) << length;
    std::string twice;
    AppendQuotePlusTwice(text, &twice);
    ASSERT_EQ(twice, QuotePlus(expected)) << length;
  }
}

// Text of four bytes or more is checked for anything to escape 16 bytes at
// a time: every byte value at every position of every length up to 40,
// among bytes each encoder keeps, must encode as that byte does alone
// (which the tests above check for every byte).
TEST(EveryEncoder, EachByteInLongerTextEncodesAsItDoesAlone) {
  using Append = void (*)(absl::string_view, std::string*);
  for (Append append : {&AppendUriComponent, &AppendQuotePlus,
                        &AppendUriComponentTwice, &AppendQuotePlusTwice}) {
    for (size_t length = 1; length <= 40; ++length) {
      const std::string kept(length, 'k');
      for (size_t position = 0; position < length; ++position) {
        for (int byte = 0; byte < 256; ++byte) {
          std::string text = kept;
          text[position] = static_cast<char>(byte);
          std::string alone;
          append(std::string(1, static_cast<char>(byte)), &alone);
          const std::string expected = absl::StrCat(
              kept.substr(0, position), alone, kept.substr(position + 1));
          std::string encoded;
          append(text, &encoded);
          ASSERT_EQ(encoded, expected)
              << "byte " << byte << " at " << position << " of " << length;
        }
      }
    }
  }
}

// ---- encoding twice in one pass --------------------------------------------

TEST(AppendUriComponentTwice, EqualsEncodingTwiceForEveryByte) {
  for (int byte = 0; byte < 256; ++byte) {
    const std::string input(1, static_cast<char>(byte));
    std::string twice;
    AppendUriComponentTwice(input, &twice);
    EXPECT_EQ(twice, UriComponent(UriComponent(input))) << byte;
  }
}

TEST(AppendQuotePlusTwice, EqualsEncodingTwiceForEveryByte) {
  for (int byte = 0; byte < 256; ++byte) {
    const std::string input(1, static_cast<char>(byte));
    std::string twice;
    AppendQuotePlusTwice(input, &twice);
    EXPECT_EQ(twice, QuotePlus(QuotePlus(input))) << byte;
  }
}

TEST(AppendUriComponentTwice, EqualsEncodingTwiceForMixedText) {
  for (absl::string_view text :
       {"", "+15551234567", "client:alice", "a b&c=d%e+f",
        "Jos\xC3\xA9 \xF0\x9F\x98\x80", "plain", "  ", "%%%"}) {
    std::string node = "prefix";
    AppendUriComponentTwice(text, &node);
    EXPECT_EQ(node, absl::StrCat("prefix", UriComponent(UriComponent(text))));
    std::string python = "prefix";
    AppendQuotePlusTwice(text, &python);
    EXPECT_EQ(python, absl::StrCat("prefix", QuotePlus(QuotePlus(text))));
  }
}

TEST(AppendUriComponent, WritesOnlyTextJsonNeverEscapes) {
  // Scope claims go into the token's JSON unescaped (scope_claim.h): every
  // encoder writes printable ASCII other than '"' and '\\'.
  std::string all_bytes;
  for (int byte = 0; byte < 256; ++byte) all_bytes.push_back(byte);
  std::string encoded;
  AppendUriComponent(all_bytes, &encoded);
  AppendQuotePlus(all_bytes, &encoded);
  AppendUriComponentTwice(all_bytes, &encoded);
  AppendQuotePlusTwice(all_bytes, &encoded);
  for (char c : encoded) {
    EXPECT_TRUE(c >= 0x20 && c < 0x7F && c != '"' && c != '\\') << int{c};
  }
}

// ---- FormDecode -----------------------------------------------------------

TEST(FormDecode, PlusIsASpaceAndPercentEscapesAreBytes) {
  ASSERT_OK_AND_ASSIGN(std::string decoded, FormDecode("John+Smith%21%2B"));
  EXPECT_EQ(decoded, "John Smith!+");
}

TEST(FormDecode, AcceptsEitherCaseOfHex) {
  ASSERT_OK_AND_ASSIGN(std::string upper, FormDecode("%C3%A9%2F"));
  ASSERT_OK_AND_ASSIGN(std::string lower, FormDecode("%c3%a9%2f"));
  EXPECT_EQ(upper, "\xC3\xA9/");
  EXPECT_EQ(lower, upper);
}

TEST(FormDecode, CopiesUnescapedCharacters) {
  ASSERT_OK_AND_ASSIGN(std::string decoded,
                       FormDecode("path=/2010-04-01/Events!~*'()"));
  EXPECT_EQ(decoded, "path=/2010-04-01/Events!~*'()");
}

TEST(FormDecode, EmptyIsEmpty) {
  ASSERT_OK_AND_ASSIGN(std::string decoded, FormDecode(""));
  EXPECT_EQ(decoded, "");
}

TEST(FormDecode, ReversesBothEncoders) {
  const std::vector<std::string> texts = {
      "",
      "plain",
      "John Smith",
      "a&b=c",
      "1+1 = 2",
      "100%",
      "x?y#z",
      "-_.!~*'()",
      "\"quoted\"",
      "/a/b",
      "Jos\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
      std::string("nul\0byte", 8),
      "%2B already escaped %20",
  };
  for (const std::string& text : texts) {
    ASSERT_OK_AND_ASSIGN(std::string from_node, FormDecode(UriComponent(text)));
    EXPECT_EQ(from_node, text);
    ASSERT_OK_AND_ASSIGN(std::string from_python, FormDecode(QuotePlus(text)));
    EXPECT_EQ(from_python, text);
  }
}

TEST(FormDecode, DecodesDoubleEncodingOneLevelAtATime) {
  ASSERT_OK_AND_ASSIGN(std::string once,
                       FormDecode("To%3D%252B15551234567%26CallerId%3D"
                                  "client%253Abob"));
  EXPECT_EQ(once, "To=%2B15551234567&CallerId=client%3Abob");
}

TEST(FormDecode, RefusesABadPercentEscape) {
  for (absl::string_view encoded : {"%", "%4", "abc%", "abc%4", "%G1", "%1G",
                                    "%%41", "%-1", "% 1", "%+1", "%\xC3\xA9"}) {
    SCOPED_TRACE(encoded);
    EXPECT_THAT(FormDecode(encoded),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("bad percent-escape")));
  }
}

TEST(FormDecode, RefusesAResultThatIsNotUtf8) {
  for (absl::string_view encoded : {"%FF", "%C3", "caf%C3", "%C0%AF",
                                    "%ED%A0%80", "%F4%90%80%80", "\xFF"}) {
    SCOPED_TRACE(encoded);
    EXPECT_THAT(
        FormDecode(encoded),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not UTF-8")));
  }
}

// The byte-at-a-time definition the decoder must agree with: '+' is a
// space, "%XY" (either case) is a byte, anything else is itself; a bad
// escape is an error, then a result that is not UTF-8.
absl::StatusOr<std::string> ReferenceFormDecode(absl::string_view encoded) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string decoded;
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '+') {
      decoded.push_back(' ');
    } else if (encoded[i] != '%') {
      decoded.push_back(encoded[i]);
    } else if (i + 2 < encoded.size() && hex(encoded[i + 1]) >= 0 &&
               hex(encoded[i + 2]) >= 0) {
      decoded.push_back(
          static_cast<char>(hex(encoded[i + 1]) * 16 + hex(encoded[i + 2])));
      i += 2;
    } else {
      return absl::InvalidArgumentError("bad percent-escape");
    }
  }
  if (!IsValidUtf8(decoded)) {
    return absl::InvalidArgumentError("percent-decoded text is not UTF-8");
  }
  return decoded;
}

// Every byte value at every position of texts with escapes before, between
// and after plain runs, against the reference: the result or the error.
TEST(FormDecode, AgreesWithTheByteAtATimeDefinition) {
  for (const std::string& base :
       {std::string("To%3D%252B1555+x%26CallerId%3Dclient%253Aalice"),
        std::string("plain-text-before%41"),
        std::string("%C3%A9t%C3%A9+%7E")}) {
    for (size_t position = 0; position < base.size(); ++position) {
      for (int byte = 0; byte < 256; ++byte) {
        std::string encoded = base;
        encoded[position] = static_cast<char>(byte);
        const absl::StatusOr<std::string> expected =
            ReferenceFormDecode(encoded);
        const absl::StatusOr<std::string> decoded = FormDecode(encoded);
        ASSERT_EQ(decoded.status(), expected.status())
            << "byte " << byte << " at " << position << " of " << base;
        if (expected.ok()) {
          ASSERT_EQ(*decoded, *expected);
        }
      }
    }
  }
}

TEST(FormDecode, MessageNeverQuotesTheInput) {
  const std::string secret = "secretvalue";
  for (const std::string& encoded :
       {secret + "%ZZ", secret + "%FF", secret + "%", "%C3" + secret}) {
    absl::StatusOr<std::string> decoded = FormDecode(encoded);
    ASSERT_FALSE(decoded.ok()) << encoded;
    EXPECT_THAT(std::string(decoded.status().message()),
                Not(HasSubstr(secret)));
  }
}

// ---- ForEachQueryPair -----------------------------------------------------

using QueryParam = std::pair<std::string, std::string>;

// Collects the pairs ForEachQueryPair visits.
absl::StatusOr<std::vector<QueryParam>> ParseQueryString(
    absl::string_view query) {
  std::vector<QueryParam> pairs;
  absl::Status status = ForEachQueryPair(
      query, [&pairs](absl::string_view key, absl::string_view value) {
        pairs.emplace_back(std::string(key), std::string(value));
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return pairs;
}

TEST(ForEachQueryPair, StopsAtTheVisitorsFirstError) {
  int visited = 0;
  absl::Status status = ForEachQueryPair(
      "a=1&b=2&c=3", [&visited](absl::string_view key, absl::string_view) {
        ++visited;
        return key == "b" ? absl::InvalidArgumentError("no b")
                          : absl::OkStatus();
      });
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               ::testing::HasSubstr("no b")));
  EXPECT_EQ(visited, 2);
}

TEST(ForEachQueryPair, RefusesATrailingSeparator) {
  EXPECT_THAT(ParseQueryString("a=1&"),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
}

TEST(ForEachQueryPair, EmptyQueryHasNoPairs) {
  ASSERT_OK_AND_ASSIGN(std::vector<QueryParam> params, ParseQueryString(""));
  EXPECT_THAT(params, IsEmpty());
}

TEST(ForEachQueryPair, SplitsAndDecodesInOrder) {
  ASSERT_OK_AND_ASSIGN(
      std::vector<QueryParam> params,
      ParseQueryString("appSid=AP1&clientName=J+S&appParams=a%3Db%26c%3Dd"));
  EXPECT_THAT(params,
              ElementsAre(Pair("appSid", "AP1"), Pair("clientName", "J S"),
                          Pair("appParams", "a=b&c=d")));
}

TEST(ForEachQueryPair, KeepsOrderAndRepeats) {
  ASSERT_OK_AND_ASSIGN(std::vector<QueryParam> params,
                       ParseQueryString("b=2&a=1&b=3"));
  EXPECT_THAT(params,
              ElementsAre(Pair("b", "2"), Pair("a", "1"), Pair("b", "3")));
}

TEST(ForEachQueryPair, AllowsAnEmptyValue) {
  ASSERT_OK_AND_ASSIGN(std::vector<QueryParam> params,
                       ParseQueryString("a=&b="));
  EXPECT_THAT(params, ElementsAre(Pair("a", ""), Pair("b", "")));
}

TEST(ForEachQueryPair, SplitsOnTheFirstEqualsSign) {
  ASSERT_OK_AND_ASSIGN(std::vector<QueryParam> params,
                       ParseQueryString("a=b=c"));
  EXPECT_THAT(params, ElementsAre(Pair("a", "b=c")));
}

TEST(ForEachQueryPair, DecodesEscapedSeparatorsInsideKeysAndValues) {
  ASSERT_OK_AND_ASSIGN(std::vector<QueryParam> params,
                       ParseQueryString("k%3D1%26=v%26w%3Dx"));
  EXPECT_THAT(params, ElementsAre(Pair("k=1&", "v&w=x")));
}

TEST(ForEachQueryPair, RefusesAPairWithoutEquals) {
  for (absl::string_view query : {"a", "a=1&b", "a=1&&b=2", "a=1&", "&a=1"}) {
    SCOPED_TRACE(query);
    EXPECT_THAT(
        ParseQueryString(query),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("without '='")));
  }
}

TEST(ForEachQueryPair, RefusesAnEmptyKey) {
  for (absl::string_view query : {"=1", "a=1&=2", "="}) {
    SCOPED_TRACE(query);
    EXPECT_THAT(ParseQueryString(query),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("empty query key")));
  }
}

TEST(ForEachQueryPair, RefusesAnUndecodableSide) {
  EXPECT_THAT(ParseQueryString("a=%ZZ"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("bad percent-escape")));
  EXPECT_THAT(ParseQueryString("%ZZ=a"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("bad percent-escape")));
  EXPECT_THAT(
      ParseQueryString("a=%FF"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not UTF-8")));
}

TEST(ForEachQueryPair, MessageNeverQuotesTheInput) {
  for (absl::string_view query :
       {"clientName=secretvalue&secretvalue", "secretvalue=%ZZ", "=secretvalue",
        "x=secretvalue%FF"}) {
    absl::StatusOr<std::vector<QueryParam>> params = ParseQueryString(query);
    ASSERT_FALSE(params.ok()) << query;
    EXPECT_THAT(std::string(params.status().message()),
                Not(HasSubstr("secretvalue")));
  }
}

TEST(ForEachQueryPair, ReadsWhatTheEncodersWrite) {
  std::string query = "first=";
  AppendUriComponent("a b&c=d", &query);
  query += "&second=";
  AppendQuotePlus("a b&c=d+", &query);
  ASSERT_OK_AND_ASSIGN(std::vector<QueryParam> params, ParseQueryString(query));
  EXPECT_THAT(params, ElementsAre(Pair("first", "a b&c=d"),
                                  Pair("second", "a b&c=d+")));
  EXPECT_THAT(ParseQueryString(query), IsOk());
}

}  // namespace
}  // namespace captoken::token::internal
