// Tests for token_kind.h: each kind is recognised from real tokens, and
// every way the routing read fails.

#include "service/token/token_kind.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/crypto.h"
#include "service/token/internal/base64url.h"
#include "service/token/jwt.h"
#include "service/token/verification_failure.h"
#include "tests/testing/status_matchers.h"

namespace captoken::token {
namespace {

using ::captoken::testing::IsOk;

constexpr absl::string_view kAccountSid = "AC0123456789abcdef0123456789abcdef";
constexpr absl::string_view kKeySid = "SK00112233445566778899aabbccddeeff";

// A token with `header` and `payload`, signed with a key the reader never
// sees (routing reads nothing it verifies).
std::string TokenWith(absl::string_view header, absl::string_view payload) {
  std::string encoded_header;
  internal::AppendBase64Url(header, &encoded_header);
  absl::StatusOr<HmacSha256Key> key = HmacSha256Key::Create("unknown");
  EXPECT_THAT(key, IsOk());
  return SignHs256Jwt(encoded_header, payload, *key);
}

constexpr absl::string_view kJwtHeader = R"({"alg":"HS256","typ":"JWT"})";
constexpr absl::string_view kAccessHeader =
    R"({"alg":"HS256","typ":"JWT","cty":"twilio-fpa;v=1"})";

VerificationFailure FailureOf(absl::string_view token) {
  return VerificationFailureOf(ReadUnverifiedRouting(token, 1 << 16).status());
}

TEST(ReadUnverifiedRouting, RecognisesACapabilityToken) {
  ASSERT_OK_AND_ASSIGN(
      UnverifiedRouting routing,
      ReadUnverifiedRouting(
          TokenWith(kJwtHeader, absl::StrCat(R"({"scope":"","iss":")",
                                             kAccountSid, R"(","exp":1})")),
          1 << 16));
  EXPECT_EQ(routing.kind, TokenKind::kCapability);
  EXPECT_EQ(routing.account_sid, kAccountSid);
  EXPECT_EQ(routing.api_key_sid, "");
}

TEST(ReadUnverifiedRouting, RecognisesATaskRouterToken) {
  ASSERT_OK_AND_ASSIGN(
      UnverifiedRouting routing,
      ReadUnverifiedRouting(TokenWith(R"({"typ": "JWT", "alg": "HS256"})",
                                      absl::StrCat(R"({"iss": ")", kAccountSid,
                                                   R"(", "policies": []})")),
                            1 << 16));
  EXPECT_EQ(routing.kind, TokenKind::kTaskRouter);
  EXPECT_EQ(routing.account_sid, kAccountSid);
}

TEST(ReadUnverifiedRouting, RecognisesAnAccessToken) {
  ASSERT_OK_AND_ASSIGN(
      UnverifiedRouting routing,
      ReadUnverifiedRouting(
          TokenWith(kAccessHeader,
                    absl::StrCat(R"({"jti":"x","grants":{},"iss":")", kKeySid,
                                 R"(","sub":")", kAccountSid, R"("})")),
          1 << 16));
  EXPECT_EQ(routing.kind, TokenKind::kAccessToken);
  EXPECT_EQ(routing.account_sid, kAccountSid);
  EXPECT_EQ(routing.api_key_sid, kKeySid);
}

TEST(ReadUnverifiedRouting, TooLongIsTooLarge) {
  EXPECT_EQ(VerificationFailureOf(ReadUnverifiedRouting("a.b.c", 4).status()),
            VerificationFailure::kTooLarge);
}

TEST(ReadUnverifiedRouting, EachUnroutableTokenIsMalformed) {
  const std::string sub = absl::StrCat(R"("sub":")", kAccountSid, R"(")");
  const std::string iss_key = absl::StrCat(R"("iss":")", kKeySid, R"(")");
  const std::string iss_account =
      absl::StrCat(R"("iss":")", kAccountSid, R"(")");
  for (const std::string& token : {
           std::string("not-a-token"),
           TokenWith(kJwtHeader, "[]"),
           TokenWith(kJwtHeader, absl::StrCat("{", iss_account, "}")),
           TokenWith(kJwtHeader, R"({"scope":"","iss":"AC1"})"),
           TokenWith(kJwtHeader, R"({"policies":[]})"),
           TokenWith(kAccessHeader, absl::StrCat("{", iss_key, "}")),
           TokenWith(kAccessHeader, absl::StrCat("{", sub, "}")),
           TokenWith(kAccessHeader, absl::StrCat("{", sub, R"(,"iss":1})")),
       }) {
    EXPECT_EQ(FailureOf(token), VerificationFailure::kMalformed) << token;
  }
}

}  // namespace
}  // namespace captoken::token
