// Tests for verify_response.h: each verification outcome becomes the same
// VerifyTokenResponse for the server and the CLI, and claims are filled only
// when the caller hands over authenticated ones.

#include "service/convert/verify_response.h"

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "captoken/v1/token_service.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/capability_scope.h"
#include "service/token/capability_verifier.h"
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

}  // namespace
}  // namespace captoken::convert
