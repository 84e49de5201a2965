// Tests for verify_response.h: each verification outcome becomes the same
// VerifyTokenResponse for the server and the CLI, every kind says its kind,
// and claims are filled only when the caller hands over authenticated ones.

#include "service/convert/verify_response.h"

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "captoken/v1/token_service.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/access_grant.h"
#include "service/token/access_token_verifier.h"
#include "service/token/capability_scope.h"
#include "service/token/capability_verifier.h"
#include "service/token/json_value.h"
#include "service/token/taskrouter_spec.h"
#include "service/token/taskrouter_verifier.h"
#include "service/token/token_kind.h"
#include "service/token/verification_failure.h"

namespace captoken::convert {
namespace {

using token::VerificationFailure;

constexpr char kAccountSid[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kAppSid[] = "AP0123456789abcdef0123456789abcdef";

token::CapabilityClaims SomeClaims() {
  token::CapabilityClaims claims;
  claims.account_sid = kAccountSid;
  claims.scope_claim = "scope:client:incoming?clientName=alice";
  claims.scopes = {token::ClientIncomingScope{"alice"},
                   token::ClientOutgoingScope{kAppSid, {{"a", "1"}}, ""}};
  claims.expire_time = absl::FromUnixSeconds(1700003600);
  return claims;
}

// ---- VerificationFailureToProto ------------------------------------------

TEST(VerificationFailureToProto, MapsEveryFailure) {
  EXPECT_EQ(VerificationFailureToProto(VerificationFailure::kNone),
            v1::VERIFICATION_FAILURE_UNSPECIFIED);
  EXPECT_EQ(VerificationFailureToProto(VerificationFailure::kMalformed),
            v1::VERIFICATION_FAILURE_MALFORMED);
  EXPECT_EQ(VerificationFailureToProto(VerificationFailure::kBadSignature),
            v1::VERIFICATION_FAILURE_BAD_SIGNATURE);
  EXPECT_EQ(VerificationFailureToProto(VerificationFailure::kUnsupportedHeader),
            v1::VERIFICATION_FAILURE_UNSUPPORTED_HEADER);
  EXPECT_EQ(VerificationFailureToProto(VerificationFailure::kExpired),
            v1::VERIFICATION_FAILURE_EXPIRED);
  EXPECT_EQ(VerificationFailureToProto(VerificationFailure::kNotYetValid),
            v1::VERIFICATION_FAILURE_NOT_YET_VALID);
  EXPECT_EQ(VerificationFailureToProto(VerificationFailure::kWrongAccount),
            v1::VERIFICATION_FAILURE_WRONG_ACCOUNT);
  EXPECT_EQ(VerificationFailureToProto(VerificationFailure::kTooLarge),
            v1::VERIFICATION_FAILURE_TOO_LARGE);
}

TEST(VerificationFailureToProto, UnknownValueIsMalformed) {
  EXPECT_EQ(VerificationFailureToProto(static_cast<VerificationFailure>(99)),
            v1::VERIFICATION_FAILURE_MALFORMED);
}

// ---- VerifyResponseFor: verdict --------------------------------------------

TEST(VerifyResponseFor, OkIsValidWithNoFailure) {
  const token::CapabilityClaims claims = SomeClaims();
  const v1::VerifyTokenResponse response =
      VerifyResponseFor(absl::OkStatus(), &claims);
  EXPECT_TRUE(response.valid());
  EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_UNSPECIFIED);
}

TEST(VerifyResponseFor, EachFailureIsInvalidWithItsReason) {
  struct Case {
    VerificationFailure failure;
    v1::VerificationFailure expected;
  };
  for (const Case& c : {
           Case{VerificationFailure::kMalformed,
                v1::VERIFICATION_FAILURE_MALFORMED},
           Case{VerificationFailure::kBadSignature,
                v1::VERIFICATION_FAILURE_BAD_SIGNATURE},
           Case{VerificationFailure::kUnsupportedHeader,
                v1::VERIFICATION_FAILURE_UNSUPPORTED_HEADER},
           Case{VerificationFailure::kExpired,
                v1::VERIFICATION_FAILURE_EXPIRED},
           Case{VerificationFailure::kNotYetValid,
                v1::VERIFICATION_FAILURE_NOT_YET_VALID},
           Case{VerificationFailure::kWrongAccount,
                v1::VERIFICATION_FAILURE_WRONG_ACCOUNT},
           Case{VerificationFailure::kTooLarge,
                v1::VERIFICATION_FAILURE_TOO_LARGE},
       }) {
    const v1::VerifyTokenResponse response = VerifyResponseFor(
        token::VerificationError(c.failure, "fixed message"), nullptr);
    EXPECT_FALSE(response.valid()) << token::VerificationFailureName(c.failure);
    EXPECT_EQ(response.failure(), c.expected)
        << token::VerificationFailureName(c.failure);
  }
}

TEST(VerifyResponseFor, ErrorWithoutAReasonIsMalformed) {
  const v1::VerifyTokenResponse response =
      VerifyResponseFor(absl::InternalError("no payload"), nullptr);
  EXPECT_FALSE(response.valid());
  EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_MALFORMED);
}

// ---- VerifyResponseFor: claims -------------------------------------------

TEST(VerifyResponseFor, WithoutClaimsLeavesClaimFieldsEmpty) {
  const v1::VerifyTokenResponse response = VerifyResponseFor(
      token::VerificationError(VerificationFailure::kBadSignature, "bad"),
      nullptr);
  EXPECT_EQ(response.account_sid(), "");
  EXPECT_EQ(response.scopes_size(), 0);
  EXPECT_FALSE(response.has_expire_time());
  EXPECT_FALSE(response.has_issue_time());
}

TEST(VerifyResponseFor, ValidWithoutClaimsLeavesClaimFieldsEmpty) {
  const v1::VerifyTokenResponse response =
      VerifyResponseFor(absl::OkStatus(), nullptr);
  EXPECT_TRUE(response.valid());
  EXPECT_EQ(response.account_sid(), "");
  EXPECT_EQ(response.scopes_size(), 0);
  EXPECT_FALSE(response.has_expire_time());
  EXPECT_FALSE(response.has_issue_time());
}

TEST(VerifyResponseFor, ClaimsFillTheResponse) {
  token::CapabilityClaims claims = SomeClaims();
  claims.issue_time = absl::FromUnixSeconds(1700000000);
  const v1::VerifyTokenResponse response =
      VerifyResponseFor(absl::OkStatus(), &claims);
  EXPECT_EQ(response.account_sid(), kAccountSid);
  ASSERT_EQ(response.scopes_size(), 2);
  ASSERT_TRUE(response.scopes(0).has_client_incoming());
  EXPECT_EQ(response.scopes(0).client_incoming().client_name(), "alice");
  ASSERT_TRUE(response.scopes(1).has_client_outgoing());
  EXPECT_EQ(response.scopes(1).client_outgoing().application_sid(), kAppSid);
  ASSERT_EQ(response.scopes(1).client_outgoing().params_size(), 1);
  EXPECT_EQ(response.scopes(1).client_outgoing().params(0).key(), "a");
  EXPECT_EQ(response.scopes(1).client_outgoing().params(0).value(), "1");
  ASSERT_TRUE(response.has_expire_time());
  EXPECT_EQ(response.expire_time().seconds(), 1700003600);
  ASSERT_TRUE(response.has_issue_time());
  EXPECT_EQ(response.issue_time().seconds(), 1700000000);
}

TEST(VerifyResponseFor, ClaimsWithoutIssueTimeLeaveItUnset) {
  const token::CapabilityClaims claims = SomeClaims();
  ASSERT_FALSE(claims.issue_time.has_value());
  const v1::VerifyTokenResponse response =
      VerifyResponseFor(absl::OkStatus(), &claims);
  EXPECT_TRUE(response.has_expire_time());
  EXPECT_FALSE(response.has_issue_time());
}

TEST(VerifyResponseFor, ExpiredTokenKeepsItsAuthenticatedClaims) {
  const token::CapabilityClaims claims = SomeClaims();
  const v1::VerifyTokenResponse response = VerifyResponseFor(
      token::VerificationError(VerificationFailure::kExpired, "expired"),
      &claims);
  EXPECT_FALSE(response.valid());
  EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_EXPIRED);
  EXPECT_EQ(response.account_sid(), kAccountSid);
  EXPECT_EQ(response.scopes_size(), 2);
  ASSERT_TRUE(response.has_expire_time());
  EXPECT_EQ(response.expire_time().seconds(), 1700003600);
}

