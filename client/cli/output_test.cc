// Tests for output.h: PrintJson prints a message as one line of JSON, and
// reports a message with no JSON form instead of printing nothing.

#include "client/cli/output.h"

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "captoken/v1/token_service.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace captoken::cli {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(PrintJson, PrintsOneLineWithProtoFieldNamesAndDefaults) {
  v1::VerifyTokenResponse response;
  response.set_account_sid("AC0123456789abcdef0123456789abcdef");
  response.mutable_expire_time()->set_seconds(1700003600);
  ::testing::internal::CaptureStdout();
  const absl::Status printed = PrintJson(response);
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_THAT(printed, IsOk());
  EXPECT_THAT(out, HasSubstr(R"("valid":false)"));
  EXPECT_THAT(out, HasSubstr(R"("expire_time":"2023-11-14T23:13:20Z")"));
  EXPECT_EQ(out.find('\n'), out.size() - 1);
}

TEST(PrintJson, AMessageWithNoJsonFormFailsAndPrintsNothing) {
  // A Timestamp past 9999-12-31 has no JSON form. The verifiers no longer
  // produce one, but whatever cannot be printed must fail the command
  // rather than leave it to exit 0 with nothing on standard output.
  for (int64_t seconds : {int64_t{253402300800}, INT64_MAX}) {
    SCOPED_TRACE(seconds);
    v1::VerifyTokenResponse response;
    response.set_valid(true);
    response.mutable_expire_time()->set_seconds(seconds);
    ::testing::internal::CaptureStdout();
    const absl::Status printed = PrintJson(response);
    EXPECT_EQ(::testing::internal::GetCapturedStdout(), "");
    EXPECT_THAT(printed, StatusIs(absl::StatusCode::kInternal,
                                  HasSubstr("cannot print the result")));
    // A fixed phrase: nothing of the message's contents.
    EXPECT_THAT(std::string(printed.message()),
                Not(HasSubstr(std::to_string(seconds))));
  }
}

TEST(Fail, ReturnsExitStatusOne) {
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(Fail(absl::InternalError("cannot print the result as JSON")), 1);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(),
            "captoken: INTERNAL: cannot print the result as JSON\n");
}

}  // namespace
}  // namespace captoken::cli
