// File: json_writer.h
// -----------------------------------------------------------------------------
//
// JsonWriter writes JSON byte for byte the way one SDK's serializer does, so
// that our tokens equal the SDKs' tokens. Members come out in the order they
// are written; nothing is sorted or buffered.
//
// Three styles (spec §1.2 and §1.5):
//
//   kJavaScript     JSON.stringify, as twilio-node uses it: no whitespace,
//                   non-ASCII characters raw, only `"`, `\` and controls
//                   escaped (lowercase \u00XX).
//   kPythonDumps    json.dumps with its defaults, as twilio-python 5.x uses
//                   it: ", " and ": " separators, and every character outside
//                   0x20-0x7E escaped as \uXXXX (lowercase; surrogate pairs
//                   above U+FFFF).
//   kPythonCompact  json.dumps(separators=(",", ":")), as PyJWT writes for
//                   twilio-python 6+: python's escaping, no whitespace.
//
// Example:
//
//   std::string json;
//   JsonWriter writer(JsonStyle::kJavaScript, &json);
//   writer.BeginObject();
//   writer.Key("iss");
//   writer.String(account_sid);
//   writer.Key("exp");
//   writer.Int(expires_at);
//   writer.EndObject();    // json == {"iss":"AC...","exp":1700003600}

#ifndef CAPTOKEN_SERVICE_TOKEN_INTERNAL_JSON_WRITER_H_
#define CAPTOKEN_SERVICE_TOKEN_INTERNAL_JSON_WRITER_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace captoken::token::internal {

enum class JsonStyle {
  kJavaScript,
  kPythonDumps,
  kPythonCompact,
};

// JsonStringIsVerbatim is true if `value` is printable ASCII other than '"'
// and '\\' (and, for Python's styles, DEL): a string AppendJsonString
// writes as it is between the quotes. (It is false for non-ASCII text even
// where a style writes it raw.) Callers that append many short strings use
// it to write the common case in one copy.
bool JsonStringIsVerbatim(JsonStyle style, absl::string_view value);

// AppendJsonString appends `value` as a quoted JSON string in `style`.
// `value` must be valid UTF-8 (callers validate at the edge); a malformed
// byte is written as U+FFFD rather than copied.
void AppendJsonString(JsonStyle style, absl::string_view value,
                      std::string* out);

class JsonWriter {
 public:
  // JsonWriter appends to `*out`, which must outlive it.
  JsonWriter(JsonStyle style, std::string* out) : style_(style), out_(out) {}

  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();

  // Key writes a member name; the next call writes its value.
  void Key(absl::string_view key);

  void String(absl::string_view value);
  void Int(int64_t value);
  void Bool(bool value);
  void Null();

 private:
  // BeforeValue writes the separator a value needs in its position.
  void BeforeValue();
  void Open(char bracket);
  void Close(char bracket);

  JsonStyle style_;
  std::string* out_;
  // Whether the container at each depth already holds an element; one bit
  // per level, so nesting deeper than 64 levels is not supported (tokens
  // nest four at most).
  uint64_t has_element_ = 0;
  int depth_ = 0;
  bool after_key_ = false;
};

}  // namespace captoken::token::internal

#endif  // CAPTOKEN_SERVICE_TOKEN_INTERNAL_JSON_WRITER_H_
