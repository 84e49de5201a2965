// File: vectors.h
// -----------------------------------------------------------------------------
//
// Reads the SDK-produced reference cases under //tests/vectors from a test's
// runfiles. A test that uses them lists the filegroup in `data`.
//
// Example:
//
//   for (const std::string& id : ListVectorIds("node", "cc")) {
//     ASSERT_OK_AND_ASSIGN(token::JsonValue vector, ReadVector("node", id));
//   }

#ifndef CAPTOKEN_TESTS_TESTING_VECTORS_H_
#define CAPTOKEN_TESTS_TESTING_VECTORS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/token/json_value.h"

namespace captoken::testing {

// ListVectorIds returns, sorted, the ids (file names without ".json") of
// the cases in tests/vectors/<folder> whose ids start with `prefix`.
std::vector<std::string> ListVectorIds(absl::string_view folder,
                                       absl::string_view prefix);

// ReadVector reads and parses tests/vectors/<folder>/<id>.json.
absl::StatusOr<token::JsonValue> ReadVector(absl::string_view folder,
                                            absl::string_view id);

// Member returns the member `name` of `object`, or a null value if absent.
const token::JsonValue& Member(const token::JsonValue& object,
                               absl::string_view name);

}  // namespace captoken::testing

#endif  // CAPTOKEN_TESTS_TESTING_VECTORS_H_
