// File: json_lines.h
// -----------------------------------------------------------------------------
//
// ParseJsonLines reads a server's output as the JSON lines it promises
// (docs/server.md, Logs): every line one JSON object. Tests use it to check
// that promise over everything a server wrote, and to find log lines by
// their fields rather than by substrings.
//
// Example:
//
//   ASSERT_OK_AND_ASSIGN(std::vector<token::JsonValue> lines,
//                        testing::ParseJsonLines(server->Output()));
//   for (const token::JsonValue& line : lines) {
//     if (testing::StringField(line, "event") == "audit") ...
//   }

#ifndef CAPTOKEN_TESTS_TESTING_JSON_LINES_H_
#define CAPTOKEN_TESTS_TESTING_JSON_LINES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/token/json_value.h"

namespace captoken::testing {

// ParseJsonLines parses each line of `output` (a last line without its
// newline, still being written, is left out) as one JSON object.
//
// Fails with INVALID_ARGUMENT naming the first line that is not one, and
// quoting it (this is for tests: the text is the test's own server output).
absl::StatusOr<std::vector<token::JsonValue>> ParseJsonLines(
    absl::string_view output);

// StringField returns the string member `name` of `object`; "" if it has no
// such member or the member is not a string.
std::string StringField(const token::JsonValue& object, absl::string_view name);

}  // namespace captoken::testing

#endif  // CAPTOKEN_TESTS_TESTING_JSON_LINES_H_
