#include "tests/testing/sdk_cases.h"

#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/vectors.h"

namespace captoken::testing {

const SdkCaseException* FindSdkCaseException(
    const SdkCaseExceptions& exceptions, absl::string_view id,
    size_t short_id_length) {
  auto it = exceptions.find(id);
  if (it == exceptions.end() && short_id_length != 0) {
    it = exceptions.find(id.substr(0, short_id_length));
  }
  return it == exceptions.end() ? nullptr : &it->second;
}

void ExpectSameAsSdk(const token::JsonValue& vector,
                     const absl::StatusOr<std::string>& ours,
                     const SdkCaseException* exception) {
  if (exception != nullptr && exception->deviation == Deviation::kWeRefuse) {
    EXPECT_THAT(ours,
                StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_))
        << "we refuse this input on purpose: " << exception->reason;
    return;
  }
  if (Member(vector, "result").text() == "ok") {
    ASSERT_THAT(ours, IsOk());
    EXPECT_EQ(*ours, Member(vector, "token").text())
        << "SDK header: " << Member(vector, "header_json").text()
        << "\nSDK payload: " << Member(vector, "payload_json").text();
  } else {
    EXPECT_THAT(ours,
                StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_))
        << "the SDK refused this input";
  }
}

token::Profile PythonCaseProfile(absl::string_view id) {
  if (absl::StartsWith(id, "py5_")) return token::Profile::kTwilioPython;
  if (absl::StartsWith(id, "py6_")) return token::Profile::kTwilioPython6;
  if (absl::StartsWith(id, "py9_")) return token::Profile::kTwilioPython7;
  ADD_FAILURE() << "not a python case id: " << id;
  return token::Profile::kTwilioPython;
}

absl::Time PythonCaseNow(const token::JsonValue& vector) {
  const std::string& text = Member(vector, "now").text();
  int64_t seconds = 0;
  EXPECT_TRUE(absl::SimpleAtoi(text.substr(0, text.find('.')), &seconds))
      << text;
  return absl::FromUnixSeconds(seconds);
}

}  // namespace captoken::testing
