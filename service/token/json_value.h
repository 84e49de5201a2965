// File: json_value.h
// -----------------------------------------------------------------------------
//
// A strict JSON (RFC 8259) parser for the header and claims of tokens that
// arrive from outside. It is the one parser that reads untrusted bytes, so it
// refuses everything it is not sure of:
//
//   * invalid UTF-8, and \u escapes that leave a lone surrogate;
//   * duplicate member names (JWT parsers disagree about which one wins);
//   * nesting deeper than a limit (no stack exhaustion);
//   * anything RFC 8259 does not allow: comments, trailing commas, leading
//     zeros, NaN, single quotes, trailing bytes after the value.
//
// Objects keep their members in document order.
//
// JsonValue is also how a caller hands the signers JSON to copy verbatim
// into a token (voice parameters, a playback grant, a TaskRouter filter's
// constraint): parse it from text, or build it with the static builders.
// verbatim_json.h checks such values before they are written.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(JsonValue claims, ParseJson(payload));
//   const JsonValue* exp = claims.Find("exp");
//   if (exp == nullptr || !exp->AsInt64().has_value()) return Malformed();
//
//   JsonValue required = JsonValue::Object({{"required",
//   JsonValue::Bool(true)}});

#ifndef CAPTOKEN_SERVICE_TOKEN_JSON_VALUE_H_
#define CAPTOKEN_SERVICE_TOKEN_JSON_VALUE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace captoken::token {

struct JsonMember;

class JsonValue {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  // A default JsonValue is null.
  JsonValue() = default;

  // Builders. Object keeps `members` in the given order and does not check
  // for repeated names (CheckVerbatimJson does).
  static JsonValue Null() { return JsonValue(); }
  static JsonValue Bool(bool value);
  static JsonValue Int(int64_t value);
  static JsonValue String(std::string value);
  static JsonValue Array(std::vector<JsonValue> elements);
  static JsonValue Object(
      std::vector<std::pair<std::string, JsonValue>> members);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  // bool_value is the value of a kBool.
  bool bool_value() const { return bool_value_; }

  // text is the decoded value of a kString, or the number as written for a
  // kNumber.
  const std::string& text() const { return text_; }

  // AsInt64 returns a kNumber written as an integer (no fraction, no
  // exponent) that fits in int64_t, and nullopt for anything else.
  std::optional<int64_t> AsInt64() const { return integer_; }

  // elements are the values of a kArray.
  const std::vector<JsonValue>& elements() const { return elements_; }

  // member_names and member_values are the members of a kObject, in order.
  const std::vector<std::string>& member_names() const { return names_; }
  const std::vector<JsonValue>& member_values() const { return elements_; }

  // mutable_member_values and ReleaseText let a reader that is done with a
  // parsed document move its strings out instead of copying them.
  // ReleaseText returns text() and leaves it empty.
  std::vector<JsonValue>& mutable_member_values() { return elements_; }
  std::string ReleaseText() { return std::move(text_); }

  // Find returns the value of member `name` of a kObject, or nullptr.
  const JsonValue* Find(absl::string_view name) const;

  // member_views are the members of a kObject as JsonMember, viewing this
  // value (which must outlive them); a member array or object is only its
  // type.
  std::vector<JsonMember> member_views() const;

  // Values are equal when they have the same type and content, members in
  // the same order. Numbers compare as written: 1 and 1.0 differ.
  friend bool operator==(const JsonValue& a, const JsonValue& b);
  friend bool operator!=(const JsonValue& a, const JsonValue& b) {
    return !(a == b);
  }

 private:
  friend class JsonParser;

  Type type_ = Type::kNull;
  bool bool_value_ = false;
  std::optional<int64_t> integer_;  // A kNumber's, as AsInt64 says.
  std::string text_;
  std::vector<std::string> names_;   // kObject member names.
  std::vector<JsonValue> elements_;  // kArray elements or kObject values.
};

// JsonMember is one member of a JSON object, seen in place: what readers of
// claims work on, whether the object was read by ReadFlatJsonObject or
// parsed by ParseJson (JsonValue::member_view). Its views are valid as long
// as what they view.
struct JsonMember {
  absl::string_view name;
  JsonValue::Type type = JsonValue::Type::kNull;
  // A string's decoded text, or a number as written (JsonValue::text).
  absl::string_view text;
  bool bool_value = false;
  // A number's value if it is an integer that fits (JsonValue::AsInt64).
  std::optional<int64_t> integer;
};

// ParseJson parses one JSON value that makes up all of `text` (whitespace
// around it allowed), nesting at most `max_depth` arrays and objects.
//
// Fails with INVALID_ARGUMENT and a fixed message that names the problem
// and its byte offset, never the content.
absl::StatusOr<JsonValue> ParseJson(absl::string_view text, int max_depth = 16);

// ReadFlatJsonObject reads `text`, without allocating, if it is a JSON
// object of the flat shape signers write for claims: at most
// `members.size()` members, each a string without escapes, a number, true,
// false or null (no array, no object), no name repeated. It fills `members`
// in document order, their views into `text`, and returns how many there
// are.
//
// It returns nullopt for anything else, valid JSON or not: ParseJson reads
// all JSON, and decides (and words the error) where this one declines. Both
// read with one grammar, so whatever this one accepts, ParseJson accepts
// with the same members (JsonValue::member_view).
std::optional<size_t> ReadFlatJsonObject(absl::string_view text,
                                         absl::Span<JsonMember> members);

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_JSON_VALUE_H_
