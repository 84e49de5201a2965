#include "tests/testing/json_lines.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace captoken::testing {

absl::StatusOr<std::vector<token::JsonValue>> ParseJsonLines(
    absl::string_view output) {
  std::vector<token::JsonValue> lines;
  int number = 0;
  while (!output.empty()) {
    const size_t end = output.find('\n');
    if (end == absl::string_view::npos) break;  // Still being written.
    const absl::string_view line = output.substr(0, end);
    output.remove_prefix(end + 1);
    ++number;
    absl::StatusOr<token::JsonValue> parsed = token::ParseJson(line);
    if (!parsed.ok() || !parsed->is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", number, " is not one JSON object: ", line));
    }
    lines.push_back(*std::move(parsed));
  }
  return lines;
}

std::string StringField(const token::JsonValue& object,
                        absl::string_view name) {
  const token::JsonValue* value = object.Find(name);
  return value != nullptr && value->is_string() ? value->text() : "";
}

}  // namespace captoken::testing
