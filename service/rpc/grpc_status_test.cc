#include "service/rpc/grpc_status.h"

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace captoken::rpc {
namespace {

TEST(StatusCodeNameTest, NamesEveryCodeAsAbseilDoes) {
  // Beyond both ends of the enum too: Abseil names those "", and so must we.
  for (int code = -2; code <= 20; ++code) {
    const auto status_code = static_cast<absl::StatusCode>(code);
    EXPECT_EQ(StatusCodeName(status_code),
              absl::StatusCodeToString(status_code))
        << "code " << code;
  }
}

TEST(ToGrpcStatusTest, KeepsCodeAndMessage) {
  const grpc::Status converted =
      ToGrpcStatus(absl::PermissionDeniedError("not for this caller"));
  EXPECT_EQ(converted.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(converted.error_message(), "not for this caller");
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

TEST(ToGrpcStatusTest, CodeOutsideGrpcsRangeIsUnknown) {
  const grpc::Status converted =
      ToGrpcStatus(absl::Status(static_cast<absl::StatusCode>(42), "odd"));
  EXPECT_EQ(converted.error_code(), grpc::StatusCode::UNKNOWN);
  EXPECT_EQ(converted.error_message(), "odd");
}

}  // namespace
}  // namespace captoken::rpc
