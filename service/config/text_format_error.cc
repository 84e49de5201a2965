#include "service/config/text_format_error.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace captoken::config {
namespace {

constexpr absl::string_view kNotValid = "not valid protobuf text";

// A parser message and the phrase that replaces it. Each `prefix` is the
// fixed start of the message, before anything quoted from the input; the
// first match wins, so a longer prefix comes before a shorter one it
// extends.
struct Phrase {
  absl::string_view prefix;
  absl::string_view phrase;
};

constexpr Phrase kPhrases[] = {
    // text_format.cc
    {"Message type \"", "unknown field name"},
    {"Extension \"", "unknown extension"},
    {"Unknown enumeration value of \"", "invalid value for an enum field"},
    {"Invalid value for boolean field \"", "invalid value for a boolean field"},
    {"Expected \"true\" or \"false\"", "invalid value for a boolean field"},
    {"Non-repeated field \"", "a field that is not repeated is set twice"},
    {"Field \"", "a second field of the same oneof"},
    {"Expected identifier", "expected a field name"},
    {"Expected integer or identifier", "expected an enum value"},
    {"Expected integer", "expected an integer"},
    {"Integer out of range", "integer out of range"},
    {"Expected double", "expected a number"},
    {"Expect a decimal number", "expected a number"},
    {"Expected string", "expected a string"},
    {"Invalid '-' symbol", "unexpected \"-\""},
    {"Message is too deep", "nested too deeply"},
    {"Reached maximum recursion limit", "nested too deeply"},
    {"Could not find type \"", "unknown type in an Any"},
    // io/tokenizer.cc
    {"String literals cannot cross line boundaries", "invalid string"},
    {"Unexpected end of string", "invalid string"},
    {"Invalid escape sequence", "invalid string"},
    {"Expected hex digits", "invalid string"},
    {"Invalid octal escape", "invalid string"},
    {"\"0x\" must be followed", "invalid number"},
    {"Numbers starting with leading zero", "invalid number"},
    {"Already saw decimal point or exponent", "invalid number"},
    {"\"e\" must be followed", "invalid number"},
    {"Need space between", "invalid number"},
    {"Invalid control characters", "invalid character"},
    {"Interpreting non ascii codepoint", "invalid character"},
};

// The tokens the parser itself expects (Consume(":"), the closing
// delimiter, list punctuation, Any type URLs). `Expected "X", found "Y".`
// quotes one of these as X and the input as Y; an X not listed here is not
// repeated either.
constexpr absl::string_view kExpectedTokens[] = {
    "expected \":\"", "expected \"{\"", "expected \"}\"", "expected \"<\"",
    "expected \">\"", "expected \"[\"", "expected \"]\"", "expected \",\"",
    "expected \"/\"", "expected \".\"", "expected \";\"",
};

}  // namespace

absl::string_view TextFormatErrorPhrase(absl::string_view parser_message) {
  for (const Phrase& entry : kPhrases) {
    if (absl::StartsWith(parser_message, entry.prefix)) return entry.phrase;
  }
  // Expected "X", found "Y".
  if (absl::StartsWith(parser_message, "Expected \"")) {
    const absl::string_view rest = parser_message.substr(10);
    if (rest.size() > 1 && rest[1] == '"') {
      for (absl::string_view expected : kExpectedTokens) {
        if (expected[10] == rest[0]) return expected;
      }
    }
    return "unexpected token";
  }
  return kNotValid;
}

void TextFormatErrorCollector::AddError(
    int line, google::protobuf::io::ColumnNumber column,
    const std::string& message) {
  if (!first_error_.empty()) return;
  first_error_ = absl::StrCat("line ", line + 1, " column ", column + 1, ": ",
                              TextFormatErrorPhrase(message));
}

std::string TextFormatErrorCollector::first_error() const {
  return first_error_.empty() ? std::string(kNotValid) : first_error_;
}

}  // namespace captoken::config
