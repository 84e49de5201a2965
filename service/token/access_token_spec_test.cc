// Tests for access_token_spec.h: every validation rule and the field path
// each failure names.

#include "service/token/access_token_spec.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/access_grant.h"
#include "service/token/json_value.h"
#include "tests/testing/status_matchers.h"

namespace captoken::token {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::string_view kAccountSid = "AC0123456789abcdef0123456789abcdef";
constexpr absl::string_view kAppSid = "AP89abcdef0123456789abcdef01234567";
constexpr absl::string_view kHex32 = "0123456789abcdef0123456789abcdef";

std::string Sid(absl::string_view prefix) {
  return absl::StrCat(prefix, kHex32);
}

VoiceGrant FullVoice() {
  VoiceGrant voice;
  voice.incoming_allow = true;
  voice.outgoing_application_sid = std::string(kAppSid);
  voice.outgoing_application_params = JsonValue::Object(
      {{"foo", JsonValue::String("bar")}, {"n", JsonValue::Int(1)}});
  voice.push_credential_sid = Sid("CR");
  voice.endpoint_id = "alice-device-1";
  return voice;
}

AccessTokenSpec ValidSpec() {
  AccessTokenSpec spec;
  spec.account_sid = std::string(kAccountSid);
  spec.identity = "alice";
  spec.grants = {
      FullVoice(),
      ChatGrant{Sid("IS"), "carol:web:1", Sid("RL"), Sid("CR")},
      VideoGrant{"DailyStandup", Sid("VS")},
      SyncGrant{Sid("IS"), "erin-sync"},
      TaskRouterGrant{Sid("WS"), Sid("WK"), "worker"},
      PlaybackGrant{JsonValue::Object(
          {{"requestCredentials", JsonValue::Null()},
           {"playbackUrl", JsonValue::String("https://example.invalid/x")}})},
  };
  return spec;
}

absl::Status Validate(const AccessTokenSpec& spec,
                      const SigningLimits& limits = SigningLimits()) {
  return ValidateAccessTokenSpec(spec, limits);
}

// Checks that `status` is INVALID_ARGUMENT with exactly `message`, and that
// the message does not contain `value` (the offending input).
void ExpectRefused(const absl::Status& status, absl::string_view message,
                   absl::string_view value = "") {
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               std::string(message)));
  if (!value.empty()) {
    EXPECT_THAT(std::string(status.message()),
                Not(HasSubstr(std::string(value))));
  }
}

TEST(AccessTokenSpec, DefaultsAreTheTwilioPythonProfileAndNoExtras) {
  const AccessTokenSpec spec;
  EXPECT_EQ(spec.profile, Profile::kTwilioPython);
  EXPECT_FALSE(spec.not_before.has_value());
  EXPECT_TRUE(spec.region.empty());
  EXPECT_TRUE(spec.algorithm.empty());
}

TEST(ValidateAccessTokenSpec, AcceptsEveryGrantKindFullyFilled) {
  EXPECT_THAT(Validate(ValidSpec()), IsOk());
}

TEST(ValidateAccessTokenSpec, AcceptsEmptyGrantsAndNoGrants) {
  AccessTokenSpec spec = ValidSpec();
  spec.grants = {VoiceGrant(), ChatGrant(), VideoGrant(), SyncGrant(),
                 TaskRouterGrant()};
  EXPECT_THAT(Validate(spec), IsOk());
  spec.grants.clear();
  EXPECT_THAT(Validate(spec), IsOk());
}

TEST(ValidateAccessTokenSpec, AcceptsRepeatedGrantKinds) {
  AccessTokenSpec spec = ValidSpec();
  spec.grants.push_back(VideoGrant{"second", ""});
  EXPECT_THAT(Validate(spec), IsOk());
}

TEST(ValidateAccessTokenSpec, AcceptsTheOptionalFields) {
  AccessTokenSpec spec = ValidSpec();
  spec.not_before = absl::FromUnixSeconds(1699999940);
  spec.region = "au1";
  spec.algorithm = "HS256";
  spec.ttl = absl::Hours(24);
  spec.identity = "Zo\u00eb \U0001F3A7";
  EXPECT_THAT(Validate(spec), IsOk());
}

