// Tests for json_writer.h: JSON byte for byte as JSON.stringify (twilio-node),
// json.dumps (twilio-python 5.x) and PyJWT's compact json.dumps
// (twilio-python 6+) write it (spec §1.2 and §1.5).

#include "service/token/internal/json_writer.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace captoken::token::internal {
namespace {

std::string Quoted(JsonStyle style, absl::string_view value) {
  std::string out;
  AppendJsonString(style, value, &out);
  return out;
}

std::string Node(absl::string_view value) {
  return Quoted(JsonStyle::kJavaScript, value);
}

std::string Python(absl::string_view value) {
  return Quoted(JsonStyle::kPythonDumps, value);
}

// ---- strings: JSON.stringify ----------------------------------------------

TEST(JavaScriptStyle, PlainAsciiIsCopied) {
  EXPECT_EQ(Node("scope:client:incoming?clientName=alice"),
            R"("scope:client:incoming?clientName=alice")");
  EXPECT_EQ(Node(""), R"("")");
}

TEST(JavaScriptStyle, QuoteAndBackslashAreEscaped) {
  EXPECT_EQ(Node(R"(say "hi")"), R"("say \"hi\"")");
  EXPECT_EQ(Node(R"(C:\path)"), R"("C:\\path")");
  EXPECT_EQ(Node(R"(\")"), R"("\\\"")");
}

TEST(JavaScriptStyle, TheFiveNamedControlsUseShortEscapes) {
  EXPECT_EQ(Node("\b\t\n\f\r"), R"("\b\t\n\f\r")");
}

TEST(JavaScriptStyle, OtherControlsUseLowercaseUnicodeEscapes) {
  EXPECT_EQ(Node(absl::string_view("\0", 1)), R"("\u0000")");
  EXPECT_EQ(Node("\x01"), R"("\u0001")");
  EXPECT_EQ(Node("\x0b"), R"("\u000b")");  // Vertical tab: no short form.
  EXPECT_EQ(Node("\x1b"), R"("\u001b")");
  EXPECT_EQ(Node("\x1f"), R"("\u001f")");
  EXPECT_EQ(Node("a\x1e"
                 "b"),
            R"("a\u001eb")");
}

TEST(JavaScriptStyle, EveryControlCharacterIsEscaped) {
  for (int c = 0; c < 0x20; ++c) {
    const std::string quoted = Node(std::string(1, static_cast<char>(c)));
    EXPECT_EQ(quoted[1], '\\') << c;
    for (char byte : quoted) {
      EXPECT_GE(static_cast<unsigned char>(byte), 0x20) << c;
    }
  }
}

TEST(JavaScriptStyle, SlashIsNeverEscaped) {
  EXPECT_EQ(Node("path=/2010-04-01/Events"), R"("path=/2010-04-01/Events")");
}

TEST(JavaScriptStyle, DelIsRaw) { EXPECT_EQ(Node("\x7f"), "\"\x7f\""); }

TEST(JavaScriptStyle, HtmlCharactersAreRaw) {
  EXPECT_EQ(Node("<a href='x'>&amp;</a>"), R"("<a href='x'>&amp;</a>")");
}

TEST(JavaScriptStyle, LineAndParagraphSeparatorsAreRaw) {
  EXPECT_EQ(Node("\xE2\x80\xA8"), "\"\xE2\x80\xA8\"");  // U+2028
  EXPECT_EQ(Node("\xE2\x80\xA9"), "\"\xE2\x80\xA9\"");  // U+2029
}

TEST(JavaScriptStyle, NonAsciiIsRawUtf8) {
  EXPECT_EQ(Node("Jos\xC3\xA9"), "\"Jos\xC3\xA9\"");            // é
  EXPECT_EQ(Node("\xC2\x80"), "\"\xC2\x80\"");                  // U+0080
  EXPECT_EQ(Node("\xE2\x82\xAC"), "\"\xE2\x82\xAC\"");          // €
  EXPECT_EQ(Node("\xF0\x9F\x98\x80"), "\"\xF0\x9F\x98\x80\"");  // 😀
  EXPECT_EQ(Node("\xF4\x8F\xBF\xBF"), "\"\xF4\x8F\xBF\xBF\"");  // max
}

TEST(JavaScriptStyle, MalformedUtf8IsWrittenAsReplacementCharacter) {
  EXPECT_EQ(Node("a\xFF"
                 "b"),
            "\"a\xEF\xBF\xBD"
            "b\"");
  EXPECT_EQ(Node("\xC3"), "\"\xEF\xBF\xBD\"");
  EXPECT_EQ(Node("\xED\xA0\x80"),  // A surrogate: three bad bytes.
            "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

// ---- strings: json.dumps (ensure_ascii) -----------------------------------

TEST(PythonStyle, PlainAsciiIsCopied) {
  EXPECT_EQ(Python("scope:client:incoming?clientName=alice"),
            R"("scope:client:incoming?clientName=alice")");
  EXPECT_EQ(Python(""), R"("")");
}

TEST(PythonStyle, QuoteAndBackslashAreEscaped) {
  EXPECT_EQ(Python(R"(say "hi")"), R"("say \"hi\"")");
  EXPECT_EQ(Python(R"(C:\path)"), R"("C:\\path")");
}

TEST(PythonStyle, TheFiveNamedControlsUseShortEscapes) {
  EXPECT_EQ(Python("\b\t\n\f\r"), R"("\b\t\n\f\r")");
}

TEST(PythonStyle, OtherControlsUseLowercaseUnicodeEscapes) {
  EXPECT_EQ(Python(absl::string_view("\0", 1)), R"("\u0000")");
  EXPECT_EQ(Python("\x01"), R"("\u0001")");
  EXPECT_EQ(Python("\x0b"), R"("\u000b")");
  EXPECT_EQ(Python("\x1f"), R"("\u001f")");
}

TEST(PythonStyle, DelIsEscaped) { EXPECT_EQ(Python("\x7f"), R"("\u007f")"); }

TEST(PythonStyle, SlashIsNeverEscaped) {
  EXPECT_EQ(Python("path=/2010-04-01/Events"), R"("path=/2010-04-01/Events")");
}

TEST(PythonStyle, HtmlCharactersAreRaw) {
  EXPECT_EQ(Python("<a>&"), R"("<a>&")");
}

TEST(PythonStyle, NonAsciiIsEscapedWithLowercaseHex) {
  EXPECT_EQ(Python("Jos\xC3\xA9"), R"("Jos\u00e9")");
  EXPECT_EQ(Python("\xC2\x80"), R"("\u0080")");
  EXPECT_EQ(Python("\xC2\x9F"), R"("\u009f")");
  EXPECT_EQ(Python("\xE2\x82\xAC"), R"("\u20ac")");
  EXPECT_EQ(Python("\xE2\x80\xA8\xE2\x80\xA9"), R"("\u2028\u2029")");
  EXPECT_EQ(Python("\xEF\xBF\xBF"), R"("\uffff")");
}

TEST(PythonStyle, CodePointsAboveTheBmpBecomeSurrogatePairs) {
  EXPECT_EQ(Python("\xF0\x9F\x98\x80"), R"("\ud83d\ude00")");  // U+1F600
  EXPECT_EQ(Python("\xF0\x90\x80\x80"), R"("\ud800\udc00")");  // U+10000
  EXPECT_EQ(Python("\xF4\x8F\xBF\xBF"), R"("\udbff\udfff")");  // U+10FFFF
}

TEST(PythonStyle, MalformedUtf8IsWrittenAsReplacementCharacter) {
  EXPECT_EQ(Python("a\xFF"
                   "b"),
            R"("a\ufffdb")");
}

TEST(PythonStyle, OutputIsAlwaysPrintableAscii) {
  std::string all;
  for (int c = 0; c < 0x80; ++c) all.push_back(static_cast<char>(c));
  all += "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  for (char c : Python(all)) {
    EXPECT_GE(static_cast<unsigned char>(c), 0x20);
    EXPECT_LT(static_cast<unsigned char>(c), 0x7f);
  }
}

TEST(AppendJsonString, AppendsToWhatIsAlreadyThere) {
  std::string out = "prefix:";
  AppendJsonString(JsonStyle::kJavaScript, "a", &out);
  AppendJsonString(JsonStyle::kPythonDumps, "b", &out);
  EXPECT_EQ(out, R"(prefix:"a""b")");
}

// ---- JsonWriter -----------------------------------------------------------

// Writes the capability claims of the header comment's example, and more.
template <typename WriteFn>
std::string Write(JsonStyle style, WriteFn write) {
  std::string out;
  JsonWriter writer(style, &out);
  write(writer);
  return out;
}

void WriteClaims(JsonWriter& writer) {
  writer.BeginObject();
  writer.Key("scope");
  writer.String("scope:client:incoming?clientName=alice");
  writer.Key("iss");
  writer.String("AC0123456789abcdef0123456789abcdef");
  writer.Key("exp");
  writer.Int(1700003600);
  writer.EndObject();
}

// JsonStringIsVerbatim must say exactly when AppendJsonString copies a
// string as it is: every byte value at every position of every length up
// to 40, across each length where it changes method (4, 8, 16).
TEST(JsonStringIsVerbatim, AgreesWithAppendJsonStringForEveryByte) {
  for (JsonStyle style : {JsonStyle::kJavaScript, JsonStyle::kPythonDumps,
                          JsonStyle::kPythonCompact}) {
    for (size_t length = 1; length <= 40; ++length) {
      for (size_t pos = 0; pos < length; ++pos) {
        for (int byte = 0; byte < 256; ++byte) {
          std::string value(length, 'a');
          value[pos] = static_cast<char>(byte);
          std::string written;
          AppendJsonString(style, value, &written);
          EXPECT_EQ(JsonStringIsVerbatim(style, value),
                    written == "\"" + value + "\"")
              << "style " << static_cast<int>(style) << " length " << length
              << " byte " << byte << " at " << pos;
        }
      }
    }
    EXPECT_TRUE(JsonStringIsVerbatim(style, ""));
  }
}

TEST(JsonWriter, JavaScriptStyleIsCompact) {
  EXPECT_EQ(Write(JsonStyle::kJavaScript, WriteClaims),
            R"({"scope":"scope:client:incoming?clientName=alice",)"
            R"("iss":"AC0123456789abcdef0123456789abcdef","exp":1700003600})");
}

TEST(JsonWriter, PythonStyleUsesSpacedSeparators) {
  EXPECT_EQ(
      Write(JsonStyle::kPythonDumps, WriteClaims),
      R"({"scope": "scope:client:incoming?clientName=alice", )"
      R"("iss": "AC0123456789abcdef0123456789abcdef", "exp": 1700003600})");
}

TEST(JsonWriter, WritesThePythonHeaderExactly) {
  EXPECT_EQ(Write(JsonStyle::kPythonDumps,
                  [](JsonWriter& writer) {
                    writer.BeginObject();
                    writer.Key("typ");
                    writer.String("JWT");
                    writer.Key("alg");
                    writer.String("HS256");
                    writer.EndObject();
                  }),
            R"({"typ": "JWT", "alg": "HS256"})");
}

void WriteNested(JsonWriter& writer) {
  writer.BeginArray();
  writer.Int(1);
  writer.Int(2);
  writer.BeginArray();
  writer.Int(3);
  writer.BeginObject();
  writer.EndObject();
  writer.BeginArray();
  writer.EndArray();
  writer.EndArray();
  writer.BeginObject();
  writer.Key("a");
  writer.Null();
  writer.Key("b");
  writer.Bool(true);
  writer.Key("c");
  writer.Bool(false);
  writer.Key("d");
  writer.BeginObject();
  writer.Key("e");
  writer.BeginArray();
  writer.String("x");
  writer.EndArray();
  writer.EndObject();
  writer.Key("f");
  writer.Int(-1);
  writer.EndObject();
  writer.EndArray();
}

TEST(JsonWriter, NestsArraysAndObjectsInJavaScriptStyle) {
  EXPECT_EQ(Write(JsonStyle::kJavaScript, WriteNested),
            R"([1,2,[3,{},[]],{"a":null,"b":true,"c":false,)"
            R"("d":{"e":["x"]},"f":-1}])");
}

TEST(JsonWriter, NestsArraysAndObjectsInPythonStyle) {
  EXPECT_EQ(Write(JsonStyle::kPythonDumps, WriteNested),
            R"([1, 2, [3, {}, []], {"a": null, "b": true, "c": false, )"
            R"("d": {"e": ["x"]}, "f": -1}])");
}

// PyJWT: json.dumps(payload, separators=(",", ":")); python's escaping.
TEST(JsonWriter, PythonCompactStyleIsCompactWithPythonEscapes) {
  EXPECT_EQ(Write(JsonStyle::kPythonCompact, WriteClaims),
            R"({"scope":"scope:client:incoming?clientName=alice",)"
            R"("iss":"AC0123456789abcdef0123456789abcdef","exp":1700003600})");
  EXPECT_EQ(Write(JsonStyle::kPythonCompact, WriteNested),
            R"([1,2,[3,{},[]],{"a":null,"b":true,"c":false,)"
            R"("d":{"e":["x"]},"f":-1}])");
  // py6_at10 / py9_at10's identity.
  EXPECT_EQ(Write(JsonStyle::kPythonCompact,
                  [](JsonWriter& writer) {
                    writer.BeginObject();
                    writer.Key("identity");
                    writer.String(
                        "Zo\xC3\xAB \xF0\x9F\x8E\xA7 "
                        "\xE7\x94\xA8\xE6\x88\xB7\x7F");
                    writer.EndObject();
                  }),
            R"({"identity":"Zo\u00eb \ud83c\udfa7 \u7528\u6237\u007f"})");
}

TEST(JsonWriter, EmptyContainers) {
  for (JsonStyle style : {JsonStyle::kJavaScript, JsonStyle::kPythonDumps,
                          JsonStyle::kPythonCompact}) {
    EXPECT_EQ(Write(style,
                    [](JsonWriter& writer) {
                      writer.BeginObject();
                      writer.EndObject();
                    }),
              "{}");
    EXPECT_EQ(Write(style,
                    [](JsonWriter& writer) {
                      writer.BeginArray();
                      writer.EndArray();
                    }),
              "[]");
  }
}

TEST(JsonWriter, SeparatorsRestartInEachContainer) {
  // The first member after a nested container closes still gets a comma;
  // the first element inside a new container does not.
  EXPECT_EQ(Write(JsonStyle::kJavaScript,
                  [](JsonWriter& writer) {
                    writer.BeginObject();
                    writer.Key("a");
                    writer.BeginObject();
                    writer.Key("b");
                    writer.Int(1);
                    writer.EndObject();
                    writer.Key("c");
                    writer.BeginArray();
                    writer.Int(2);
                    writer.EndArray();
                    writer.Key("d");
                    writer.Int(3);
                    writer.EndObject();
                  }),
            R"({"a":{"b":1},"c":[2],"d":3})");
}

TEST(JsonWriter, WritesIntegersInPlainDecimal) {
  EXPECT_EQ(Write(JsonStyle::kJavaScript,
                  [](JsonWriter& writer) {
                    writer.BeginArray();
                    writer.Int(0);
                    writer.Int(-5);
                    writer.Int(1700003600);
                    writer.Int(std::numeric_limits<int64_t>::max());
                    writer.Int(std::numeric_limits<int64_t>::min());
                    writer.EndArray();
                  }),
            "[0,-5,1700003600,9223372036854775807,-9223372036854775808]");
}

TEST(JsonWriter, EscapesMemberNamesLikeValues) {
  EXPECT_EQ(Write(JsonStyle::kJavaScript,
                  [](JsonWriter& writer) {
                    writer.BeginObject();
                    writer.Key("na\"me\xC3\xA9");
                    writer.String("v\n");
                    writer.EndObject();
                  }),
            "{\"na\\\"me\xC3\xA9\":\"v\\n\"}");
  EXPECT_EQ(Write(JsonStyle::kPythonDumps,
                  [](JsonWriter& writer) {
                    writer.BeginObject();
                    writer.Key("na\"me\xC3\xA9");
                    writer.String("v\n");
                    writer.EndObject();
                  }),
            R"({"na\"me\u00e9": "v\n"})");
}

TEST(JsonWriter, TopLevelScalars) {
  EXPECT_EQ(Write(JsonStyle::kJavaScript,
                  [](JsonWriter& writer) { writer.String("x"); }),
            R"("x")");
  EXPECT_EQ(
      Write(JsonStyle::kPythonDumps, [](JsonWriter& writer) { writer.Null(); }),
      "null");
  EXPECT_EQ(Write(JsonStyle::kPythonDumps,
                  [](JsonWriter& writer) { writer.Int(42); }),
            "42");
}

TEST(JsonWriter, AppendsToWhatIsAlreadyThere) {
  std::string out = "payload=";
  JsonWriter writer(JsonStyle::kJavaScript, &out);
  writer.BeginObject();
  writer.Key("a");
  writer.Int(1);
  writer.EndObject();
  EXPECT_EQ(out, R"(payload={"a":1})");
}

TEST(JsonWriter, SupportsSixtyFourLevelsOfNesting) {
  std::string out;
  JsonWriter writer(JsonStyle::kJavaScript, &out);
  for (int i = 0; i < 64; ++i) {
    writer.BeginArray();
    writer.Int(i);
  }
  for (int i = 0; i < 64; ++i) {
    writer.EndArray();
    if (i == 0) writer.Int(99);  // A second element at depth 63.
  }
  std::string expected;
  for (int i = 0; i < 64; ++i) {
    if (i > 0) expected += ",";
    expected += "[" + std::to_string(i);
  }
  expected += "],99";
  for (int i = 1; i < 64; ++i) expected += "]";
  EXPECT_EQ(out, expected);
}

}  // namespace
}  // namespace captoken::token::internal
