// Tests for verify_token.h: a token of each kind signed by the library
// verifies with its own keys and reports its kind and claims; a wrong key,
// an unknown API key, another account and an expired token each give the
// right verdict, with claims only once the MAC verified; a correctly signed
// token with a time protobuf cannot hold is malformed, with a verdict that
// prints.

#include "service/convert/verify_token.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "captoken/v1/token_service.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "service/token/access_grant.h"
#include "service/token/access_token_signer.h"
#include "service/token/api_key.h"
#include "service/token/capability_signer.h"
#include "service/token/clock.h"
#include "service/token/crypto.h"
#include "service/token/internal/base64url.h"
#include "service/token/taskrouter_policies.h"
#include "service/token/taskrouter_signer.h"
#include "service/token/token_kind.h"
#include "tests/testing/status_matchers.h"

namespace captoken::convert {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;

constexpr char kAccountSid[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kOtherAccountSid[] = "ACfedcba9876543210fedcba9876543210";
constexpr char kApiKeySid[] = "SK0123456789abcdef0123456789abcdef";
constexpr char kWorkspaceSid[] = "WS0123456789abcdef0123456789abcdef";
constexpr char kWorkerSid[] = "WK0123456789abcdef0123456789abcdef";
const absl::Time kNow = absl::FromUnixSeconds(1700000000);

// Returns `token` with the integer value of its `claim` replaced by
// `value` and a fresh MAC from `key`: a token the key really signed, as
// whoever holds the secret could write it.
std::string WithClaim(const std::string& token, absl::string_view claim,
                      absl::string_view value,
                      const token::HmacSha256Key& key) {
  const std::vector<std::string> segments = absl::StrSplit(token, '.');
  EXPECT_EQ(segments.size(), 3u);
  if (segments.size() != 3) return "";
  absl::StatusOr<std::string> payload =
      token::internal::StrictBase64UrlDecode(segments[1]);
  EXPECT_THAT(payload, IsOk());
  if (!payload.ok()) return "";
  const std::string name = absl::StrCat("\"", claim, "\":");
  size_t start = payload->find(name);
  EXPECT_NE(start, std::string::npos) << claim;
  if (start == std::string::npos) return "";
  start += name.size();
  while (start < payload->size() && (*payload)[start] == ' ') ++start;
  size_t end = start;
  while (end < payload->size() &&
         (absl::ascii_isdigit((*payload)[end]) || (*payload)[end] == '-')) {
    ++end;
  }
  payload->replace(start, end - start, std::string(value));
  std::string input = absl::StrCat(segments[0], ".");
  token::internal::AppendBase64Url(*payload, &input);
  const token::HmacSha256Key::Mac mac = key.Compute(input);
  std::string signed_token = absl::StrCat(input, ".");
  token::internal::AppendBase64Url(
      absl::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()),
      &signed_token);
  return signed_token;
}

// Whether `response` has a JSON form, as the CLI prints it.
bool PrintsAsJson(const v1::VerifyTokenResponse& response) {
  std::string json;
  return google::protobuf::util::MessageToJsonString(response, &json).ok();
}

class VerifyTokenOfKindTest : public ::testing::Test {
 protected:
  VerifyTokenOfKindTest()
      : auth_token_(*token::HmacSha256Key::Create("auth-token-1")),
        other_auth_token_(*token::HmacSha256Key::Create("auth-token-2")),
        api_key_(*token::ApiKey::Create(kApiKeySid, "api-key-secret")),
        other_api_key_(*token::ApiKey::Create(kApiKeySid, "another-secret")) {}

  std::string Capability() {
    token::CapabilitySpec spec;
    spec.account_sid = kAccountSid;
    spec.scopes.push_back(token::ClientIncomingScope{"alice"});
    return token::SignCapabilityToken(spec, auth_token_, kNow,
                                      token::SigningLimits())
        ->token;
  }

  std::string TaskRouter() {
    token::TaskRouterSpec spec;
    spec.account_sid = kAccountSid;
    spec.workspace_sid = kWorkspaceSid;
    spec.channel_id = kWorkerSid;
    spec.friendly_name = "Alice";
    EXPECT_THAT(token::AppendPolicySet(
                    token::TaskRouterPolicySet::kPythonDefaults, &spec),
                IsOk());
    return token::SignTaskRouterToken(spec, auth_token_, kNow,
                                      token::SigningLimits())
        ->token;
  }

  std::string Access() {
    token::AccessTokenSpec spec;
    spec.account_sid = kAccountSid;
    spec.identity = "alice";
    spec.grants.push_back(token::VideoGrant{.room = "standup"});
    spec.region = "ie1";
    return token::SignAccessToken(spec, api_key_, kNow, token::SigningLimits())
        ->token;
  }

