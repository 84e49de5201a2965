// File: status_matchers.h
// -----------------------------------------------------------------------------
//
// GoogleMock matchers for absl::Status and absl::StatusOr, which our Abseil
// (20220623) does not ship yet.
//
// Example:
//
//   EXPECT_THAT(Verify(token), IsOk());
//   EXPECT_THAT(Verify(tampered),
//               StatusIs(absl::StatusCode::kUnauthenticated,
//                        HasSubstr("signature")));
//   ASSERT_OK_AND_ASSIGN(std::string token, capability.Generate());

#ifndef CAPTOKEN_TESTS_TESTING_STATUS_MATCHERS_H_
#define CAPTOKEN_TESTS_TESTING_STATUS_MATCHERS_H_

#include <ostream>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"

namespace captoken::testing {
namespace internal {

inline const absl::Status& GetStatus(const absl::Status& status) {
  return status;
}

template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

}  // namespace internal

// IsOk matches an OK absl::Status or absl::StatusOr<T>.
MATCHER(IsOk, negation ? "is not OK" : "is OK") {
  const absl::Status& status = internal::GetStatus(arg);
  if (!status.ok()) *result_listener << "whose status is " << status;
  return status.ok();
}

// StatusIs matches a status (or StatusOr) with `code`, and optionally a
// message that matches `message_matcher`.
MATCHER_P2(StatusIs, code, message_matcher,
           std::string(negation ? "has not" : "has") + " code " +
               absl::StatusCodeToString(code)) {
  const absl::Status& status = internal::GetStatus(arg);
  *result_listener << "whose status is " << status;
  return status.code() == code &&
         ::testing::ExplainMatchResult(
             message_matcher, std::string(status.message()), result_listener);
}

}  // namespace captoken::testing

#define CAPTOKEN_TESTING_CONCAT_(x, y) CAPTOKEN_TESTING_CONCAT2_(x, y)
#define CAPTOKEN_TESTING_CONCAT2_(x, y) x##y

// ASSERT_OK_AND_ASSIGN asserts that `rexpr` is OK and moves its value into
// `lhs`, which may be a declaration.
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr)                          \
  auto CAPTOKEN_TESTING_CONCAT_(statusor_, __LINE__) = (rexpr);   \
  ASSERT_TRUE(CAPTOKEN_TESTING_CONCAT_(statusor_, __LINE__).ok()) \
      << CAPTOKEN_TESTING_CONCAT_(statusor_, __LINE__).status();  \
  lhs = *std::move(CAPTOKEN_TESTING_CONCAT_(statusor_, __LINE__))

#endif  // CAPTOKEN_TESTS_TESTING_STATUS_MATCHERS_H_
