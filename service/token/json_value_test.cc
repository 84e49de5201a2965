// Tests for json_value.h: the strict parser for untrusted token JSON.

#include "service/token/json_value.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace captoken::token {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

// ---- what parses ----------------------------------------------------------

TEST(ParseJson, ParsesEachKindOfScalar) {
  ASSERT_OK_AND_ASSIGN(JsonValue null_value, ParseJson("null"));
  EXPECT_EQ(null_value.type(), JsonValue::Type::kNull);

  ASSERT_OK_AND_ASSIGN(JsonValue true_value, ParseJson("true"));
  EXPECT_EQ(true_value.type(), JsonValue::Type::kBool);
  EXPECT_TRUE(true_value.bool_value());

  ASSERT_OK_AND_ASSIGN(JsonValue false_value, ParseJson("false"));
  EXPECT_EQ(false_value.type(), JsonValue::Type::kBool);
  EXPECT_FALSE(false_value.bool_value());

  ASSERT_OK_AND_ASSIGN(JsonValue number, ParseJson("-12.50e+3"));
  EXPECT_EQ(number.type(), JsonValue::Type::kNumber);
  EXPECT_EQ(number.text(), "-12.50e+3");  // As written.

  ASSERT_OK_AND_ASSIGN(JsonValue string, ParseJson(R"("hello")"));
  EXPECT_EQ(string.type(), JsonValue::Type::kString);
  EXPECT_TRUE(string.is_string());
  EXPECT_FALSE(string.is_object());
  EXPECT_EQ(string.text(), "hello");
}

TEST(ParseJson, ObjectsKeepTheirMembersInDocumentOrder) {
  ASSERT_OK_AND_ASSIGN(
      JsonValue object,
      ParseJson(R"({"scope":"s","iss":"AC","exp":1700003600,"iat":1})"));
  ASSERT_TRUE(object.is_object());
  EXPECT_EQ(object.type(), JsonValue::Type::kObject);
  EXPECT_THAT(object.member_names(), ElementsAre("scope", "iss", "exp", "iat"));
  ASSERT_EQ(object.member_values().size(), 4u);
  EXPECT_EQ(object.member_values()[0].text(), "s");
  EXPECT_EQ(object.member_values()[2].text(), "1700003600");
}

TEST(ParseJson, FindLooksUpMembersByName) {
  ASSERT_OK_AND_ASSIGN(JsonValue object,
                       ParseJson(R"({"b":1,"a":"x","nested":{"c":true}})"));
  const JsonValue* a = object.Find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->text(), "x");
  const JsonValue* nested = object.Find("nested");
  ASSERT_NE(nested, nullptr);
  const JsonValue* c = nested->Find("c");
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->bool_value());
  EXPECT_EQ(object.Find("c"), nullptr);  // Not searched recursively.
  EXPECT_EQ(object.Find("missing"), nullptr);
  EXPECT_EQ(object.Find("A"), nullptr);  // Case matters.
}

TEST(ParseJson, FindOnANonObjectFindsNothing) {
  ASSERT_OK_AND_ASSIGN(JsonValue array, ParseJson(R"(["a"])"));
  EXPECT_EQ(array.Find("a"), nullptr);
  ASSERT_OK_AND_ASSIGN(JsonValue string, ParseJson(R"("a")"));
  EXPECT_EQ(string.Find("a"), nullptr);
}

TEST(ParseJson, ParsesArraysInOrder) {
  ASSERT_OK_AND_ASSIGN(JsonValue array, ParseJson(R"([1,"two",[3],{},null])"));
  EXPECT_EQ(array.type(), JsonValue::Type::kArray);
  ASSERT_EQ(array.elements().size(), 5u);
  EXPECT_EQ(array.elements()[0].text(), "1");
  EXPECT_EQ(array.elements()[1].text(), "two");
  EXPECT_EQ(array.elements()[2].elements().size(), 1u);
  EXPECT_TRUE(array.elements()[3].is_object());
  EXPECT_TRUE(array.elements()[3].member_names().empty());
  EXPECT_EQ(array.elements()[4].type(), JsonValue::Type::kNull);
}

