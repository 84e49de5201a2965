// Tests for verbatim_json.h: what may be copied into a token, where each
// failure is reported, and the bytes written in each JSON style.

#include "service/token/internal/verbatim_json.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/internal/json_writer.h"
#include "service/token/json_value.h"
#include "tests/testing/status_matchers.h"

namespace captoken::token::internal {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

JsonValue Parse(absl::string_view text) {
  absl::StatusOr<JsonValue> value = ParseJson(text);
  EXPECT_THAT(value, IsOk());
  return value.ok() ? *value : JsonValue();
}

absl::Status Check(const JsonValue& value,
                   const VerbatimJsonRules& rules = {}) {
  return CheckVerbatimJson("params", value, rules);
}

std::string Write(JsonStyle style, const JsonValue& value) {
  std::string out;
  JsonWriter writer(style, &out);
  AppendVerbatimJson(value, &writer);
  return out;
}

// at01's parameters, as twilio-node wrote them.
constexpr absl::string_view kAt01Params =
    R"({"foo":"bar","n":1,"nested":{"deep":[1,"two"]}})";

TEST(CheckVerbatimJson, AcceptsEveryKindOfValue) {
  EXPECT_THAT(Check(Parse(kAt01Params)), IsOk());
  EXPECT_THAT(Check(Parse(R"({"a":null,"b":true,"c":false,"d":[],"e":{}})")),
              IsOk());
  EXPECT_THAT(Check(Parse(R"("just a string")")), IsOk());
}

TEST(CheckVerbatimJson, AcceptsControlCharactersAndNonAsciiInValues) {
  EXPECT_THAT(Check(JsonValue::String("a\x01\n\x7f\u00e9")), IsOk());
}

TEST(CheckVerbatimJson, AcceptsTheLargestSafeIntegers) {
  EXPECT_THAT(Check(JsonValue::Int(kMaxSafeJsonInteger)), IsOk());
  EXPECT_THAT(Check(JsonValue::Int(-kMaxSafeJsonInteger)), IsOk());
}

TEST(CheckVerbatimJson, RefusesIntegersJavaScriptCannotHoldExactly) {
  EXPECT_THAT(Check(JsonValue::Int(kMaxSafeJsonInteger + 1)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "params: integer outside +/-(2^53 - 1)"));
  EXPECT_THAT(Check(JsonValue::Int(-kMaxSafeJsonInteger - 1)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "params: integer outside +/-(2^53 - 1)"));
  EXPECT_THAT(
      Check(Parse("123456789012345678901234567890")),
      StatusIs(absl::StatusCode::kInvalidArgument, "params: not an integer"));
}

TEST(CheckVerbatimJson, RefusesFractionsAndExponents) {
  EXPECT_THAT(Check(Parse(R"({"a":[1.5]})")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "params{0}[0]: not an integer"));
  EXPECT_THAT(Check(Parse("1e3")), StatusIs(absl::StatusCode::kInvalidArgument,
                                            "params: not an integer"));
  EXPECT_THAT(Check(Parse("1.0")), StatusIs(absl::StatusCode::kInvalidArgument,
                                            "params: not an integer"));
}

TEST(CheckVerbatimJson, RefusesRepeatedMemberNames) {
  JsonValue value =
      JsonValue::Object({{"a", JsonValue::Int(1)}, {"a", JsonValue::Int(2)}});
  EXPECT_THAT(Check(value), StatusIs(absl::StatusCode::kInvalidArgument,
                                     "params{1}: duplicate member name"));
}

TEST(CheckVerbatimJson, RefusesEmptyMemberNames) {
  EXPECT_THAT(Check(JsonValue::Object({{"", JsonValue::Int(1)}})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "params{0}: member name: required"));
}

TEST(CheckVerbatimJson, RefusesInvalidUtf8InNamesAndValues) {
  EXPECT_THAT(Check(JsonValue::Object({{"\xff", JsonValue::Int(1)}})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "params{0}: member name: not valid UTF-8"));
  EXPECT_THAT(
      Check(JsonValue::Array({JsonValue::Null(), JsonValue::String("\xc3")})),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "params[1]: not valid UTF-8"));
}