  TokenVerification Verify(const std::string& token, token::TokenKind kind,
                           absl::Time at, absl::string_view expected,
                           const VerificationKeys& keys) {
    clock_.Set(at);
    absl::StatusOr<TokenVerification> verification =
        VerifyTokenOfKind(token, kind, {.clock = &clock_}, expected, keys);
    EXPECT_THAT(verification, IsOk());
    return verification.value_or(TokenVerification());
  }

  VerificationKeys AuthTokens() { return {.auth_tokens = auth_tokens_}; }

  token::HmacSha256Key auth_token_;
  token::HmacSha256Key other_auth_token_;
  token::ApiKey api_key_;
  token::ApiKey other_api_key_;
  std::vector<const token::HmacSha256Key*> auth_tokens_ = {&auth_token_};
  token::FixedClock clock_{kNow};
};

TEST_F(VerifyTokenOfKindTest, EachKindVerifiesWithItsKeysAndSaysItsKind) {
  TokenVerification capability = Verify(
      Capability(), token::TokenKind::kCapability, kNow, "", AuthTokens());
  EXPECT_THAT(capability.status, IsOk());
  EXPECT_TRUE(capability.response.valid());
  EXPECT_EQ(capability.response.kind(), v1::TOKEN_KIND_CAPABILITY);
  EXPECT_EQ(capability.response.scopes_size(), 1);

  TokenVerification taskrouter = Verify(
      TaskRouter(), token::TokenKind::kTaskRouter, kNow, "", AuthTokens());
  EXPECT_TRUE(taskrouter.response.valid());
  EXPECT_EQ(taskrouter.response.kind(), v1::TOKEN_KIND_TASKROUTER);
  EXPECT_EQ(taskrouter.response.account_sid(), kAccountSid);
  EXPECT_EQ(taskrouter.response.taskrouter().channel_id(), kWorkerSid);
  EXPECT_EQ(taskrouter.response.taskrouter().friendly_name(), "Alice");
  EXPECT_EQ(taskrouter.response.taskrouter().policies_size(), 6);

  TokenVerification access = Verify(Access(), token::TokenKind::kAccessToken,
                                    kNow, kAccountSid, {.api_key = &api_key_});
  EXPECT_TRUE(access.response.valid());
  EXPECT_EQ(access.response.kind(), v1::TOKEN_KIND_ACCESS);
  EXPECT_EQ(access.response.account_sid(), kAccountSid);
  EXPECT_EQ(access.response.access().api_key_sid(), kApiKeySid);
  EXPECT_EQ(access.response.access().identity(), "alice");
  EXPECT_EQ(access.response.access().region(), "ie1");
  ASSERT_EQ(access.response.access().grants_size(), 1);
  EXPECT_EQ(access.response.access().grants(0).video().room(), "standup");
  EXPECT_EQ(access.response.expire_time().seconds(), 1700003600);
}

TEST_F(VerifyTokenOfKindTest, AnotherKeyIsABadSignatureWithoutClaims) {
  const std::vector<const token::HmacSha256Key*> others = {&other_auth_token_};
  TokenVerification taskrouter =
      Verify(TaskRouter(), token::TokenKind::kTaskRouter, kNow, "",
             {.auth_tokens = others});
  EXPECT_FALSE(taskrouter.response.valid());
  EXPECT_EQ(taskrouter.response.failure(),
            v1::VERIFICATION_FAILURE_BAD_SIGNATURE);
  EXPECT_EQ(taskrouter.response.kind(), v1::TOKEN_KIND_TASKROUTER);
  EXPECT_FALSE(taskrouter.response.has_taskrouter());
  EXPECT_EQ(taskrouter.response.account_sid(), "");

  TokenVerification access = Verify(Access(), token::TokenKind::kAccessToken,
                                    kNow, "", {.api_key = &other_api_key_});
  EXPECT_EQ(access.response.failure(), v1::VERIFICATION_FAILURE_BAD_SIGNATURE);
  EXPECT_FALSE(access.response.has_access());
}

TEST_F(VerifyTokenOfKindTest, AnUnknownApiKeyIsABadSignature) {
  TokenVerification access =
      Verify(Access(), token::TokenKind::kAccessToken, kNow, "", {});
  EXPECT_FALSE(access.response.valid());
  EXPECT_EQ(access.response.failure(), v1::VERIFICATION_FAILURE_BAD_SIGNATURE);
  EXPECT_EQ(access.response.kind(), v1::TOKEN_KIND_ACCESS);
  EXPECT_THAT(access.status,
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
}

TEST_F(VerifyTokenOfKindTest, AnotherAccountIsTheWrongAccountWithClaims) {
  TokenVerification taskrouter =
      Verify(TaskRouter(), token::TokenKind::kTaskRouter, kNow,
             kOtherAccountSid, AuthTokens());
  EXPECT_EQ(taskrouter.response.failure(),
            v1::VERIFICATION_FAILURE_WRONG_ACCOUNT);
  EXPECT_EQ(taskrouter.response.account_sid(), kAccountSid);

  TokenVerification access =
      Verify(Access(), token::TokenKind::kAccessToken, kNow, kOtherAccountSid,
             {.api_key = &api_key_});
  EXPECT_EQ(access.response.failure(), v1::VERIFICATION_FAILURE_WRONG_ACCOUNT);
  EXPECT_EQ(access.response.access().identity(), "alice");
}

TEST_F(VerifyTokenOfKindTest, AnExpiredTokenKeepsItsClaims) {
  const absl::Time later = kNow + absl::Hours(2);
  TokenVerification capability = Verify(
      Capability(), token::TokenKind::kCapability, later, "", AuthTokens());
  EXPECT_EQ(capability.response.failure(), v1::VERIFICATION_FAILURE_EXPIRED);
  EXPECT_EQ(capability.response.account_sid(), kAccountSid);
  TokenVerification taskrouter = Verify(
      TaskRouter(), token::TokenKind::kTaskRouter, later, "", AuthTokens());
  EXPECT_EQ(taskrouter.response.failure(), v1::VERIFICATION_FAILURE_EXPIRED);
  EXPECT_TRUE(taskrouter.response.has_taskrouter());
  TokenVerification access = Verify(Access(), token::TokenKind::kAccessToken,
                                    later, "", {.api_key = &api_key_});
  EXPECT_EQ(access.response.failure(), v1::VERIFICATION_FAILURE_EXPIRED);
  EXPECT_TRUE(access.response.has_access());
}

TEST_F(VerifyTokenOfKindTest, AnExpBeyondTheYear9999IsMalformedAndPrints) {
  // Before the library refused them, these verified as valid and the
  // response (expire_time a protobuf Timestamp) had no JSON form: the CLI
  // printed nothing and the RPC could not be answered.
  for (absl::string_view exp : {"9223372036854775807", "253402300800"}) {
    SCOPED_TRACE(exp);
    // The unchanged tokens stay valid, so each fails for its exp alone.
    TokenVerification capability =
        Verify(WithClaim(Capability(), "exp", exp, auth_token_),
               token::TokenKind::kCapability, kNow, "", AuthTokens());
    TokenVerification taskrouter =
        Verify(WithClaim(TaskRouter(), "exp", exp, auth_token_),
               token::TokenKind::kTaskRouter, kNow, "", AuthTokens());
    TokenVerification access = Verify(
        WithClaim(Access(), "exp", exp, api_key_.hmac_key()),
        token::TokenKind::kAccessToken, kNow, "", {.api_key = &api_key_});
    for (const TokenVerification* verification :
         {&capability, &taskrouter, &access}) {
      EXPECT_THAT(verification->status,
                  StatusIs(absl::StatusCode::kInvalidArgument,
                           ::testing::HasSubstr("exp is out of range")));
      EXPECT_FALSE(verification->response.valid());
      EXPECT_EQ(verification->response.failure(),
                v1::VERIFICATION_FAILURE_MALFORMED);
      EXPECT_FALSE(verification->response.has_expire_time());
      EXPECT_TRUE(PrintsAsJson(verification->response));
    }
  }
  // The last second protobuf holds is still a valid token, and prints.
  TokenVerification last =
      Verify(WithClaim(Capability(), "exp", "253402300799", auth_token_),
             token::TokenKind::kCapability, kNow, "", AuthTokens());
  EXPECT_TRUE(last.response.valid());
  EXPECT_EQ(last.response.expire_time().seconds(), 253402300799);
  EXPECT_TRUE(PrintsAsJson(last.response));
}

TEST_F(VerifyTokenOfKindTest, ATokenOfAnotherKindIsNotValid) {
  // Routing read the kind unverified; the verifier of that kind decides.
  TokenVerification verification = Verify(
      TaskRouter(), token::TokenKind::kCapability, kNow, "", AuthTokens());
  EXPECT_FALSE(verification.response.valid());
  EXPECT_EQ(verification.response.failure(),
            v1::VERIFICATION_FAILURE_MALFORMED);
}

TEST_F(VerifyTokenOfKindTest, InvalidOptionsAreAnError) {
  EXPECT_THAT(
      VerifyTokenOfKind(Capability(), token::TokenKind::kCapability,
                        {.clock = &clock_}, "not an account", AuthTokens()),
      StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_THAT(VerifyTokenOfKind(Access(), token::TokenKind::kAccessToken,
                                {.clock = nullptr}, "", AuthTokens()),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
}

}  // namespace
}  // namespace captoken::convert