TEST(ParseJson, ParsesEmptyContainers) {
  ASSERT_OK_AND_ASSIGN(JsonValue object, ParseJson("{}"));
  EXPECT_TRUE(object.is_object());
  EXPECT_TRUE(object.member_names().empty());
  ASSERT_OK_AND_ASSIGN(JsonValue array, ParseJson("[ ]"));
  EXPECT_EQ(array.type(), JsonValue::Type::kArray);
  EXPECT_TRUE(array.elements().empty());
}

TEST(ParseJson, AllowsTheFourWhitespaceCharactersAnywhereBetweenTokens) {
  ASSERT_OK_AND_ASSIGN(
      JsonValue object,
      ParseJson(" \t\n\r{ \"a\" :\t[ 1 ,\n2 ] ,\r\n\"b\" : \"c\" }\r\n\t "));
  ASSERT_NE(object.Find("a"), nullptr);
  EXPECT_EQ(object.Find("a")->elements().size(), 2u);
  ASSERT_NE(object.Find("b"), nullptr);
  EXPECT_EQ(object.Find("b")->text(), "c");
}

TEST(ParseJson, ParsesThePythonSpacedLayout) {
  ASSERT_OK_AND_ASSIGN(JsonValue header,
                       ParseJson(R"({"typ": "JWT", "alg": "HS256"})"));
  EXPECT_THAT(header.member_names(), ElementsAre("typ", "alg"));
}

TEST(ParseJson, SameNameInDifferentObjectsIsFine) {
  EXPECT_THAT(ParseJson(R"({"a":{"a":1},"b":{"a":2}})"), IsOk());
}

// ---- string escapes -------------------------------------------------------

std::string ParsedString(absl::string_view json) {
  absl::StatusOr<JsonValue> value = ParseJson(json);
  if (!value.ok()) return absl::StrCat("error: ", value.status().message());
  return value->text();
}

TEST(ParseJson, DecodesTheShortEscapes) {
  EXPECT_EQ(ParsedString(R"("\"\\\/\b\f\n\r\t")"), "\"\\/\b\f\n\r\t");
}

TEST(ParseJson, DecodesUnicodeEscapesToUtf8) {
  EXPECT_EQ(ParsedString(R"("\u0041")"), "A");
  EXPECT_EQ(ParsedString(R"("\u00e9")"), "\xC3\xA9");
  EXPECT_EQ(ParsedString(R"("\u00E9")"), "\xC3\xA9");  // Either case.
  EXPECT_EQ(ParsedString(R"("\u07ff")"), "\xDF\xBF");
  EXPECT_EQ(ParsedString(R"("\u0800")"), "\xE0\xA0\x80");
  EXPECT_EQ(ParsedString(R"("\u20ac")"), "\xE2\x82\xAC");
  EXPECT_EQ(ParsedString(R"("\u2028")"), "\xE2\x80\xA8");
  EXPECT_EQ(ParsedString(R"("\uffff")"), "\xEF\xBF\xBF");
  EXPECT_EQ(ParsedString(R"("\u007f")"), "\x7F");
}

