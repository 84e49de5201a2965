// Tests for taskrouter_spec.h: every validation rule and the field path
// each failure names.

#include "service/token/taskrouter_spec.h"

#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/json_value.h"
#include "service/token/taskrouter_policies.h"
#include "tests/testing/status_matchers.h"

namespace captoken::token {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::string_view kAccountSid = "AC0123456789abcdef0123456789abcdef";
constexpr absl::string_view kWorkspaceSid =
    "WS0123456789abcdef0123456789abcdef";
constexpr absl::string_view kWorkerSid = "WK0123456789abcdef0123456789abcdef";

TaskRouterSpec ValidSpec() {
  TaskRouterSpec spec;
  spec.account_sid = std::string(kAccountSid);
  spec.workspace_sid = std::string(kWorkspaceSid);
  spec.channel_id = std::string(kWorkerSid);
  EXPECT_THAT(AppendPolicySet(TaskRouterPolicySet::kPythonDefaults, &spec),
              IsOk());
  EXPECT_THAT(AppendPolicySet(TaskRouterPolicySet::kUpdateActivities, &spec),
              IsOk());
  return spec;
}

absl::Status Validate(const TaskRouterSpec& spec,
                      const SigningLimits& limits = SigningLimits()) {
  return ValidateTaskRouterSpec(spec, limits);
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

// ---- the types ------------------------------------------------------------

TEST(TaskRouterFilter, RequiredAndOptionalWriteTheSdksConstraint) {
  const TaskRouterFilter required = TaskRouterFilter::Required("ActivitySid");
  EXPECT_EQ(required.name, "ActivitySid");
  EXPECT_EQ(required.constraint,
            JsonValue::Object({{"required", JsonValue::Bool(true)}}));
  EXPECT_EQ(TaskRouterFilter::Optional("X").constraint,
            JsonValue::Object({{"required", JsonValue::Bool(false)}}));
  EXPECT_FALSE(required == TaskRouterFilter::Optional("ActivitySid"));
}

TEST(TaskRouterPolicy, DefaultAllowsAndPrintsOnlyTheMethod) {
  TaskRouterPolicy policy;
  policy.url = "https://taskrouter.twilio.com/v1/secret-path";
  policy.method = "GET";
  EXPECT_TRUE(policy.allow);
  std::ostringstream out;
  out << policy;
  EXPECT_EQ(out.str(), "allow GET");
  policy.allow = false;
  out.str("");
  out << policy;
  EXPECT_EQ(out.str(), "deny GET");
}

TEST(ChannelKindOf, ReadsThePrefixAsTheSdksDo) {
  EXPECT_EQ(ChannelKindOf("WK1"), TaskRouterChannelKind::kWorker);
  EXPECT_EQ(ChannelKindOf("WQ1"), TaskRouterChannelKind::kTaskQueue);
  EXPECT_EQ(ChannelKindOf("WS1"), TaskRouterChannelKind::kWorkspace);
  EXPECT_EQ(ChannelKindOf("WA1"), TaskRouterChannelKind::kUnknown);
  EXPECT_EQ(ChannelKindOf(""), TaskRouterChannelKind::kUnknown);
  EXPECT_EQ(ChannelKindOf("wk1"), TaskRouterChannelKind::kUnknown);
}

TEST(TaskRouterSpec, DefaultsAreVersionV1AndTheTwilioPythonProfile) {
  TaskRouterSpec spec;
  EXPECT_EQ(spec.version, "v1");
  EXPECT_EQ(spec.profile, Profile::kTwilioPython);
  EXPECT_TRUE(spec.friendly_name.empty());
  EXPECT_FALSE(spec.ttl.has_value());
  EXPECT_FALSE(spec.expire_time.has_value());
}

TEST(VersionOf, EmptyMeansV1) {
  TaskRouterSpec spec;
  spec.version = "";
  EXPECT_EQ(VersionOf(spec), "v1");
  spec.version = "v2";
  EXPECT_EQ(VersionOf(spec), "v2");
}

// ---- what is accepted -----------------------------------------------------

TEST(ValidateTaskRouterSpec, AcceptsPythonsWorkerListInEitherProfile) {
  TaskRouterSpec spec = ValidSpec();
  EXPECT_THAT(Validate(spec), IsOk());
  spec.profile = Profile::kTwilioNode;
  EXPECT_THAT(Validate(spec), IsOk());
}

TEST(ValidateTaskRouterSpec, AcceptsEveryChannelKindAndNoPolicies) {
  for (absl::string_view channel : {"WK0123456789abcdef0123456789abcdef",
                                    "WQ0123456789abcdef0123456789abcdef",
                                    "WS0123456789ABCDEF0123456789abcdef"}) {
    TaskRouterSpec spec = ValidSpec();
    spec.channel_id = std::string(channel);
    spec.policies.clear();
    EXPECT_THAT(Validate(spec), IsOk()) << channel;
  }
}

TEST(ValidateTaskRouterSpec, AcceptsAFriendlyNameVersionAndLifetime) {
  TaskRouterSpec spec = ValidSpec();
  spec.friendly_name = "Zo\u00eb's night shift";
  spec.version = "v12";
  spec.ttl = absl::Hours(8);
  EXPECT_THAT(Validate(spec), IsOk());
  spec.version = "";
  spec.ttl.reset();
  spec.expire_time = absl::FromUnixSeconds(1700000000);
  EXPECT_THAT(Validate(spec), IsOk());
}

TEST(ValidateTaskRouterSpec, AcceptsDenyPoliciesInThePythonProfile) {
  TaskRouterSpec spec = ValidSpec();
  spec.policies[2].allow = false;
  EXPECT_THAT(Validate(spec), IsOk());
}

TEST(ValidateTaskRouterSpec, AcceptsAnyObjectConstraintInOrder) {
  TaskRouterSpec spec = ValidSpec();
  spec.policies[0].query_filter = {
      {"Status", JsonValue::Object(
                     {{"required", JsonValue::Bool(false)},
                      {"values", JsonValue::Array({JsonValue::String("a")})}})},
      TaskRouterFilter::Required("ActivitySid")};
  EXPECT_THAT(Validate(spec), IsOk());
}

// ---- ids --------------------------------------------------------------------

TEST(ValidateTaskRouterSpec, AccountSidMustBeAnAccountSid) {
  TaskRouterSpec spec = ValidSpec();
  spec.account_sid = "";
  ExpectRefused(Validate(spec), "account_sid: required");
  spec.account_sid = "not-an-account";
  ExpectRefused(Validate(spec),
                "account_sid: must be \"AC\" followed by 32 hex digits",
                "not-an-account");
}

TEST(ValidateTaskRouterSpec, WorkspaceSidMustBeAWorkspaceSid) {
  TaskRouterSpec spec = ValidSpec();
  spec.workspace_sid = "";
  ExpectRefused(Validate(spec), "workspace_sid: required");
  spec.workspace_sid = "WK0123456789abcdef0123456789abcdef";
  ExpectRefused(Validate(spec),
                "workspace_sid: must be \"WS\" followed by 32 hex digits");
}

TEST(ValidateTaskRouterSpec, ChannelIdIsRequired) {
  TaskRouterSpec spec = ValidSpec();
  spec.channel_id = "";
  ExpectRefused(Validate(spec), "channel_id: required");
}

TEST(ValidateTaskRouterSpec, ChannelIdNeedsAKnownPrefixAndASidShape) {
  for (absl::string_view channel :
       {"WA0123456789abcdef0123456789abcdef", "WK0123",
        "WK0123456789abcdef0123456789abcdeg", "channel-secret"}) {
    TaskRouterSpec spec = ValidSpec();
    spec.channel_id = std::string(channel);
    ExpectRefused(Validate(spec),
                  "channel_id: must be \"WK\", \"WQ\" or \"WS\" followed by "
                  "32 hex digits",
                  channel);
  }
}

// ---- texts ------------------------------------------------------------------

TEST(ValidateTaskRouterSpec, FriendlyNameIsCheckedText) {
  TaskRouterSpec spec = ValidSpec();
  spec.friendly_name = "bad\x01name";
  ExpectRefused(Validate(spec), "friendly_name: contains a control character",
                "bad");
  spec.friendly_name = "\xff";
  ExpectRefused(Validate(spec), "friendly_name: not valid UTF-8");
  SigningLimits limits;
  limits.max_text_bytes = 4;
  spec.friendly_name = "12345";
  ExpectRefused(Validate(spec, limits), "friendly_name: longer than 4 bytes");
}

TEST(ValidateTaskRouterSpec, VersionIsVAndDigits) {
  for (absl::string_view version :
       {"1", "v", "vx", "V1", "v1.0", "v123456789"}) {
    TaskRouterSpec spec = ValidSpec();
    spec.version = std::string(version);
    ExpectRefused(Validate(spec), "version: must be \"v\" followed by digits");
  }
}

// ---- policies
// -----------------------------------------------------------------

TEST(ValidateTaskRouterSpec, AtMostMaxPolicies) {
  TaskRouterSpec spec = ValidSpec();
  SigningLimits limits;
  limits.max_policies = spec.policies.size();
  EXPECT_THAT(Validate(spec, limits), IsOk());
  limits.max_policies = spec.policies.size() - 1;
  ExpectRefused(Validate(spec, limits), "policies: more than 6 policies");
}

TEST(ValidateTaskRouterSpec, PolicyUrlIsRequired) {
  TaskRouterSpec spec = ValidSpec();
  spec.policies[1].url = "";
  ExpectRefused(Validate(spec), "policies[1].url: required");
}

TEST(ValidateTaskRouterSpec, PolicyUrlMustBeHttps) {
  for (absl::string_view url :
       {"http://taskrouter.twilio.com/v1", "taskrouter.twilio.com/v1",
        "https://", "ftp://x"}) {
    TaskRouterSpec spec = ValidSpec();
    spec.policies[0].url = std::string(url);
    ExpectRefused(Validate(spec), "policies[0].url: must be an https URL", url);
  }
}

TEST(ValidateTaskRouterSpec, PolicyUrlMustBePrintableAsciiWithoutSpaces) {
  for (absl::string_view url :
       {"https://a b", "https://a\tb", "https://caf\u00e9", "https://a\x7f"}) {
    TaskRouterSpec spec = ValidSpec();
    spec.policies[0].url = std::string(url);
    ExpectRefused(Validate(spec),
                  "policies[0].url: must be printable ASCII without spaces");
  }
}

TEST(ValidateTaskRouterSpec, PolicyUrlIsAtMostMaxTextBytes) {
  TaskRouterSpec spec = ValidSpec();
  SigningLimits limits;
  limits.max_text_bytes = 20;
  spec.policies[0].url = "https://example.com/x";  // 21 bytes
  spec.policies.resize(1);
  ExpectRefused(Validate(spec, limits),
                "policies[0].url: longer than 20 bytes");
}

TEST(ValidateTaskRouterSpec, PolicyMethodIsGetPostOrDelete) {
  TaskRouterSpec spec = ValidSpec();
  spec.policies[0].method = "";
  ExpectRefused(Validate(spec), "policies[0].method: required");
  for (absl::string_view method : {"PUT", "get", "PATCH", "GET "}) {
    spec.policies[0].method = std::string(method);
    ExpectRefused(
        Validate(spec),
        "policies[0].method: must be \"GET\", \"POST\" or \"DELETE\"");
  }
  for (absl::string_view method : {"GET", "POST", "DELETE"}) {
    spec.policies[0].method = std::string(method);
    EXPECT_THAT(Validate(spec), IsOk());
  }
}

TEST(ValidateTaskRouterSpec, NodeProfileRefusesADenyPolicy) {
  TaskRouterSpec spec = ValidSpec();
  spec.profile = Profile::kTwilioNode;
  spec.policies[3].allow = false;
  ExpectRefused(Validate(spec),
                "policies[3].allow: the twilio-node profile cannot express a "
                "deny policy");
}

// ---- filters ----------------------------------------------------------------

TEST(ValidateTaskRouterSpec, AtMostMaxFiltersPerPolicy) {
  TaskRouterSpec spec = ValidSpec();
  spec.policies[0].query_filter = {TaskRouterFilter::Required("a"),
                                   TaskRouterFilter::Required("b")};
  SigningLimits limits;
  limits.max_filters_per_policy = 2;
  EXPECT_THAT(Validate(spec, limits), IsOk());
  limits.max_filters_per_policy = 1;
  ExpectRefused(Validate(spec, limits),
                "policies[0].query_filter: more than 1 filters");
}

TEST(ValidateTaskRouterSpec, FilterNameIsRequiredCheckedTextAndUnique) {
  TaskRouterSpec spec = ValidSpec();
  spec.policies[6].post_filter.push_back(TaskRouterFilter::Required(""));
  ExpectRefused(Validate(spec), "policies[6].post_filter[1].name: required");
  spec.policies[6].post_filter[1].name = "a\nb";
  ExpectRefused(
      Validate(spec),
      "policies[6].post_filter[1].name: contains a control character");
  spec.policies[6].post_filter[1].name = "ActivitySid";
  ExpectRefused(Validate(spec),
                "policies[6].post_filter[1].name: duplicate name",
                "ActivitySid");
}

TEST(ValidateTaskRouterSpec, FilterConstraintMustBeAnObject) {
  TaskRouterSpec spec = ValidSpec();
  spec.policies[0].query_filter = {{"Status", JsonValue::Bool(true)}};
  ExpectRefused(
      Validate(spec),
      "policies[0].query_filter[0].constraint: must be a JSON object");
}

TEST(ValidateTaskRouterSpec, FilterConstraintFollowsTheVerbatimJsonRules) {
  TaskRouterSpec spec = ValidSpec();
  absl::StatusOr<JsonValue> constraint = ParseJson(R"({"max":[1, 2.5]})");
  ASSERT_THAT(constraint, IsOk());
  spec.policies[0].query_filter = {{"Status", *constraint}};
  ExpectRefused(Validate(spec),
                "policies[0].query_filter[0].constraint{0}[1]: not an integer",
                "2.5");
  SigningLimits limits;
  limits.max_json_depth = 1;
  spec.policies[0].query_filter = {TaskRouterFilter::Required("a")};
  ExpectRefused(Validate(spec, limits),
                "policies[0].query_filter[0].constraint{0}: nested deeper "
                "than 1 levels");
}

// ---- lifetime and order -----------------------------------------------------

TEST(ValidateTaskRouterSpec, TtlAndExpireTimeTogetherAreRefused) {
  TaskRouterSpec spec = ValidSpec();
  spec.ttl = absl::Seconds(60);
  spec.expire_time = absl::FromUnixSeconds(1700000060);
  ExpectRefused(Validate(spec), "ttl, expire_time: set at most one of them");
}

TEST(ValidateTaskRouterSpec, LifetimeBoundsAreLeftToResolveLifetime) {
  TaskRouterSpec spec = ValidSpec();
  spec.ttl = absl::Seconds(-5);
  EXPECT_THAT(Validate(spec), IsOk());
}

TEST(ValidateTaskRouterSpec, ReportsTheFirstOffendingField) {
  TaskRouterSpec spec = ValidSpec();
  spec.workspace_sid = "";
  spec.channel_id = "";
  spec.policies[0].url = "";
  ExpectRefused(Validate(spec), "workspace_sid: required");
}

}  // namespace
}  // namespace captoken::token