TEST(VerifyResponseFor, ClaimsWithNoScopesGiveNoScopes) {
  token::CapabilityClaims claims = SomeClaims();
  claims.scopes.clear();
  const v1::VerifyTokenResponse response =
      VerifyResponseFor(absl::OkStatus(), &claims);
  EXPECT_EQ(response.account_sid(), kAccountSid);
  EXPECT_EQ(response.scopes_size(), 0);
}

TEST(VerifyResponseFor, SaysTheTokenIsACapabilityToken) {
  EXPECT_EQ(VerifyResponseFor(absl::OkStatus(), nullptr).kind(),
            v1::TOKEN_KIND_CAPABILITY);
  const token::CapabilityClaims claims = SomeClaims();
  EXPECT_EQ(VerifyResponseFor(absl::OkStatus(), &claims).kind(),
            v1::TOKEN_KIND_CAPABILITY);
  EXPECT_FALSE(VerifyResponseFor(absl::OkStatus(), &claims).has_taskrouter());
  EXPECT_FALSE(VerifyResponseFor(absl::OkStatus(), &claims).has_access());
}

TEST(TokenKindToProto, MapsEveryKind) {
  EXPECT_EQ(TokenKindToProto(token::TokenKind::kCapability),
            v1::TOKEN_KIND_CAPABILITY);
  EXPECT_EQ(TokenKindToProto(token::TokenKind::kTaskRouter),
            v1::TOKEN_KIND_TASKROUTER);
  EXPECT_EQ(TokenKindToProto(token::TokenKind::kAccessToken),
            v1::TOKEN_KIND_ACCESS);
}

