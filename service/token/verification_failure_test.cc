// Tests for verification_failure.h: the reason a token failed travels with
// its status and maps to a status code.

#include "service/token/verification_failure.h"

#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/cord.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace captoken::token {

// Test failures print a VerificationFailure by its name.
void PrintTo(VerificationFailure failure, std::ostream* os) {
  *os << VerificationFailureName(failure);
}

namespace {

const std::vector<VerificationFailure>& AllFailures() {
  static const auto* const kAll = new std::vector<VerificationFailure>{
      VerificationFailure::kMalformed,
      VerificationFailure::kBadSignature,
      VerificationFailure::kUnsupportedHeader,
      VerificationFailure::kExpired,
      VerificationFailure::kNotYetValid,
      VerificationFailure::kWrongAccount,
      VerificationFailure::kTooLarge,
  };
  return *kAll;
}

TEST(VerificationError, InputsThatAreNotTokensWeAcceptAreInvalidArgument) {
  for (VerificationFailure failure : {VerificationFailure::kMalformed,
                                      VerificationFailure::kUnsupportedHeader,
                                      VerificationFailure::kTooLarge}) {
    EXPECT_EQ(VerificationError(failure, "m").code(),
              absl::StatusCode::kInvalidArgument)
        << VerificationFailureName(failure);
  }
}

TEST(VerificationError, TokensThatDoNotProveTheirClaimsAreUnauthenticated) {
  for (VerificationFailure failure :
       {VerificationFailure::kBadSignature, VerificationFailure::kExpired,
        VerificationFailure::kNotYetValid,
        VerificationFailure::kWrongAccount}) {
    EXPECT_EQ(VerificationError(failure, "m").code(),
              absl::StatusCode::kUnauthenticated)
        << VerificationFailureName(failure);
  }
}

TEST(VerificationError, KeepsTheMessageAsGiven) {
  const absl::Status status =
      VerificationError(VerificationFailure::kExpired, "token expired");
  EXPECT_EQ(status.message(), "token expired");
  EXPECT_FALSE(status.ok());
}

TEST(VerificationFailureOf, ReadsBackEveryFailure) {
  for (VerificationFailure failure : AllFailures()) {
    EXPECT_EQ(VerificationFailureOf(VerificationError(failure, "m")), failure)
        << VerificationFailureName(failure);
  }
}

TEST(VerificationFailureOf, OkIsNone) {
  EXPECT_EQ(VerificationFailureOf(absl::OkStatus()),
            VerificationFailure::kNone);
}

TEST(VerificationFailureOf, AnErrorWithoutAFailureIsMalformed) {
  EXPECT_EQ(VerificationFailureOf(absl::InvalidArgumentError("x")),
            VerificationFailure::kMalformed);
  EXPECT_EQ(VerificationFailureOf(absl::UnauthenticatedError("x")),
            VerificationFailure::kMalformed);
  EXPECT_EQ(VerificationFailureOf(absl::InternalError("x")),
            VerificationFailure::kMalformed);
}

TEST(VerificationFailureOf, IgnoresOtherPayloads) {
  absl::Status status = absl::UnauthenticatedError("x");
  status.SetPayload("type.example.com/other", absl::Cord("expired"));
  EXPECT_EQ(VerificationFailureOf(status), VerificationFailure::kMalformed);
}

TEST(VerificationFailureOf, SurvivesCopiesAndStatusOr) {
  const absl::Status original =
      VerificationError(VerificationFailure::kWrongAccount, "m");
  const absl::Status copy = original;  // NOLINT: testing the copy.
  EXPECT_EQ(VerificationFailureOf(copy), VerificationFailure::kWrongAccount);
  const absl::StatusOr<int> result = original;
  EXPECT_EQ(VerificationFailureOf(result.status()),
            VerificationFailure::kWrongAccount);
}

TEST(VerificationFailureOf, SurvivesAnUpdatedMessage) {
  absl::Status status =
      VerificationError(VerificationFailure::kNotYetValid, "token not yet");
  absl::Status rewrapped(status.code(), "context: token not yet");
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    rewrapped.SetPayload(url, payload);
  });
  EXPECT_EQ(VerificationFailureOf(rewrapped),
            VerificationFailure::kNotYetValid);
}

TEST(VerificationFailureName, NamesAreStableAndLowerCase) {
  EXPECT_EQ(VerificationFailureName(VerificationFailure::kNone), "none");
  EXPECT_EQ(VerificationFailureName(VerificationFailure::kMalformed),
            "malformed");
  EXPECT_EQ(VerificationFailureName(VerificationFailure::kBadSignature),
            "bad_signature");
  EXPECT_EQ(VerificationFailureName(VerificationFailure::kUnsupportedHeader),
            "unsupported_header");
  EXPECT_EQ(VerificationFailureName(VerificationFailure::kExpired), "expired");
  EXPECT_EQ(VerificationFailureName(VerificationFailure::kNotYetValid),
            "not_yet_valid");
  EXPECT_EQ(VerificationFailureName(VerificationFailure::kWrongAccount),
            "wrong_account");
  EXPECT_EQ(VerificationFailureName(VerificationFailure::kTooLarge),
            "too_large");
}

TEST(VerificationFailureName, NamesAreDistinct) {
  std::set<std::string> names;
  names.insert(
      std::string(VerificationFailureName(VerificationFailure::kNone)));
  for (VerificationFailure failure : AllFailures()) {
    names.insert(std::string(VerificationFailureName(failure)));
  }
  EXPECT_EQ(names.size(), AllFailures().size() + 1);
}

}  // namespace
}  // namespace captoken::token