TEST(ParseJson, DecodesSurrogatePairsToOneCodePoint) {
  EXPECT_EQ(ParsedString(R"("\ud83d\ude00")"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(ParsedString(R"("\uD83D\uDE00")"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(ParsedString(R"("\ud800\udc00")"), "\xF0\x90\x80\x80");
  EXPECT_EQ(ParsedString(R"("\udbff\udfff")"), "\xF4\x8F\xBF\xBF");
}

TEST(ParseJson, DecodesAnEscapedNulIntoTheString) {
  ASSERT_OK_AND_ASSIGN(JsonValue value, ParseJson(R"("a\u0000b")"));
  EXPECT_EQ(value.text(), std::string("a\0b", 3));
}

TEST(ParseJson, KeepsRawUtf8AndDel) {
  EXPECT_EQ(ParsedString("\"Jos\xC3\xA9 \xF0\x9F\x98\x80\""),
            "Jos\xC3\xA9 \xF0\x9F\x98\x80");
  EXPECT_EQ(ParsedString("\"\x7F\""), "\x7F");
}

TEST(ParseJson, EscapedAndRawSpellingsDecodeTheSame) {
  EXPECT_EQ(ParsedString(R"("Jos\u00e9")"), ParsedString("\"Jos\xC3\xA9\""));
  EXPECT_EQ(ParsedString(R"("\u0073cope")"), "scope");
}

TEST(ParseJson, MemberNamesAreDecodedToo) {
  ASSERT_OK_AND_ASSIGN(JsonValue object, ParseJson(R"({"\u0069ss":"AC"})"));
  EXPECT_THAT(object.member_names(), ElementsAre("iss"));
  EXPECT_NE(object.Find("iss"), nullptr);
}

// ---- what is refused ------------------------------------------------------

struct Refused {
  const char* name;
  std::string json;
  const char* problem;  // A substring of the message.
};

std::vector<Refused> RefusedDocuments() {
  return {
      // Comments.
      {"block comment", R"({"a":1 /* c */})", "expected ',' or '}'"},
      {"line comment first", "// c\n{}", "unexpected character"},
      {"line comment after", "{} // c", "unexpected data after the value"},
      {"hash comment", "# c\n{}", "unexpected character"},
      // Trailing commas.
      {"trailing comma in object", R"({"a":1,})", "expected a member name"},
      {"trailing comma in array", "[1,]", "unexpected character"},
      {"lone comma in array", "[,]", "unexpected character"},
      {"lone comma in object", "{,}", "expected a member name"},
      // Numbers.
      {"leading zero", "01", "unexpected data after the value"},
      {"leading zero in array", "[01]", "expected ',' or ']'"},
      {"negative leading zero", "-01", "unexpected data after the value"},
      {"leading plus", "+1", "unexpected character"},
      {"leading dot", ".5", "unexpected character"},
      {"trailing dot", "1.", "invalid number"},
      {"dot without fraction then exponent", "1.e3", "invalid number"},
      {"empty exponent", "1e", "invalid number"},
      {"signed empty exponent", "1e+", "invalid number"},
      {"lone minus", "-", "invalid number"},
      {"minus then letter", "-a", "unexpected character"},
      {"hex", "0x10", "unexpected data after the value"},
      {"NaN", "NaN", "unexpected character"},
      {"Infinity", "Infinity", "unexpected character"},
      {"-Infinity", "-Infinity", "unexpected character"},
      {"NaN as a value", R"({"exp":NaN})", "unexpected character"},
      // Literals.
      {"capitalised true", "True", "unexpected character"},
      {"truncated true", "tru", "invalid literal"},
      {"truncated null", "nul", "invalid literal"},
      {"misspelt false", "fals", "invalid literal"},
      {"undefined", "undefined", "unexpected character"},
      // Quotes.
      {"single-quoted name", "{'a':1}", "expected a member name"},
      {"single-quoted string", "'a'", "unexpected character"},
      {"single-quoted value", R"({"a":'b'})", "unexpected character"},
      {"unquoted name", "{a:1}", "expected a member name"},
      // Trailing data.
      {"two objects", "{} {}", "unexpected data after the value"},
      {"two numbers", "1 2", "unexpected data after the value"},
      {"garbage after object", "{}x", "unexpected data after the value"},
      {"NUL after object", std::string("{}\0", 3),
       "unexpected data after the value"},
      // Structure.
      {"empty input", "", "unexpected end of input"},
      {"only whitespace", " \n\t", "unexpected end of input"},
      {"unterminated object", R"({"a":1)", "unterminated object"},
      {"unterminated array", "[1", "unterminated array"},
      {"open bracket only", "[", "unexpected end of input"},
      {"open brace only", "{", "expected a member name"},
      {"missing colon", R"({"a" 1})", "expected ':'"},
      {"missing value", R"({"a":})", "unexpected character"},
      {"missing comma in object", R"({"a":1 "b":2})", "expected ',' or '}'"},
      {"missing comma in array", "[1 2]", "expected ',' or ']'"},
      {"number as name", R"({1:2})", "expected a member name"},
      {"form feed as whitespace", "\f{}", "unexpected character"},
      {"vertical tab as whitespace", "{}\v", "unexpected data after"},
      {"no-break space as whitespace", "\xC2\xA0{}", "unexpected character"},
      // Strings.
      {"unterminated string", R"("abc)", "unterminated string"},
      {"unterminated escape", "\"\\", "unterminated string"},
      {"unknown escape", R"("\x41")", "invalid escape"},
      {"escaped single quote", R"("\'")", "invalid escape"},
      {"capital U escape", R"("\U0041")", "invalid escape"},
      {"short unicode escape", R"("\u12")", "invalid \\u escape"},
      {"non-hex unicode escape", R"("\u12G4")", "invalid \\u escape"},
      {"raw control character",
       "\"a\x01"
       "b\"",
       "control character"},
      {"raw newline", "\"a\nb\"", "control character"},
      {"raw tab", "\"a\tb\"", "control character"},
      {"raw NUL", std::string("\"a\0b\"", 5), "control character"},
      {"raw unit separator", "\"\x1F\"", "control character"},
      // Lone surrogates.
      {"lone high surrogate", R"("\ud800")", "lone surrogate"},
      {"lone low surrogate", R"("\udc00")", "lone surrogate"},
      {"high surrogate then letter", R"("\ud800x")", "lone surrogate"},
      {"high surrogate then BMP escape", R"("\ud800\u0041")", "lone surrogate"},
      {"two high surrogates", R"("\ud800\ud800")", "lone surrogate"},
      {"reversed pair", R"("\ude00\ud83d")", "lone surrogate"},
      {"lone surrogate in a name", R"({"\udfff":1})", "lone surrogate"},
      // Invalid UTF-8.
      {"invalid byte in string", "\"\xFF\"", "invalid UTF-8"},
      {"truncated sequence in string", "\"caf\xC3\"", "invalid UTF-8"},
      {"overlong in string", "\"\xC0\xAF\"", "invalid UTF-8"},
      {"encoded surrogate in string", "\"\xED\xA0\x80\"", "invalid UTF-8"},
      {"invalid byte in a name", "{\"\xFE\":1}", "invalid UTF-8"},
      {"invalid byte outside strings", "\xFF", "unexpected character"},
      // Duplicate names.
      {"duplicate name", R"({"a":1,"a":2})", "duplicate member name"},
      {"duplicate name, other type", R"({"exp":1,"exp":"2"})",
       "duplicate member name"},
      {"duplicate spelt differently", R"({"a":1,"\u0061":2})",
       "duplicate member name"},
      {"duplicate in a nested object", R"({"o":{"x":1,"x":1}})",
       "duplicate member name"},
  };
}

TEST(ParseJson, RefusesAnythingRfc8259DoesNotAllow) {
  for (const Refused& refused : RefusedDocuments()) {
    SCOPED_TRACE(refused.name);
    EXPECT_THAT(ParseJson(refused.json),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr(refused.problem)));
  }
}

TEST(ParseJson, MessageNamesTheByteOffset) {
  EXPECT_THAT(ParseJson("[1,]"), StatusIs(absl::StatusCode::kInvalidArgument,
                                          HasSubstr("at byte 3")));
  EXPECT_THAT(ParseJson(R"({"a":1,"a":2})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("duplicate member name at byte")));
  EXPECT_THAT(ParseJson("{} x"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("JSON: unexpected data after the value at "
                                 "byte 3")));
  EXPECT_THAT(ParseJson("\"ab\xFF\""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid UTF-8 at byte 3")));
}

TEST(ParseJson, MessageNeverQuotesTheContent) {
  const std::string secret = "f0e1d2c3b4a5968778695a4b3c2d1e0f";
  const std::vector<std::string> documents = {
      absl::StrCat(R"({")", secret, R"(":1,")", secret, R"(":2})"),
      absl::StrCat(R"({"key":")", secret, "\x01\"}"),
      absl::StrCat(R"({"key":")", secret, "\xFF\"}"),
      absl::StrCat(R"({"key":")", secret, R"(\ud800"})"),
      absl::StrCat(R"({"key":")", secret, R"("} )", secret),
      absl::StrCat(R"({"key":)", secret, "}"),
      absl::StrCat(R"({"key":")", secret),
  };
  for (const std::string& document : documents) {
    absl::StatusOr<JsonValue> value = ParseJson(document);
    ASSERT_FALSE(value.ok()) << document;
    EXPECT_THAT(std::string(value.status().message()),
                Not(HasSubstr(secret.substr(0, 8))));
  }
}

// ---- depth and size limits ------------------------------------------------

std::string NestedArrays(int depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

std::string NestedObjects(int depth) {
  std::string json;
  for (int i = 0; i < depth; ++i) json += R"({"a":)";
  json += "1";
  json += std::string(depth, '}');
  return json;
}

TEST(ParseJson, DefaultDepthLimitIsSixteen) {
  EXPECT_THAT(ParseJson(NestedArrays(16)), IsOk());
  EXPECT_THAT(ParseJson(NestedArrays(17)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("nesting too deep")));
  EXPECT_THAT(ParseJson(NestedObjects(16)), IsOk());
  EXPECT_THAT(ParseJson(NestedObjects(17)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("nesting too deep")));
}

TEST(ParseJson, DepthCountsArraysAndObjectsTogether) {
  // 8 objects around 9 arrays: 17 levels.
  std::string json;
  for (int i = 0; i < 8; ++i) json += R"({"a":)";
  json += NestedArrays(9);
  json += std::string(8, '}');
  EXPECT_THAT(ParseJson(json), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr("nesting too deep")));
}

TEST(ParseJson, DepthLimitIsConfigurable) {
  EXPECT_THAT(ParseJson("[]", 1), IsOk());
  EXPECT_THAT(ParseJson("[[]]", 1), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("nesting too deep")));
  EXPECT_THAT(ParseJson("1", 0), IsOk());
  EXPECT_THAT(ParseJson("{}", 0), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("nesting too deep")));
  EXPECT_THAT(ParseJson(NestedArrays(100), 100), IsOk());
}

TEST(ParseJson, AMillionOpenBracketsFailWithoutExhaustingTheStack) {
  EXPECT_THAT(ParseJson(std::string(1000000, '[')),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("nesting too deep")));
  EXPECT_THAT(ParseJson(NestedObjects(100000)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("nesting too deep")));
}

std::string ObjectWithMembers(int count) {
  std::string json = "{";
  for (int i = 0; i < count; ++i) {
    if (i > 0) json += ",";
    absl::StrAppend(&json, "\"m", i, "\":", i);
  }
  json += "}";
  return json;
}

TEST(ParseJson, AnObjectMayHave256MembersButNotMore) {
  ASSERT_OK_AND_ASSIGN(JsonValue object, ParseJson(ObjectWithMembers(256)));
  EXPECT_EQ(object.member_names().size(), 256u);
  EXPECT_THAT(ParseJson(ObjectWithMembers(257)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("too many members")));
}

// ---- AsInt64 --------------------------------------------------------------

std::optional<int64_t> ParsedInt(absl::string_view json) {
  absl::StatusOr<JsonValue> value = ParseJson(json);
  if (!value.ok()) {
    ADD_FAILURE() << json << ": " << value.status();
    return std::nullopt;
  }
  return value->AsInt64();
}

TEST(AsInt64, ReadsIntegers) {
  EXPECT_THAT(ParsedInt("0"), Optional(0));
  EXPECT_THAT(ParsedInt("-0"), Optional(0));
  EXPECT_THAT(ParsedInt("1700003600"), Optional(1700003600));
  EXPECT_THAT(ParsedInt("-5"), Optional(-5));
}

TEST(AsInt64, ReadsTheWholeInt64Range) {
  EXPECT_THAT(ParsedInt("9223372036854775807"),
              Optional(std::numeric_limits<int64_t>::max()));
  EXPECT_THAT(ParsedInt("-9223372036854775808"),
              Optional(std::numeric_limits<int64_t>::min()));
}

TEST(AsInt64, ReadsIntegersOnBothSidesOfEighteenDigits) {
  // Up to 18 digits are read directly, longer ones with a range check.
  EXPECT_THAT(ParsedInt("999999999999999999"), Optional(999999999999999999));
  EXPECT_THAT(ParsedInt("-999999999999999999"), Optional(-999999999999999999));
  EXPECT_THAT(ParsedInt("1000000000000000000"), Optional(1000000000000000000));
  EXPECT_THAT(ParsedInt("-1000000000000000000"),
              Optional(-1000000000000000000));
  EXPECT_EQ(ParsedInt("99999999999999999.5"), std::nullopt);
  EXPECT_EQ(ParsedInt("9999999999999999999.5"), std::nullopt);
}

TEST(AsInt64, RefusesIntegersOutsideInt64) {
  EXPECT_EQ(ParsedInt("9223372036854775808"), std::nullopt);  // 2^63
  EXPECT_EQ(ParsedInt("-9223372036854775809"), std::nullopt);
  EXPECT_EQ(ParsedInt("18446744073709551616"), std::nullopt);  // 2^64
  EXPECT_EQ(ParsedInt("100000000000000000000000000000"), std::nullopt);
}

TEST(AsInt64, RefusesFractionsAndExponentsEvenWhenIntegral) {
  EXPECT_EQ(ParsedInt("1.0"), std::nullopt);
  EXPECT_EQ(ParsedInt("1.5"), std::nullopt);
  EXPECT_EQ(ParsedInt("1e3"), std::nullopt);
  EXPECT_EQ(ParsedInt("1E3"), std::nullopt);
  EXPECT_EQ(ParsedInt("1e+3"), std::nullopt);
  EXPECT_EQ(ParsedInt("1e9"), std::nullopt);
  EXPECT_EQ(ParsedInt("1700003600.0"), std::nullopt);
  EXPECT_EQ(ParsedInt("-0.0"), std::nullopt);
  EXPECT_EQ(ParsedInt("1e400"), std::nullopt);
}

TEST(AsInt64, RefusesEverythingThatIsNotANumber) {
  EXPECT_EQ(ParsedInt(R"("123")"), std::nullopt);
  EXPECT_EQ(ParsedInt("true"), std::nullopt);
  EXPECT_EQ(ParsedInt("null"), std::nullopt);
  EXPECT_EQ(ParsedInt("[1]"), std::nullopt);
  EXPECT_EQ(ParsedInt(R"({"a":1})"), std::nullopt);
  EXPECT_EQ(JsonValue().AsInt64(), std::nullopt);
}

TEST(JsonValue, DefaultIsNull) {
  JsonValue value;
  EXPECT_EQ(value.type(), JsonValue::Type::kNull);
  EXPECT_FALSE(value.is_string());
  EXPECT_FALSE(value.is_object());
  EXPECT_TRUE(value.member_names().empty());
  EXPECT_TRUE(value.elements().empty());
}

// ---- builders ---------------------------------------------------------------

TEST(JsonValueBuilders, BuildEachKindOfScalar) {
  EXPECT_TRUE(JsonValue::Null().is_null());
  EXPECT_TRUE(JsonValue::Bool(true).is_bool());
  EXPECT_TRUE(JsonValue::Bool(true).bool_value());
  EXPECT_FALSE(JsonValue::Bool(false).bool_value());
  EXPECT_TRUE(JsonValue::Int(-42).is_number());
  EXPECT_EQ(JsonValue::Int(-42).text(), "-42");
  EXPECT_EQ(JsonValue::Int(-42).AsInt64(), -42);
  EXPECT_TRUE(JsonValue::String("a\"b").is_string());
  EXPECT_EQ(JsonValue::String("a\"b").text(), "a\"b");
}

TEST(JsonValueBuilders, ObjectKeepsTheGivenOrder) {
  JsonValue object =
      JsonValue::Object({{"z", JsonValue::Int(1)}, {"a", JsonValue::Null()}});
  ASSERT_TRUE(object.is_object());
  EXPECT_THAT(object.member_names(), ::testing::ElementsAre("z", "a"));
  ASSERT_NE(object.Find("z"), nullptr);
  EXPECT_EQ(object.Find("z")->AsInt64(), 1);
}

TEST(JsonValueBuilders, ArrayKeepsTheGivenOrder) {
  JsonValue array =
      JsonValue::Array({JsonValue::Int(1), JsonValue::String("two")});
  ASSERT_TRUE(array.is_array());
  ASSERT_EQ(array.elements().size(), 2u);
  EXPECT_EQ(array.elements()[1].text(), "two");
}

TEST(JsonValueBuilders, BuiltValuesEqualParsedOnes) {
  absl::StatusOr<JsonValue> parsed = ParseJson(
      R"({"foo":"bar","n":1,"nested":{"deep":[1,"two"]},"x":null,"t":true})");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(
      *parsed,
      JsonValue::Object(
          {{"foo", JsonValue::String("bar")},
           {"n", JsonValue::Int(1)},
           {"nested",
            JsonValue::Object(
                {{"deep", JsonValue::Array({JsonValue::Int(1),
                                            JsonValue::String("two")})}})},
           {"x", JsonValue::Null()},
           {"t", JsonValue::Bool(true)}}));
}

TEST(JsonValueEquality, OrderTypeAndSpellingMatter) {
  EXPECT_NE(
      JsonValue::Object({{"a", JsonValue::Int(1)}, {"b", JsonValue::Int(2)}}),
      JsonValue::Object({{"b", JsonValue::Int(2)}, {"a", JsonValue::Int(1)}}));
  EXPECT_NE(JsonValue::String("1"), JsonValue::Int(1));
  EXPECT_NE(JsonValue::Bool(true), JsonValue::Bool(false));
  EXPECT_NE(*ParseJson("1.0"), *ParseJson("1"));
  EXPECT_EQ(*ParseJson("[]"), JsonValue::Array({}));
  EXPECT_NE(JsonValue::Array({}), JsonValue::Object({}));
}

// ---- ReadFlatJsonObject ----------------------------------------------------

// The claims both capability profiles write.
constexpr absl::string_view kNodeClaims =
    R"({"scope":"scope:client:incoming?clientName=alice","iss":"AC0123456789abcdef0123456789abcdef","exp":1700003600,"iat":1700000000})";
constexpr absl::string_view kPythonClaims =
    R"({"scope": "scope:client:incoming?clientName=alice", "iss": "AC0123456789abcdef0123456789abcdef", "exp": 1700003600})";

// Checks the contract: whatever ReadFlatJsonObject accepts, ParseJson
// parses to the same members, in order (member_views). Returns whether it
// was accepted.
bool AcceptedAlikeByBothReaders(absl::string_view text) {
  JsonMember members[6];
  const std::optional<size_t> count = ReadFlatJsonObject(text, members);
  if (!count.has_value()) return false;
  absl::StatusOr<JsonValue> parsed = ParseJson(text);
  EXPECT_THAT(parsed, IsOk()) << text;
  if (!parsed.ok()) return true;
  EXPECT_TRUE(parsed->is_object()) << text;
  const std::vector<JsonMember> views = parsed->member_views();
  EXPECT_EQ(views.size(), *count) << text;
  if (views.size() != *count) return true;
  for (size_t i = 0; i < *count; ++i) {
    EXPECT_EQ(views[i].name, members[i].name) << text;
    EXPECT_EQ(views[i].type, members[i].type) << text;
    EXPECT_EQ(views[i].text, members[i].text) << text;
    EXPECT_EQ(views[i].bool_value, members[i].bool_value) << text;
    EXPECT_EQ(views[i].integer, members[i].integer) << text;
  }
  return true;
}

TEST(ReadFlatJsonObject, ReadsTheClaimsSignersWrite) {
  JsonMember members[4];
  ASSERT_THAT(ReadFlatJsonObject(kNodeClaims, members), Optional(4u));
  EXPECT_EQ(members[0].name, "scope");
  EXPECT_EQ(members[0].type, JsonValue::Type::kString);
  EXPECT_EQ(members[0].text, "scope:client:incoming?clientName=alice");
  EXPECT_EQ(members[0].integer, std::nullopt);
  EXPECT_EQ(members[2].name, "exp");
  EXPECT_EQ(members[2].type, JsonValue::Type::kNumber);
  EXPECT_EQ(members[2].text, "1700003600");
  EXPECT_THAT(members[2].integer, Optional(1700003600));
  // Its views are into the text: nothing is copied.
  EXPECT_GE(members[0].text.data(), kNodeClaims.data());
  EXPECT_LT(members[0].text.data(), kNodeClaims.data() + kNodeClaims.size());
  EXPECT_TRUE(AcceptedAlikeByBothReaders(kNodeClaims));
  EXPECT_TRUE(AcceptedAlikeByBothReaders(kPythonClaims));
}

TEST(ReadFlatJsonObject, ReadsSpacingAndEveryScalar) {
  for (absl::string_view text : {
           "{}",
           " \t\r\n{ } \n",
           R"({"a":0})",
           R"({"a":-0})",
           R"({"a":-5})",
           R"({"a":999999999999999999})",
           R"({"a":-999999999999999999})",
           R"({"a":9223372036854775807})",   // int64_t's largest
           R"({"a":-9223372036854775808})",  // and smallest
           R"({"a":9223372036854775808})",   // a number, not an int64_t
           R"({"a":1.0})",                   // a number, not an integer
           R"({"a":1e3})",
           R"({"a":-0.5E-7})",
           R"({"a":true,"b":false,"c":null})",
           R"({"":""})",
           "{\"a\":\"\x7F ~\"}",
           "{\"a\":\"\xC3\xA9\"}",  // UTF-8, checked as ParseJson checks it
           "{\"\xF0\x9F\x98\x80\":1}",
           R"( { "a" : "b" , "c" : 1 } )",
       }) {
    EXPECT_TRUE(AcceptedAlikeByBothReaders(text)) << text;
  }
}

TEST(ReadFlatJsonObject, DeclinesEverythingElse) {
  for (absl::string_view text : {
           "",
           "[]",
           "1",
           R"("a")",
           R"({"a":1)",
           R"({"a":1,})",
           R"({"a":1}x)",
           R"({"a":1}{})",
           R"({"a":1,"a":2})",          // repeated
           R"({"a":"\u0041"})",         // an escape
           R"({"a\n":1})",              // an escape in a name
           "{\"a\":\"\xC3\"}",          // invalid UTF-8
           "{\"a\":\"\xED\xA0\x80\"}",  // a surrogate in UTF-8
           "{\"a\":\"\x01\"}",          // a control character
           R"({"a":01})",               // a leading zero
           R"({"a":1.})",
           R"({"a":-})",
           R"({"a":+1})",
           R"({"a":tru})",
           R"({"a":nul})",
           R"({"a":{}})",  // nested
           R"({"a":[]})",
           R"({"a" 1})",
           R"({a:1})",
           R"({"a":1 "b":2})",
           R"({"a":"b)",
           R"({"1":1,"2":2,"3":3,"4":4,"5":5,"6":6,"7":7})",  // too many
       }) {
    JsonMember members[6];
    EXPECT_EQ(ReadFlatJsonObject(text, members), std::nullopt) << text;
  }
}

// Every single-byte change of the signers' claims (each byte replaced by
// one of the bytes JSON cares about, or dropped): ReadFlatJsonObject may
// decline any of them, but must never accept what ParseJson would read
// differently or refuse.
TEST(ReadFlatJsonObject, NeverAcceptsWhatParseJsonReadsOtherwise) {
  const std::string interesting =
      " \t\"\\,:{}[]-+.eE0123456789aAtn\x01\x7F\x80\xC3";
  int accepted = 0;
  for (absl::string_view claims : {kNodeClaims, kPythonClaims}) {
    for (size_t pos = 0; pos < claims.size(); ++pos) {
      std::string dropped(claims);
      dropped.erase(pos, 1);
      accepted += AcceptedAlikeByBothReaders(dropped);
      for (char c : interesting) {
        std::string changed(claims);
        changed[pos] = c;
        accepted += AcceptedAlikeByBothReaders(changed);
      }
    }
  }
  EXPECT_GT(accepted, 1000);  // The test reaches the accepting side too.
}

// Random flat-ish objects built from JSON's pieces, well-formed or not: the
// flat reader and the parser agree on every one the flat reader accepts,
// and the flat reader accepts every flat object the parser reads whose
// strings have no escapes.
TEST(ReadFlatJsonObject, AgreesWithParseJsonOnRandomObjects) {
  const std::vector<std::string> pieces = {"{",
                                           "}",
                                           ",",
                                           ":",
                                           " ",
                                           "\n",
                                           "\"a\"",
                                           "\"b\"",
                                           "\"\"",
                                           "\"\\n\"",
                                           "\"\xC3\xA9\"",
                                           "\"\xC3\"",
                                           "0",
                                           "-1",
                                           "12",
                                           "1.5",
                                           "1e9",
                                           "01",
                                           "-",
                                           "true",
                                           "false",
                                           "null",
                                           "[]",
                                           "{}",
                                           "99999999999999999999"};
  std::mt19937 random(15);
  int accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text = "{";
    const int length = random() % 12;
    for (int i = 0; i < length; ++i) {
      text += pieces[random() % pieces.size()];
    }
    if (random() % 2 == 0) text += "}";
    if (!AcceptedAlikeByBothReaders(text)) {
      // Declined: fine unless the parser reads a flat object the flat
      // reader should have read.
      absl::StatusOr<JsonValue> parsed = ParseJson(text);
      if (!parsed.ok() || !parsed->is_object() ||
          parsed->member_names().size() > 6) {
        continue;
      }
      bool flat = true;
      for (const JsonValue& value : parsed->member_values()) {
        flat = flat && !value.is_array() && !value.is_object();
      }
      if (flat && text.find('\\') == std::string::npos) {
        ADD_FAILURE() << "declined a flat object: " << text;
      }
      continue;
    }
    ++accepted;
  }
  EXPECT_GT(accepted, 100);  // The test reaches the accepting side too.
}

}  // namespace
}  // namespace captoken::token
