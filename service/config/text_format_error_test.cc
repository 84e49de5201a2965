// Tests for text_format_error.h: each message protobuf 3.21's text-format
// parser and tokenizer write maps to a fixed phrase that quotes nothing from
// the input, anything else to "not valid protobuf text", and the collector
// keeps the first error with its 1-based position.

#include "service/config/text_format_error.h"

#include <string>

#include "absl/strings/string_view.h"
#include "captoken/v1/config.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace captoken::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// What a pasted secret might look like.
constexpr absl::string_view kSecret = "s3cr3t-4c9f2e";

struct Case {
  std::string message;
  absl::string_view phrase;
};

TEST(TextFormatErrorPhrase, EachParserMessageBecomesAFixedPhrase) {
  const std::string s(kSecret);
  const Case cases[] = {
      {"Message type \"captoken.v1.ServerConfig\" has no field named \"" + s +
           "\".",
       "unknown field name"},
      {"Extension \"" + s +
           "\" is not defined or is not an extension of \"captoken.v1.X\".",
       "unknown extension"},
      {"Unknown enumeration value of \"" + s +
           "\" for field \"default_profile\".",
       "invalid value for an enum field"},
      {"Invalid value for boolean field \"verify_only\". Value: \"" + s + "\".",
       "invalid value for a boolean field"},
      {"Expected \"true\" or \"false\".", "invalid value for a boolean field"},
      {"Non-repeated field \"listen_address\" is specified multiple times.",
       "a field that is not repeated is set twice"},
      {"Field \"env\" is specified along with field \"file\", another member "
       "of oneof \"source\".",
       "a second field of the same oneof"},
      {"Expected identifier, got: " + s, "expected a field name"},
      {"Expected integer or identifier, got: " + s, "expected an enum value"},
      {"Expected integer, got: " + s, "expected an integer"},
      {"Integer out of range (" + s + ")", "integer out of range"},
      {"Expected double, got: " + s, "expected a number"},
      {"Expected string, got: " + s, "expected a string"},
      {"Invalid '-' symbol before identifier.", "unexpected \"-\""},
      {"Message is too deep, the parser exceeded the configured recursion "
       "limit of 100.",
       "nested too deeply"},
      {"Expected \":\", found \"" + s + "\".", "expected \":\""},
      {"Expected \"{\", found \"" + s + "\".", "expected \"{\""},
      {"Expected \"}\", found \"" + s + "\".", "expected \"}\""},
      {"Expected \">\", found \"" + s + "\".", "expected \">\""},
      {"Expected \"]\", found \"" + s + "\".", "expected \"]\""},
      // An expected token the parser has no business naming is not repeated.
      {"Expected \"" + s + "\", found \"x\".", "unexpected token"},
      {"String literals cannot cross line boundaries.", "invalid string"},
      {"Unexpected end of string.", "invalid string"},
      {"Invalid escape sequence in string literal.", "invalid string"},
      {"\"0x\" must be followed by hex digits.", "invalid number"},
      {"Need space between identifier and decimal point.", "invalid number"},
      {"Invalid control characters encountered in text.", "invalid character"},
      {"Interpreting non ascii codepoint 233.", "invalid character"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    const absl::string_view phrase = TextFormatErrorPhrase(c.message);
    EXPECT_EQ(phrase, c.phrase);
    EXPECT_THAT(std::string(phrase), Not(HasSubstr(kSecret)));
  }
}

TEST(TextFormatErrorPhrase, AnUnknownMessageIsNotValidProtobufText) {
  for (absl::string_view message :
       {absl::string_view(""), absl::string_view(kSecret),
        absl::string_view("Something new about \"s3cr3t-4c9f2e\".")}) {
    EXPECT_EQ(TextFormatErrorPhrase(message), "not valid protobuf text");
  }
}

TEST(TextFormatErrorCollector, KeepsTheFirstErrorWithItsOneBasedPosition) {
  TextFormatErrorCollector errors;
  errors.AddError(2, 4, "Expected \":\", found \"s3cr3t-4c9f2e\".");
  errors.AddError(7, 0, "Message type \"x\" has no field named \"y\".");
  EXPECT_EQ(errors.first_error(), "line 3 column 5: expected \":\"");
}

TEST(TextFormatErrorCollector, NoErrorReadsAsNotValidProtobufText) {
  EXPECT_EQ(TextFormatErrorCollector().first_error(),
            "not valid protobuf text");
}

TEST(TextFormatErrorCollector, RealParserErrorsAreRecognised) {
  // The parser's wording is protobuf's, not ours: if a new version changes
  // it, the fallback still hides the text, and this test says so.
  const Case cases[] = {
      // Positions are the parser's: after the unknown name, and at the token
      // after a bad enum value.
      {"s3cr3t_4c9f2e: 1\n", "line 1 column 14: unknown field name"},
      {"default_profile: s3cr3t_4c9f2e\n",
       "line 2 column 1: invalid value for an enum field"},
      {"listen_address: s3cr3t_4c9f2e\n",
       "line 1 column 17: expected a string"},
      {"limits { max_scopes_per_request: s3cr3t_4c9f2e }\n",
       "line 1 column 34: expected an integer"},
      {"listen_address \"s3cr3t_4c9f2e\"\n",
       "line 1 column 16: expected \":\""},
      {"\"s3cr3t_4c9f2e\"\n", "line 1 column 1: expected a field name"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    v1::ServerConfig config;
    TextFormatErrorCollector errors;
    google::protobuf::TextFormat::Parser parser;
    parser.RecordErrorsTo(&errors);
    EXPECT_FALSE(parser.ParseFromString(c.message, &config));
    EXPECT_EQ(errors.first_error(), c.phrase);
  }
}

}  // namespace
}  // namespace captoken::config
