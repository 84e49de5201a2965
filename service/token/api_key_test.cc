// Tests for api_key.h.

#include "service/token/api_key.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/crypto.h"
#include "tests/testing/status_matchers.h"

namespace captoken::token {
namespace {

using ::captoken::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::string_view kKeySid = "SK00112233445566778899aabbccddeeff";
constexpr absl::string_view kSecret = "sEcReT0123456789sEcReT0123456789";

TEST(ApiKey, KeepsTheSidAndSignsWithTheSecretsBytes) {
  ASSERT_OK_AND_ASSIGN(ApiKey key, ApiKey::Create(kKeySid, kSecret));
  EXPECT_EQ(key.sid(), kKeySid);
  ASSERT_OK_AND_ASSIGN(HmacSha256Key expected, HmacSha256Key::Create(kSecret));
  EXPECT_EQ(key.hmac_key().Compute("message"), expected.Compute("message"));
}

TEST(ApiKey, MovesKeepTheKey) {
  ASSERT_OK_AND_ASSIGN(ApiKey key, ApiKey::Create(kKeySid, kSecret));
  const HmacSha256Key::Mac mac = key.hmac_key().Compute("m");
  ApiKey moved = std::move(key);
  EXPECT_EQ(moved.sid(), kKeySid);
  EXPECT_EQ(moved.hmac_key().Compute("m"), mac);
}

TEST(ApiKey, SidIsRequired) {
  EXPECT_THAT(
      ApiKey::Create("", kSecret),
      StatusIs(absl::StatusCode::kInvalidArgument, "api_key_sid: required"));
}

TEST(ApiKey, SidMustBeAnApiKeySid) {
  for (absl::string_view sid : {"key id", "AC0123456789abcdef0123456789abcdef",
                                "SK00112233445566778899aabbccddeef"}) {
    absl::StatusOr<ApiKey> key = ApiKey::Create(sid, kSecret);
    EXPECT_THAT(key, StatusIs(absl::StatusCode::kInvalidArgument,
                              "api_key_sid: must be \"SK\" followed by 32 hex "
                              "digits"));
    EXPECT_THAT(std::string(key.status().message()),
                Not(HasSubstr(std::string(kSecret))));
  }
}

TEST(ApiKey, SecretIsRequired) {
  EXPECT_THAT(
      ApiKey::Create(kKeySid, ""),
      StatusIs(absl::StatusCode::kInvalidArgument, "api_key_secret: required"));
}

}  // namespace
}  // namespace captoken::token
