// Tests for json_text.h: JSON text parses keeping member order and refuses
// what is not JSON naming the field (never the text), and values write back
// compactly, numbers as the token wrote them.

#include "service/convert/json_text.h"

#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/json_value.h"
#include "tests/testing/status_matchers.h"

namespace captoken::convert {
namespace {

using ::captoken::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

TEST(JsonFromText, KeepsMemberOrder) {
  ASSERT_OK_AND_ASSIGN(token::JsonValue value,
                       JsonFromText("f", R"({"z":1,"a":{"y":true,"b":null}})"));
  ASSERT_TRUE(value.is_object());
  EXPECT_THAT(value.member_names(), ElementsAre("z", "a"));
  EXPECT_THAT(value.member_values()[1].member_names(), ElementsAre("y", "b"));
}

TEST(JsonFromText, NotJsonIsRefusedNamingTheFieldNotTheText) {
  EXPECT_THAT(JsonFromText("grants[0].playback.grant_json", "{\"secret-ish\""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(StartsWith("grants[0].playback.grant_json: "),
                             Not(HasSubstr("secret-ish")))));
  EXPECT_THAT(JsonFromText("f", ""),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("f: ")));
  EXPECT_THAT(JsonFromText("f", R"({"a":1,"a":2})"),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("f: ")));
}

TEST(JsonFromText, ScalarsAndArraysParse) {
  // Whether a token may carry them is the library's rule, not this one's.
  EXPECT_TRUE(JsonFromText("f", "[1,2]").ok());
  EXPECT_TRUE(JsonFromText("f", "\"text\"").ok());
  EXPECT_TRUE(JsonFromText("f", "1.5").ok());
}

TEST(JsonToText, WritesCompactJsonInOrder) {
  const std::string text = R"({"z":1,"a":[true,false,null,"x\"y"],"m":{}})";
  ASSERT_OK_AND_ASSIGN(token::JsonValue value, JsonFromText("f", text));
  EXPECT_EQ(JsonToText(value), text);
}

TEST(JsonToText, RemovesWhitespaceAndKeepsUnicodeRaw) {
  ASSERT_OK_AND_ASSIGN(token::JsonValue value,
                       JsonFromText("f",
                                    "{ \"name\" : \"caf\\u00e9\" , "
                                    "\"n\" : [ 1 , 2 ] }"));
  EXPECT_EQ(JsonToText(value), "{\"name\":\"café\",\"n\":[1,2]}");
}

TEST(JsonToText, NumbersStayAsWritten) {
  ASSERT_OK_AND_ASSIGN(token::JsonValue value,
                       JsonFromText("f", "[1.50,-0,2e3,9007199254740993]"));
  EXPECT_EQ(JsonToText(value), "[1.50,-0,2e3,9007199254740993]");
}

TEST(JsonToText, EscapesControlCharacters) {
  EXPECT_EQ(JsonToText(token::JsonValue::String("a\nb")), "\"a\\nb\"");
}

}  // namespace
}  // namespace captoken::convert