TEST(CheckVerbatimJson, RefusesTextLongerThanTheLimit) {
  VerbatimJsonRules rules;
  rules.max_text_bytes = 3;
  EXPECT_THAT(Check(JsonValue::String("abc"), rules), IsOk());
  EXPECT_THAT(Check(JsonValue::String("abcd"), rules),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "params: longer than 3 bytes"));
  EXPECT_THAT(Check(JsonValue::Object({{"abcd", JsonValue::Null()}}), rules),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "params{0}: member name: longer than 3 bytes"));
}

TEST(CheckVerbatimJson, DepthCountsTheOutermostValueAsOne) {
  VerbatimJsonRules rules;
  rules.max_depth = 2;
  EXPECT_THAT(Check(Parse(R"({"a":1})"), rules), IsOk());
  EXPECT_THAT(Check(Parse(R"({"a":[]})"), rules), IsOk());
  EXPECT_THAT(Check(Parse(R"({"a":[1]})"), rules),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "params{0}[0]: nested deeper than 2 levels"));
}

TEST(CheckVerbatimJson, CountsEveryValue) {
  VerbatimJsonRules rules;
  rules.max_values = 3;
  EXPECT_THAT(Check(Parse("[1,2]"), rules), IsOk());
  EXPECT_THAT(Check(Parse("[1,[2]]"), rules),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "params[1][0]: more than 3 values"));
}

TEST(CheckVerbatimJson, MessagesNeverQuoteNamesOrValues) {
  absl::Status status =
      Check(JsonValue::Object({{"secret-name", JsonValue::String("x")},
                               {"secret-name", JsonValue::String("y")}}));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("secret-name")));
  status = Check(Parse(R"({"k":12.75})"));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("12.75")));
}

TEST(VerbatimJsonRules, FromTakesTheJsonLimits) {
  SigningLimits limits;
  limits.max_json_depth = 3;
  limits.max_json_values = 9;
  limits.max_text_bytes = 27;
  const VerbatimJsonRules rules = VerbatimJsonRules::From(limits);
  EXPECT_EQ(rules.max_depth, 3u);
  EXPECT_EQ(rules.max_values, 9u);
  EXPECT_EQ(rules.max_text_bytes, 27u);
}

TEST(AppendVerbatimJson, WritesTheSdksBytesInEachStyle) {
  EXPECT_EQ(Write(JsonStyle::kJavaScript, Parse(kAt01Params)), kAt01Params);
  EXPECT_EQ(Write(JsonStyle::kPythonDumps, Parse(kAt01Params)),
            R"({"foo": "bar", "n": 1, "nested": {"deep": [1, "two"]}})");
}

TEST(AppendVerbatimJson, WritesEveryScalarAndEmptyContainers) {
  const JsonValue value =
      Parse(R"({"a":null,"b":true,"c":false,"d":[],"e":{},"f":-7})");
  EXPECT_EQ(Write(JsonStyle::kJavaScript, value),
            R"({"a":null,"b":true,"c":false,"d":[],"e":{},"f":-7})");
  EXPECT_EQ(Write(JsonStyle::kPythonDumps, value),
            R"({"a": null, "b": true, "c": false, "d": [], "e": {}, "f": -7})");
}

TEST(AppendVerbatimJson, WritesMinusZeroAsZero) {
  EXPECT_EQ(Write(JsonStyle::kJavaScript, Parse("-0")), "0");
}

TEST(AppendVerbatimJson, EscapesStringsAsEachSdkDoes) {
  const JsonValue value = JsonValue::String("\x01/\u00e9");
  EXPECT_EQ(Write(JsonStyle::kJavaScript, value), "\"\\u0001/\u00e9\"");
  EXPECT_EQ(Write(JsonStyle::kPythonDumps, value), "\"\\u0001/\\u00e9\"");
}

}  // namespace
}  // namespace captoken::token::internal