// ---- TaskRouterVerifyResponseFor -------------------------------------------

token::TaskRouterClaims SomeTaskRouterClaims() {
  token::TaskRouterClaims claims;
  claims.account_sid = kAccountSid;
  claims.workspace_sid = "WS0123456789abcdef0123456789abcdef";
  claims.channel_id = "WK0123456789abcdef0123456789abcdef";
  claims.version = "v1";
  claims.friendly_name = "Alice";
  claims.policies = {
      {.url = "https://taskrouter.twilio.com/v1/Workspaces/x", .method = "GET"},
      {.url = "https://taskrouter.twilio.com/v1/Workspaces/x/Tasks/**",
       .method = "POST",
       .post_filter = {token::TaskRouterFilter::Required("ActivitySid")},
       .allow = false}};
  claims.worker_sid = claims.channel_id;
  claims.expire_time = absl::FromUnixSeconds(1700003600);
  claims.issue_time = absl::FromUnixSeconds(1700000000);
  return claims;
}

TEST(TaskRouterVerifyResponseFor, ClaimsFillTheResponse) {
  const token::TaskRouterClaims claims = SomeTaskRouterClaims();
  const v1::VerifyTokenResponse response =
      TaskRouterVerifyResponseFor(absl::OkStatus(), &claims);
  EXPECT_TRUE(response.valid());
  EXPECT_EQ(response.kind(), v1::TOKEN_KIND_TASKROUTER);
  EXPECT_EQ(response.account_sid(), kAccountSid);
  EXPECT_EQ(response.expire_time().seconds(), 1700003600);
  EXPECT_EQ(response.issue_time().seconds(), 1700000000);
  EXPECT_EQ(response.scopes_size(), 0);
  ASSERT_TRUE(response.has_taskrouter());
  EXPECT_EQ(response.taskrouter().workspace_sid(), claims.workspace_sid);
  EXPECT_EQ(response.taskrouter().channel_id(), claims.channel_id);
  EXPECT_EQ(response.taskrouter().version(), "v1");
  EXPECT_EQ(response.taskrouter().friendly_name(), "Alice");
  ASSERT_EQ(response.taskrouter().policies_size(), 2);
  EXPECT_EQ(response.taskrouter().policies(0).method(), "GET");
  EXPECT_FALSE(response.taskrouter().policies(0).deny());
  EXPECT_TRUE(response.taskrouter().policies(1).deny());
  ASSERT_EQ(response.taskrouter().policies(1).post_filter_size(), 1);
  EXPECT_EQ(response.taskrouter().policies(1).post_filter(0).name(),
            "ActivitySid");
  EXPECT_TRUE(response.taskrouter().policies(1).post_filter(0).required());
}

TEST(TaskRouterVerifyResponseFor, WithoutClaimsOnlyTheVerdictAndKind) {
  const v1::VerifyTokenResponse response = TaskRouterVerifyResponseFor(
      token::VerificationError(VerificationFailure::kBadSignature, "bad"),
      nullptr);
  EXPECT_FALSE(response.valid());
  EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_BAD_SIGNATURE);
  EXPECT_EQ(response.kind(), v1::TOKEN_KIND_TASKROUTER);
  EXPECT_EQ(response.account_sid(), "");
  EXPECT_FALSE(response.has_taskrouter());
  EXPECT_FALSE(response.has_expire_time());
}

