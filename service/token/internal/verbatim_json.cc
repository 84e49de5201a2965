#include "service/token/internal/verbatim_json.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "service/token/internal/utf8.h"

namespace captoken::token::internal {
namespace {

// A problem found below the top: `path` is relative ("{2}[1]") and is only
// built on failure, on the way back up.
struct Problem {
  std::string path;
  std::string message;
};

absl::Status CheckString(absl::string_view text,
                         const VerbatimJsonRules& rules) {
  if (text.size() > rules.max_text_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("longer than ", rules.max_text_bytes, " bytes"));
  }
  if (!IsValidUtf8(text)) return absl::InvalidArgumentError("not valid UTF-8");
  return absl::OkStatus();
}

class Checker {
 public:
  explicit Checker(const VerbatimJsonRules& rules) : rules_(rules) {}

  // Returns nullopt when `value` (at `depth`, counting from 1) is fine.
  std::optional<Problem> Check(const JsonValue& value, size_t depth) {
    if (depth > rules_.max_depth) {
      return Problem{
          "", absl::StrCat("nested deeper than ", rules_.max_depth, " levels")};
    }
    if (++values_ > rules_.max_values) {
      return Problem{"",
                     absl::StrCat("more than ", rules_.max_values, " values")};
    }
    switch (value.type()) {
      case JsonValue::Type::kNull:
      case JsonValue::Type::kBool:
        return std::nullopt;
      case JsonValue::Type::kNumber: {
        const std::optional<int64_t> number = value.AsInt64();
        if (!number.has_value()) return Problem{"", "not an integer"};
        if (*number > kMaxSafeJsonInteger || *number < -kMaxSafeJsonInteger) {
          return Problem{"", "integer outside +/-(2^53 - 1)"};
        }
        return std::nullopt;
      }
      case JsonValue::Type::kString:
        if (absl::Status s = CheckString(value.text(), rules_); !s.ok()) {
          return Problem{"", std::string(s.message())};
        }
        return std::nullopt;
      case JsonValue::Type::kArray:
        for (size_t i = 0; i < value.elements().size(); ++i) {
          if (std::optional<Problem> problem =
                  Check(value.elements()[i], depth + 1)) {
            problem->path = absl::StrCat("[", i, "]", problem->path);
            return problem;
          }
        }
        return std::nullopt;
      case JsonValue::Type::kObject:
        return CheckObject(value, depth);
    }
    return std::nullopt;
  }

 private:
  std::optional<Problem> CheckObject(const JsonValue& value, size_t depth) {
    const std::vector<std::string>& names = value.member_names();
    for (size_t i = 0; i < names.size(); ++i) {
      std::optional<Problem> problem;
      if (names[i].empty()) {
        problem = Problem{"", "member name: required"};
      } else if (absl::Status s = CheckString(names[i], rules_); !s.ok()) {
        problem = Problem{"", absl::StrCat("member name: ", s.message())};
      } else {
        for (size_t j = 0; j < i && !problem.has_value(); ++j) {
          if (names[j] == names[i])
            problem = Problem{"", "duplicate member name"};
        }
      }
      if (!problem.has_value()) {
        problem = Check(value.member_values()[i], depth + 1);
      }
      if (problem.has_value()) {
        problem->path = absl::StrCat("{", i, "}", problem->path);
        return problem;
      }
    }
    return std::nullopt;
  }

  const VerbatimJsonRules& rules_;
  size_t values_ = 0;
};

}  // namespace

absl::Status CheckVerbatimJson(absl::string_view field, const JsonValue& value,
                               const VerbatimJsonRules& rules) {
  std::optional<Problem> problem = Checker(rules).Check(value, 1);
  if (!problem.has_value()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, problem->path, ": ", problem->message));
}

void AppendVerbatimJson(const JsonValue& value, JsonWriter* writer) {
  switch (value.type()) {
    case JsonValue::Type::kNull:
      writer->Null();
      return;
    case JsonValue::Type::kBool:
      writer->Bool(value.bool_value());
      return;
    case JsonValue::Type::kNumber:
      // Checked: an integer. Written from its value, so "-0" comes out as
      // 0, as both JSON.stringify and json.dumps write it.
      writer->Int(value.AsInt64().value_or(0));
      return;
    case JsonValue::Type::kString:
      writer->String(value.text());
      return;
    case JsonValue::Type::kArray:
      writer->BeginArray();
      for (const JsonValue& element : value.elements()) {
        AppendVerbatimJson(element, writer);
      }
      writer->EndArray();
      return;
    case JsonValue::Type::kObject:
      writer->BeginObject();
      for (size_t i = 0; i < value.member_names().size(); ++i) {
        writer->Key(value.member_names()[i]);
        AppendVerbatimJson(value.member_values()[i], writer);
      }
      writer->EndObject();
      return;
  }
}

}  // namespace captoken::token::internal