TEST(ValidateAccessTokenSpec, AccountSidMustBeAnAccountSid) {
  AccessTokenSpec spec = ValidSpec();
  spec.account_sid = "";
  ExpectRefused(Validate(spec), "account_sid: required");
  spec.account_sid = "not-an-account";
  ExpectRefused(Validate(spec),
                "account_sid: must be \"AC\" followed by 32 hex digits",
                "not-an-account");
}

TEST(ValidateAccessTokenSpec, IdentityIsRequiredCheckedText) {
  AccessTokenSpec spec = ValidSpec();
  spec.identity = "";
  ExpectRefused(Validate(spec), "identity: required");
  spec.identity =
      "ali\x01"
      "ce";
  ExpectRefused(Validate(spec), "identity: contains a control character",
                "ali");
  spec.identity = "\xc3";
  ExpectRefused(Validate(spec), "identity: not valid UTF-8");
  SigningLimits limits;
  limits.max_text_bytes = 4;
  spec.identity = "alice";
  ExpectRefused(Validate(spec, limits), "identity: longer than 4 bytes");
}

TEST(CheckIdentity, IsTheIdentityRuleAlone) {
  EXPECT_THAT(CheckIdentity("alice", SigningLimits()), IsOk());
  ExpectRefused(CheckIdentity("", SigningLimits()), "identity: required");
}

TEST(ValidateAccessTokenSpec, AtMostMaxGrants) {
  AccessTokenSpec spec = ValidSpec();
  SigningLimits limits;
  limits.max_grants = 6;
  EXPECT_THAT(Validate(spec, limits), IsOk());
  limits.max_grants = 5;
  ExpectRefused(Validate(spec, limits), "grants: more than 5 grants");
}

// One bad field per grant kind, with the path each failure names.
TEST(ValidateAccessTokenSpec, EachGrantFieldIsChecked) {
  struct Case {
    AccessGrant grant;
    absl::string_view message;
  };
  VoiceGrant params_without_app;
  params_without_app.outgoing_application_params = JsonValue::Object({});
  VoiceGrant params_not_object;
  params_not_object.outgoing_application_sid = std::string(kAppSid);
  params_not_object.outgoing_application_params = JsonValue::String("x");
  VoiceGrant params_bad_json = params_not_object;
  params_bad_json.outgoing_application_params =
      JsonValue::Object({{"n", *ParseJson("1.5")}});
  VoiceGrant bad_app;
  bad_app.outgoing_application_sid = "AP-secret";
  VoiceGrant bad_push;
  bad_push.push_credential_sid = Sid("XX");
  VoiceGrant bad_endpoint;
  bad_endpoint.endpoint_id = "a\nb";
  const std::vector<Case> cases = {
      {bad_app,
       "grants[0].voice.outgoing_application_sid: must be \"AP\" followed by "
       "32 hex digits"},
      {params_without_app,
       "grants[0].voice.outgoing_application_sid: required with "
       "outgoing_application_params"},
      {params_not_object,
       "grants[0].voice.outgoing_application_params: must be a JSON object"},
      {params_bad_json,
       "grants[0].voice.outgoing_application_params{0}: not an integer"},
      {bad_push,
       "grants[0].voice.push_credential_sid: must be \"CR\" followed by 32 "
       "hex digits"},
      {bad_endpoint,
       "grants[0].voice.endpoint_id: contains a control character"},
      {ChatGrant{"x", "", "", ""},
       "grants[0].chat.service_sid: must be \"IS\" followed by 32 hex digits"},
      {ChatGrant{"", "\x7f", "", ""},
       "grants[0].chat.endpoint_id: contains a control character"},
      {ChatGrant{"", "", "x", ""},
       "grants[0].chat.deployment_role_sid: must be \"RL\" followed by 32 hex "
       "digits"},
      {ChatGrant{"", "", "", "x"},
       "grants[0].chat.push_credential_sid: must be \"CR\" followed by 32 hex "
       "digits"},
      {VideoGrant{"\xff", ""}, "grants[0].video.room: not valid UTF-8"},
      {VideoGrant{"", "x"},
       "grants[0].video.configuration_profile_sid: must be \"VS\" followed by "
       "32 hex digits"},
      {SyncGrant{"x", ""},
       "grants[0].data_sync.service_sid: must be \"IS\" followed by 32 hex "
       "digits"},
      {SyncGrant{"", "\t"},
       "grants[0].data_sync.endpoint_id: contains a control character"},
      {TaskRouterGrant{"x", "", ""},
       "grants[0].task_router.workspace_sid: must be \"WS\" followed by 32 "
       "hex digits"},
      {TaskRouterGrant{"", "x", ""},
       "grants[0].task_router.worker_sid: must be \"WK\" followed by 32 hex "
       "digits"},
      {TaskRouterGrant{"", "", "\r"},
       "grants[0].task_router.role: contains a control character"},
      {PlaybackGrant{}, "grants[0].player.grant: must be a JSON object"},
      {PlaybackGrant{JsonValue::Object(
           {{"a", JsonValue::Int(1)}, {"a", JsonValue::Int(2)}})},
       "grants[0].player.grant{1}: duplicate member name"},
  };
  for (const Case& c : cases) {
    AccessTokenSpec spec = ValidSpec();
    spec.grants = {c.grant};
    ExpectRefused(Validate(spec), c.message);
  }
}

