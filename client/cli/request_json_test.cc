// Tests for request_json.h: --request in proto3 JSON, inline or from a
// file, with unknown fields refused.

#include "client/cli/request_json.h"

#include <fstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "captoken/v1/capability.pb.h"
#include "captoken/v1/token_service.pb.h"
#include "client/cli/cli_flags.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace captoken::cli {
namespace {

using ::captoken::testing::StatusIs;
using ::testing::Eq;
using ::testing::StartsWith;

class RequestJsonTest : public ::testing::Test {
 protected:
  absl::FlagSaver saver_;
};

TEST_F(RequestJsonTest, ReadsSnakeOrCamelCaseAndEnumNames) {
  absl::SetFlag(&FLAGS_request,
                R"({"account_sid":"AC1","profile":"PROFILE_TWILIO_NODE",)"
                R"("scopes":[{"clientIncoming":{"clientName":"alice"}}],)"
                R"("ttl":"600s"})");
  absl::StatusOr<v1::CapabilityRequest> request =
      ParseRequestFlag<v1::CapabilityRequest>();
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->account_sid(), "AC1");
  EXPECT_EQ(request->profile(), v1::PROFILE_TWILIO_NODE);
  ASSERT_EQ(request->scopes_size(), 1);
  EXPECT_EQ(request->scopes(0).client_incoming().client_name(), "alice");
  EXPECT_EQ(request->ttl().seconds(), 600);
}

TEST_F(RequestJsonTest, ReadsAFile) {
  const std::string path = absl::StrCat(::testing::TempDir(), "/batch.json");
  std::ofstream(path) << R"({"requests":[{"capability":{}},{"access":{}}]})";
  absl::SetFlag(&FLAGS_request, absl::StrCat("@", path));
  absl::StatusOr<v1::BatchMintRequest> request =
      ParseRequestFlag<v1::BatchMintRequest>();
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->requests_size(), 2);
  EXPECT_TRUE(request->requests(1).has_access());
}

TEST_F(RequestJsonTest, IsRequired) {
  EXPECT_THAT(ParseRequestFlag<v1::CapabilityRequest>(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("--request=JSON is required")));
}

TEST_F(RequestJsonTest, RefusesUnknownFieldsNamingTheType) {
  // A typo must not silently drop a scope.
  absl::SetFlag(&FLAGS_request, R"({"account_sid":"AC1","scope":[]})");
  EXPECT_THAT(ParseRequestFlag<v1::CapabilityRequest>(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith("--request is not a "
                                  "captoken.v1.CapabilityRequest in JSON: ")));
}

TEST_F(RequestJsonTest, AFileThatCannotBeReadIsNotFound) {
  absl::SetFlag(&FLAGS_request, "@/no/such/request.json");
  EXPECT_THAT(ParseRequestFlag<v1::CapabilityRequest>(),
              StatusIs(absl::StatusCode::kNotFound,
                       Eq("cannot read /no/such/request.json")));
}

}  // namespace
}  // namespace captoken::cli
