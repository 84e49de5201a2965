// File: sdk_cases.h
// -----------------------------------------------------------------------------
//
// What the known-answer tests (service/token/*_vectors_test.cc) share: a
// case is expected to give the SDK's exact bytes (if the SDK signed it) or
// to be refused (if the SDK refused it), unless the test's table of
// exceptions says otherwise, with the reason. A case added to the vectors
// is therefore tested by default.
//
// Example:
//
//   const SdkCaseExceptions& Exceptions() { ... {"at17_hs384",
//       {Deviation::kWeRefuse, "we sign HS256 only"}} ... }
//
//   const SdkCaseException* exception = FindSdkCaseException(Exceptions(), id);
//   if (IsNotExpressible(exception)) GTEST_SKIP() << exception->reason;
//   ExpectSameAsSdk(vector, OurToken(vector), exception);

#ifndef CAPTOKEN_TESTS_TESTING_SDK_CASES_H_
#define CAPTOKEN_TESTS_TESTING_SDK_CASES_H_

#include <cstddef>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/token/json_value.h"
#include "service/token/profile.h"

namespace captoken::testing {

// How a case departs from "the SDK's bytes, or refused as the SDK refused".
enum class Deviation {
  // The SDK accepted the input; we refuse it on purpose.
  kWeRefuse,
  // The input cannot be expressed through a typed C++ or proto request.
  kNotExpressible,
};

struct SdkCaseException {
  Deviation deviation;
  absl::string_view reason;
};

// Keyed by case id.
using SdkCaseExceptions =
    absl::flat_hash_map<absl::string_view, SdkCaseException>;

// FindSdkCaseException returns the entry for `id`, else (if
// `short_id_length` is not 0) the entry for its first `short_id_length`
// characters ("tr06" for cases known by number only); nullptr if neither.
const SdkCaseException* FindSdkCaseException(
    const SdkCaseExceptions& exceptions, absl::string_view id,
    size_t short_id_length = 0);

// IsNotExpressible reports whether `exception` says the case cannot be
// asked for (the test then skips it, with the reason).
inline bool IsNotExpressible(const SdkCaseException* exception) {
  return exception != nullptr &&
         exception->deviation == Deviation::kNotExpressible;
}

// ExpectSameAsSdk checks our result for one signing case against the SDK's
// (`vector`'s "result" and "token"): the same bytes if the SDK signed,
// INVALID_ARGUMENT if it refused, or INVALID_ARGUMENT whatever the SDK did
// if `exception` says we refuse on purpose.
void ExpectSameAsSdk(const token::JsonValue& vector,
                     const absl::StatusOr<std::string>& ours,
                     const SdkCaseException* exception);

// PythonCaseProfile returns the profile that reproduces the python case
// `id`: "py5_…" twilio-python 5.7 (kTwilioPython), "py6_…" 6.63
// (kTwilioPython6), "py9_…" 9.11 (kTwilioPython7, which covers 7.x-9.x).
// Any other id is a test bug: it fails the test and returns kTwilioPython.
token::Profile PythonCaseProfile(absl::string_view id);

// PythonCaseNow returns a python case's frozen clock ("now", a float of
// seconds) truncated to the second, as the SDK truncates it.
absl::Time PythonCaseNow(const token::JsonValue& vector);

}  // namespace captoken::testing

#endif  // CAPTOKEN_TESTS_TESTING_SDK_CASES_H_