TEST(TaskRouterVerifyResponseFor, ExpiredTokenKeepsItsClaimsAndNoFriendlyName) {
  token::TaskRouterClaims claims = SomeTaskRouterClaims();
  claims.friendly_name.reset();
  claims.issue_time.reset();
  const v1::VerifyTokenResponse response = TaskRouterVerifyResponseFor(
      token::VerificationError(VerificationFailure::kExpired, "expired"),
      &claims);
  EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_EXPIRED);
  EXPECT_EQ(response.taskrouter().friendly_name(), "");
  EXPECT_FALSE(response.has_issue_time());
  EXPECT_EQ(response.taskrouter().policies_size(), 2);
}

// ---- AccessTokenVerifyResponseFor ------------------------------------------

token::AccessTokenClaims SomeAccessTokenClaims() {
  token::AccessTokenClaims claims;
  claims.token_id = "SK0123456789abcdef0123456789abcdef-1700000000";
  claims.api_key_sid = "SK0123456789abcdef0123456789abcdef";
  claims.account_sid = kAccountSid;
  claims.identity = "alice";
  claims.grants = {token::VideoGrant{.room = "standup"},
                   token::VoiceGrant{.incoming_allow = true}};
  claims.legacy_grants = {{"rtc", token::JsonValue::Object({})}};
  claims.region = "ie1";
  claims.expire_time = absl::FromUnixSeconds(1700003600);
  claims.issue_time = absl::FromUnixSeconds(1700000000);
  claims.not_before = absl::FromUnixSeconds(1699999990);
  return claims;
}

TEST(AccessTokenVerifyResponseFor, ClaimsFillTheResponse) {
  const token::AccessTokenClaims claims = SomeAccessTokenClaims();
  const v1::VerifyTokenResponse response =
      AccessTokenVerifyResponseFor(absl::OkStatus(), &claims);
  EXPECT_TRUE(response.valid());
  EXPECT_EQ(response.kind(), v1::TOKEN_KIND_ACCESS);
  EXPECT_EQ(response.account_sid(), kAccountSid);
  EXPECT_EQ(response.expire_time().seconds(), 1700003600);
  EXPECT_EQ(response.issue_time().seconds(), 1700000000);
  ASSERT_TRUE(response.has_access());
  const v1::AccessTokenClaims& access = response.access();
  EXPECT_EQ(access.api_key_sid(), claims.api_key_sid);
  EXPECT_EQ(access.token_id(), claims.token_id);
  EXPECT_EQ(access.identity(), "alice");
  EXPECT_EQ(access.region(), "ie1");
  EXPECT_EQ(access.not_before().seconds(), 1699999990);
  // The legacy grant has no wire form; the two others keep their order.
  ASSERT_EQ(access.grants_size(), 2);
  EXPECT_EQ(access.grants(0).video().room(), "standup");
  EXPECT_TRUE(access.grants(1).voice().incoming_allow());
}

TEST(AccessTokenVerifyResponseFor, NoNotBeforeLeavesItUnset) {
  token::AccessTokenClaims claims = SomeAccessTokenClaims();
  claims.not_before.reset();
  const v1::VerifyTokenResponse response =
      AccessTokenVerifyResponseFor(absl::OkStatus(), &claims);
  EXPECT_FALSE(response.access().has_not_before());
}

TEST(AccessTokenVerifyResponseFor, WithoutClaimsOnlyTheVerdictAndKind) {
  const v1::VerifyTokenResponse response = AccessTokenVerifyResponseFor(
      token::VerificationError(VerificationFailure::kWrongAccount, "other"),
      nullptr);
  EXPECT_FALSE(response.valid());
  EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_WRONG_ACCOUNT);
  EXPECT_EQ(response.kind(), v1::TOKEN_KIND_ACCESS);
  EXPECT_FALSE(response.has_access());
  EXPECT_EQ(response.account_sid(), "");
}

// ---- UnreadableTokenResponseFor ------------------------------------------

TEST(UnreadableTokenResponseFor, HasNoKindAndNoClaims) {
  const v1::VerifyTokenResponse response = UnreadableTokenResponseFor(
      token::VerificationError(VerificationFailure::kTooLarge, "big"));
  EXPECT_FALSE(response.valid());
  EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_TOO_LARGE);
  EXPECT_EQ(response.kind(), v1::TOKEN_KIND_UNSPECIFIED);
  EXPECT_EQ(response.account_sid(), "");
  EXPECT_FALSE(response.has_expire_time());
}

}  // namespace
}  // namespace captoken::convert