TEST(ValidateAccessTokenSpec, GrantIndexIsThePositionInTheRequest) {
  AccessTokenSpec spec = ValidSpec();
  spec.grants.push_back(VideoGrant{"", "x"});
  ExpectRefused(Validate(spec),
                "grants[6].video.configuration_profile_sid: must be \"VS\" "
                "followed by 32 hex digits");
}

TEST(ValidateAccessTokenSpec, NotBeforeMustBeWholeSeconds) {
  AccessTokenSpec spec = ValidSpec();
  spec.not_before = absl::FromUnixSeconds(1699999940) + absl::Milliseconds(500);
  ExpectRefused(Validate(spec),
                "not_before: must be a whole number of seconds");
}

TEST(ValidateAccessTokenSpec, NotBeforeAndOmitNotBeforeTogetherAreRefused) {
  AccessTokenSpec spec = ValidSpec();
  spec.omit_not_before = true;
  EXPECT_THAT(Validate(spec), IsOk());
  spec.not_before = absl::FromUnixSeconds(1699999940);
  ExpectRefused(Validate(spec),
                "omit_not_before: set together with not_before");
}

TEST(ValidateAccessTokenSpec, RegionIsShortAscii) {
  AccessTokenSpec spec = ValidSpec();
  for (absl::string_view region : {"us1", "ie1", "au1-stage", "dev_1.x"}) {
    spec.region = std::string(region);
    EXPECT_THAT(Validate(spec), IsOk()) << region;
  }
  for (absl::string_view region : {"r\u00e9\u2603", "a b", "a/b", "a\"b"}) {
    spec.region = std::string(region);
    ExpectRefused(Validate(spec),
                  "region: must be ASCII letters, digits, '-', '_' or '.'",
                  region);
  }
  spec.region = std::string(65, 'a');
  ExpectRefused(Validate(spec), "region: longer than 64 bytes");
}

TEST(ValidateAccessTokenSpec, AlgorithmIsHs256Only) {
  AccessTokenSpec spec = ValidSpec();
  for (absl::string_view algorithm :
       {"HS384", "HS512", "RS256", "hs256", "none"}) {
    spec.algorithm = std::string(algorithm);
    ExpectRefused(Validate(spec), "algorithm: only HS256 is supported");
  }
}

TEST(ValidateAccessTokenSpec, TtlAndExpireTimeTogetherAreRefused) {
  AccessTokenSpec spec = ValidSpec();
  spec.ttl = absl::Seconds(60);
  spec.expire_time = absl::FromUnixSeconds(1700000060);
  ExpectRefused(Validate(spec), "ttl, expire_time: set at most one of them");
}

TEST(ValidateAccessTokenSpec, ReportsTheFirstOffendingField) {
  AccessTokenSpec spec = ValidSpec();
  spec.identity = "";
  spec.region = "r\u00e9";
  ExpectRefused(Validate(spec), "identity: required");
}

}  // namespace
}  // namespace captoken::token
