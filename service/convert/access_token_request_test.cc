// Tests for access_token_request.h: an AccessTokenRequest becomes the spec
// the library would build by hand (grants in order, times, region,
// profile), shape problems name the request's field, and the library's
// errors are put back into the request's field names.

#include "service/convert/access_token_request.h"

#include <string>
#include <variant>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "captoken/v1/access_token.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/access_grant.h"
#include "service/token/access_token_signer.h"
#include "service/token/access_token_spec.h"
#include "service/token/signing_limits.h"
#include "tests/testing/status_matchers.h"

namespace captoken::convert {
namespace {

using ::captoken::testing::StatusIs;
using ::testing::Eq;
using ::testing::StartsWith;

constexpr char kAccountSid[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kApiKeySid[] = "SK0123456789abcdef0123456789abcdef";
constexpr char kAppSid[] = "AP0123456789abcdef0123456789abcdef";

v1::AccessTokenRequest AliceRequest() {
  v1::AccessTokenRequest request;
  request.set_account_sid(kAccountSid);
  request.set_api_key_sid(kApiKeySid);
  request.set_identity("alice");
  return request;
}

absl::StatusOr<token::AccessTokenSpec> Convert(
    const v1::AccessTokenRequest& request) {
  return AccessTokenSpecFromProto(request, token::Profile::kTwilioPython);
}

// What CheckAccessToken says about `request`, in the request's terms.
absl::Status CheckInRequestTerms(const v1::AccessTokenRequest& request) {
  absl::StatusOr<token::AccessTokenSpec> spec = Convert(request);
  if (!spec.ok()) return spec.status();
  return AccessTokenStatusInRequestTerms(
      token::CheckAccessToken(*spec, absl::FromUnixSeconds(1700000000),
                              token::SigningLimits())
          .status());
}

TEST(AccessTokenSpecFromProto, CopiesEveryField) {
  v1::AccessTokenRequest request = AliceRequest();
  request.mutable_grants()->Add()->mutable_video()->set_room("standup");
  request.mutable_grants()->Add()->mutable_voice()->set_incoming_allow(true);
  request.mutable_ttl()->set_seconds(1800);
  request.mutable_not_before()->set_seconds(1699999000);
  request.set_region("ie1");
  request.set_profile(v1::PROFILE_TWILIO_NODE);
  ASSERT_OK_AND_ASSIGN(token::AccessTokenSpec spec, Convert(request));
  EXPECT_EQ(spec.account_sid, kAccountSid);
  EXPECT_EQ(spec.identity, "alice");
  ASSERT_EQ(spec.grants.size(), 2u);
  EXPECT_EQ(spec.grants[0], token::AccessGrant(token::VideoGrant{"standup"}));
  EXPECT_TRUE(std::get<token::VoiceGrant>(spec.grants[1]).incoming_allow);
  EXPECT_EQ(spec.ttl, absl::Seconds(1800));
  EXPECT_FALSE(spec.expire_time.has_value());
  EXPECT_EQ(spec.not_before, absl::FromUnixSeconds(1699999000));
  EXPECT_EQ(spec.region, "ie1");
  EXPECT_EQ(spec.profile, token::Profile::kTwilioNode);
  EXPECT_EQ(spec.algorithm, "");
  EXPECT_FALSE(spec.omit_not_before);
}

TEST(AccessTokenSpecFromProto, CopiesTheLaterPythonProfilesAndOmitNotBefore) {
  v1::AccessTokenRequest request = AliceRequest();
  request.set_profile(v1::PROFILE_TWILIO_PYTHON_7);
  request.set_omit_not_before(true);
  ASSERT_OK_AND_ASSIGN(token::AccessTokenSpec spec, Convert(request));
  EXPECT_EQ(spec.profile, token::Profile::kTwilioPython7);
  EXPECT_TRUE(spec.omit_not_before);
  EXPECT_FALSE(spec.not_before.has_value());
}

TEST(AccessTokenSpecFromProto, AbsentFieldsStayAbsent) {
  ASSERT_OK_AND_ASSIGN(token::AccessTokenSpec spec, Convert(AliceRequest()));
  EXPECT_TRUE(spec.grants.empty());
  EXPECT_FALSE(spec.ttl.has_value());
  EXPECT_FALSE(spec.expire_time.has_value());
  EXPECT_FALSE(spec.not_before.has_value());
  EXPECT_EQ(spec.region, "");
  EXPECT_EQ(spec.profile, token::Profile::kTwilioPython);
  ASSERT_OK_AND_ASSIGN(
      token::AccessTokenSpec node,
      AccessTokenSpecFromProto(AliceRequest(), token::Profile::kTwilioNode));
  EXPECT_EQ(node.profile, token::Profile::kTwilioNode);
}

TEST(AccessTokenSpecFromProto, RepeatedGrantKindsAreKeptForTheLibrary) {
  v1::AccessTokenRequest request = AliceRequest();
  request.mutable_grants()->Add()->mutable_video()->set_room("a");
  request.mutable_grants()->Add()->mutable_video()->set_room("b");
  ASSERT_OK_AND_ASSIGN(token::AccessTokenSpec spec, Convert(request));
  EXPECT_EQ(spec.grants.size(), 2u);
}

TEST(AccessTokenSpecFromProto, ShapeProblemsNameTheField) {
  v1::AccessTokenRequest request = AliceRequest();
  request.mutable_grants()->Add()->mutable_chat();
  request.mutable_grants()->Add();
  EXPECT_THAT(Convert(request), StatusIs(absl::StatusCode::kInvalidArgument,
                                         Eq("grants[1]: no grant kind set")));
  request = AliceRequest();
  request.mutable_not_before()->set_seconds(253402300800);
  EXPECT_THAT(Convert(request), StatusIs(absl::StatusCode::kInvalidArgument,
                                         Eq("not_before: out of range")));
  request = AliceRequest();
  request.mutable_expire_time()->set_nanos(1000000000);
  EXPECT_THAT(Convert(request), StatusIs(absl::StatusCode::kInvalidArgument,
                                         Eq("expire_time: out of range")));
  request = AliceRequest();
  request.set_profile(static_cast<v1::Profile>(99));
  EXPECT_THAT(Convert(request), StatusIs(absl::StatusCode::kInvalidArgument,
                                         Eq("profile: unknown value")));
}

TEST(AccessTokenSpecFromProto, ValueRulesAreLeftToTheLibrary) {
  v1::AccessTokenRequest request = AliceRequest();
  request.set_identity("");
  request.set_region("é");
  ASSERT_OK_AND_ASSIGN(token::AccessTokenSpec spec, Convert(request));
  EXPECT_EQ(spec.identity, "");
  EXPECT_THAT(
      CheckInRequestTerms(request),
      StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("identity: ")));
}

// ---- AccessTokenStatusInRequestTerms --------------------------------------

TEST(AccessTokenStatusInRequestTerms, GrantPathsUseTheRequestsFieldNames) {
  v1::AccessTokenRequest request = AliceRequest();
  request.mutable_grants()->Add()->mutable_sync()->set_service_sid("IS1");
  EXPECT_THAT(CheckInRequestTerms(request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith("grants[0].sync.service_sid: ")));

  request = AliceRequest();
  request.mutable_grants()->Add()->mutable_video();
  request.mutable_grants()->Add()->mutable_playback()->set_grant_json("[1]");
  EXPECT_THAT(CheckInRequestTerms(request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("grants[1].playback.grant_json: must be a JSON "
                          "object")));

  request = AliceRequest();
  v1::VoiceGrant* voice = request.mutable_grants()->Add()->mutable_voice();
  voice->set_outgoing_application_sid(kAppSid);
  voice->set_outgoing_application_params_json(R"({"a":1,"b":[1,2.5]})");
  EXPECT_THAT(
      CheckInRequestTerms(request),
      StatusIs(absl::StatusCode::kInvalidArgument,
               StartsWith("grants[0].voice.outgoing_application_params_json{1}"
                          "[1]: ")));
}

TEST(AccessTokenStatusInRequestTerms, OnlyThePathIsRenamed) {
  v1::AccessTokenRequest request = AliceRequest();
  request.mutable_grants()
      ->Add()
      ->mutable_voice()
      ->set_outgoing_application_params_json("{}");
  EXPECT_THAT(CheckInRequestTerms(request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("grants[0].voice.outgoing_application_sid: required "
                          "with outgoing_application_params")));
}

TEST(AccessTokenStatusInRequestTerms, OtherStatusesAreUnchanged) {
  for (const absl::Status& status :
       {absl::OkStatus(), absl::InvalidArgumentError("identity: required"),
        absl::InvalidArgumentError("grants: more than 16 grants"),
        absl::InvalidArgumentError("region: must be ASCII")}) {
    EXPECT_EQ(AccessTokenStatusInRequestTerms(status), status);
  }
}

}  // namespace
}  // namespace captoken::convert
