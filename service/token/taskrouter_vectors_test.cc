// Known-answer tests against the official SDKs: every TaskRouter case in
// //tests/vectors, byte for byte (node/tr* in the node profile,
// python/py5_tr* in kTwilioPython, py6_tr* in kTwilioPython6, py9_tr* in
// kTwilioPython7), and every SDK-signed token read back by our verifier.
//
// Each case is rebuilt through the public API (TaskRouterSpec, the policy
// helpers, SignTaskRouterToken) with the case's frozen clock. A case is
// expected to match the SDK unless the table below says otherwise, with the
// reason: that way a new case added to the vectors is tested by default.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/clock.h"
#include "service/token/crypto.h"
#include "service/token/json_value.h"
#include "service/token/taskrouter_policies.h"
#include "service/token/taskrouter_signer.h"
#include "service/token/taskrouter_spec.h"
#include "service/token/taskrouter_verifier.h"
#include "tests/testing/sdk_cases.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/vectors.h"

namespace captoken::token {
namespace {

using ::captoken::testing::Deviation;
using ::captoken::testing::ExpectSameAsSdk;
using ::captoken::testing::FindSdkCaseException;
using ::captoken::testing::IsNotExpressible;
using ::captoken::testing::IsOk;
using ::captoken::testing::ListVectorIds;
using ::captoken::testing::Member;
using ::captoken::testing::PythonCaseNow;
using ::captoken::testing::PythonCaseProfile;
using ::captoken::testing::ReadVector;
using ::captoken::testing::SdkCaseException;
using ::captoken::testing::SdkCaseExceptions;

// The vectors' fixed inputs (node/index.json "fixed_inputs").
constexpr absl::string_view kAccountSid = "AC0123456789abcdef0123456789abcdef";
constexpr absl::string_view kAuthToken = "f0e1d2c3b4a5968778695a4b3c2d1e0f";
constexpr absl::string_view kWorkspaceSid =
    "WS0123456789abcdef0123456789abcdef";
constexpr absl::string_view kWorkerSid = "WK0123456789abcdef0123456789abcdef";
constexpr absl::string_view kTaskQueueSid =
    "WQ0123456789abcdef0123456789abcdef";

// Keyed by case id, or by the id's short form ("tr06") for cases held back
// from the vectors whose full names we do not know.
const SdkCaseExceptions& Exceptions() {
  static const auto* const kExceptions = new SdkCaseExceptions({
      {"tr06",
       {Deviation::kWeRefuse,
        "node writes \"allow\":true for a deny policy (its `allow || "
        "true` bug); our node profile refuses a deny it cannot express"}},
      {"tr08_policy_defaults",
       {Deviation::kWeRefuse,
        "a policy needs a URL; node wrote \"url\":\"\", which matches "
        "nothing"}},
  });
  return *kExceptions;
}

const SdkCaseException* FindException(absl::string_view id) {
  return FindSdkCaseException(Exceptions(), id, /*short_id_length=*/4);
}

absl::StatusOr<HmacSha256Key> KeyFor(const JsonValue& secret) {
  return HmacSha256Key::Create(secret.text());
}

// Filters as a JSON object in the SDK's iteration order.
std::vector<TaskRouterFilter> FiltersOf(const JsonValue& object) {
  std::vector<TaskRouterFilter> filters;
  for (size_t i = 0; i < object.member_names().size(); ++i) {
    filters.push_back({object.member_names()[i], object.member_values()[i]});
  }
  return filters;
}

// Replays a node case's inputs: options, then policies in addPolicy order.
absl::StatusOr<std::string> SignNodeCase(const JsonValue& vector) {
  const JsonValue& inputs = Member(vector, "inputs");
  const JsonValue& options = Member(inputs, "options");
  const absl::Time now =
      absl::FromUnixMillis(*Member(vector, "now_ms").AsInt64());

  TaskRouterSpec spec;
  spec.profile = Profile::kTwilioNode;
  spec.account_sid = Member(options, "accountSid").text();
  spec.workspace_sid = Member(options, "workspaceSid").text();
  spec.channel_id = Member(options, "channelId").text();
  spec.friendly_name = Member(options, "friendlyName").text();
  if (Member(options, "version").is_string()) {
    spec.version = Member(options, "version").text();
  }
  // The SDK treats a missing or zero ttl as its default.
  if (std::optional<int64_t> ttl = Member(options, "ttl").AsInt64();
      ttl.has_value() && *ttl != 0) {
    spec.ttl = absl::Seconds(*ttl);
  }
  for (const JsonValue& call : Member(inputs, "policies").elements()) {
    const std::string& type = Member(call, "type").text();
    const std::vector<JsonValue>& args = Member(call, "args").elements();
    std::vector<TaskRouterPolicy> policies;
    if (type == "util.defaultEventBridgePolicies") {
      policies = DefaultEventBridgePolicies(args[0].text(), args[1].text());
    } else if (type == "util.defaultWorkerPolicies") {
      policies =
          DefaultWorkerPolicies(args[0].text(), args[1].text(), args[2].text());
    } else {
      EXPECT_EQ(type, "Policy");
      const JsonValue& policy_options = Member(call, "options");
      TaskRouterPolicy policy;
      policy.url = Member(policy_options, "url").text();
      // Node's documented default method; a typed request states it.
      policy.method = Member(policy_options, "method").is_string()
                          ? Member(policy_options, "method").text()
                          : "GET";
      policy.query_filter = FiltersOf(Member(policy_options, "queryFilter"));
      policy.post_filter = FiltersOf(Member(policy_options, "postFilter"));
      const JsonValue& allow = Member(policy_options, "allow");
      policy.allow = !allow.is_bool() || allow.bool_value();
      policies.push_back(std::move(policy));
    }
    for (TaskRouterPolicy& policy : policies) {
      spec.policies.push_back(std::move(policy));
    }
  }
  absl::StatusOr<HmacSha256Key> key = KeyFor(Member(options, "authToken"));
  if (!key.ok()) return key.status();
  absl::StatusOr<SignedToken> signed_token =
      SignTaskRouterToken(spec, *key, now, SigningLimits());
  if (!signed_token.ok()) return signed_token.status();
  return signed_token->token;
}

// The spec a python case's class (and keyword arguments, for 6.x+) stands
// for: python attaches its defaults on construction.
absl::StatusOr<TaskRouterSpec> PythonSpecOf(const JsonValue& inputs) {
  TaskRouterSpec spec;
  spec.profile = Profile::kTwilioPython;
  spec.account_sid = std::string(kAccountSid);
  spec.workspace_sid = std::string(kWorkspaceSid);
  const std::string& python_class = Member(inputs, "class").text();
  if (absl::StrContains(python_class, "Worker")) {
    spec.channel_id = std::string(kWorkerSid);
  } else if (absl::StrContains(python_class, "TaskQueue")) {
    spec.channel_id = std::string(kTaskQueueSid);
  } else {
    EXPECT_THAT(python_class, ::testing::HasSubstr("Workspace"));
    spec.channel_id = std::string(kWorkspaceSid);
  }
  absl::Status status =
      AppendPolicySet(TaskRouterPolicySet::kPythonDefaults, &spec);
  if (!status.ok()) return status;
  // twilio-python 6+ takes the extras as keyword arguments and applies them
  // in this order.
  const JsonValue& kwargs = Member(inputs, "kwargs");
  const std::pair<absl::string_view, TaskRouterPolicySet> kExtras[] = {
      {"allow_update_activities", TaskRouterPolicySet::kUpdateActivities},
      {"allow_update_reservations", TaskRouterPolicySet::kUpdateReservations},
  };
  for (size_t i = 0; i < kwargs.member_names().size(); ++i) {
    bool known = false;
    for (const auto& [name, set] : kExtras) {
      if (kwargs.member_names()[i] != name) continue;
      known = true;
      if (kwargs.member_values()[i].bool_value()) {
        status = AppendPolicySet(set, &spec);
        if (!status.ok()) return status;
      }
    }
    EXPECT_TRUE(known) << "no replay for keyword " << kwargs.member_names()[i];
  }
  return spec;
}

absl::Time PythonNow(const JsonValue& vector) { return PythonCaseNow(vector); }

// Replays a python case in the profile of its SDK major.
absl::StatusOr<std::string> SignPythonCase(absl::string_view id,
                                           const JsonValue& vector) {
  absl::StatusOr<TaskRouterSpec> spec = PythonSpecOf(Member(vector, "inputs"));
  if (!spec.ok()) return spec.status();
  spec->profile = PythonCaseProfile(id);
  absl::StatusOr<HmacSha256Key> key = HmacSha256Key::Create(kAuthToken);
  if (!key.ok()) return key.status();
  absl::StatusOr<SignedToken> signed_token =
      SignTaskRouterToken(*spec, *key, PythonNow(vector), SigningLimits());
  if (!signed_token.ok()) return signed_token.status();
  return signed_token->token;
}

std::string CaseName(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

class NodeTaskRouterVectorTest : public ::testing::TestWithParam<std::string> {
};

TEST_P(NodeTaskRouterVectorTest, MatchesTwilioNode) {
  ASSERT_OK_AND_ASSIGN(JsonValue vector, ReadVector("node", GetParam()));
  const SdkCaseException* exception = FindException(GetParam());
  if (IsNotExpressible(exception)) GTEST_SKIP() << exception->reason;
  ExpectSameAsSdk(vector, SignNodeCase(vector), exception);
}

INSTANTIATE_TEST_SUITE_P(AllCases, NodeTaskRouterVectorTest,
                         ::testing::ValuesIn(ListVectorIds("node", "tr")),
                         CaseName);

class PythonTaskRouterVectorTest
    : public ::testing::TestWithParam<std::string> {};

TEST_P(PythonTaskRouterVectorTest, MatchesTwilioPythonOfItsMajor) {
  ASSERT_OK_AND_ASSIGN(JsonValue vector, ReadVector("python", GetParam()));
  ExpectSameAsSdk(vector, SignPythonCase(GetParam(), vector),
                  FindException(GetParam()));
}

std::vector<std::string> PythonCases() {
  std::vector<std::string> ids;
  for (absl::string_view prefix : {"py5_tr", "py6_tr", "py9_tr"}) {
    for (std::string& id : ListVectorIds("python", prefix)) {
      ids.push_back(std::move(id));
    }
  }
  return ids;
}

INSTANTIATE_TEST_SUITE_P(AllCases, PythonTaskRouterVectorTest,
                         ::testing::ValuesIn(PythonCases()), CaseName);

// ---- python 6 and 9, read back ----------------------------------------
//
// Their policy lists are python's defaults and extras, which our helpers
// must reproduce, and our verifier must read their tokens (nbf included).

std::vector<std::string> LaterPythonCases() {
  std::vector<std::string> ids = ListVectorIds("python", "py6_tr");
  for (std::string& id : ListVectorIds("python", "py9_tr")) {
    ids.push_back(std::move(id));
  }
  return ids;
}

class LaterPythonTaskRouterVectorTest
    : public ::testing::TestWithParam<std::string> {};

TEST_P(LaterPythonTaskRouterVectorTest, VerifiesWithPythonsPolicies) {
  ASSERT_OK_AND_ASSIGN(JsonValue vector, ReadVector("python", GetParam()));
  ASSERT_OK_AND_ASSIGN(TaskRouterSpec expected,
                       PythonSpecOf(Member(vector, "inputs")));
  FixedClock clock(PythonNow(vector));
  ASSERT_OK_AND_ASSIGN(TaskRouterVerifier verifier,
                       TaskRouterVerifier::Create(
                           {.jwt = {.clock = &clock},
                            .expected_account_sid = std::string(kAccountSid)}));
  ASSERT_OK_AND_ASSIGN(HmacSha256Key key, HmacSha256Key::Create(kAuthToken));

  ASSERT_OK_AND_ASSIGN(VerifiedTaskRouterToken verified,
                       verifier.Verify(Member(vector, "token").text(), key));

  const TaskRouterClaims& claims = verified.claims();
  EXPECT_EQ(claims.account_sid, expected.account_sid);
  EXPECT_EQ(claims.workspace_sid, expected.workspace_sid);
  EXPECT_EQ(claims.channel_id, expected.channel_id);
  EXPECT_EQ(claims.version, "v1");
  EXPECT_EQ(claims.friendly_name, expected.channel_id);
  EXPECT_EQ(claims.policies, expected.policies);
  EXPECT_EQ(claims.not_before, PythonNow(vector));
}

INSTANTIATE_TEST_SUITE_P(AllCases, LaterPythonTaskRouterVectorTest,
                         ::testing::ValuesIn(LaterPythonCases()), CaseName);

// ---- every signed case verifies -----------------------------------------

class SignedTaskRouterVectorTest
    : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(SignedTaskRouterVectorTest, OurVerifierAcceptsTheSdksToken) {
  const auto& [folder, id] = GetParam();
  ASSERT_OK_AND_ASSIGN(JsonValue vector, ReadVector(folder, id));
  if (Member(vector, "result").text() != "ok") GTEST_SKIP() << "no token";
  FixedClock clock(folder == "node" ? absl::FromUnixMillis(
                                          *Member(vector, "now_ms").AsInt64())
                                    : PythonNow(vector));
  ASSERT_OK_AND_ASSIGN(TaskRouterVerifier verifier,
                       TaskRouterVerifier::Create({.jwt = {.clock = &clock}}));
  ASSERT_OK_AND_ASSIGN(HmacSha256Key key, HmacSha256Key::Create(kAuthToken));
  TaskRouterClaims claims;
  absl::StatusOr<VerifiedTaskRouterToken> verified =
      verifier.Verify(Member(vector, "token").text(), key, &claims);
  ASSERT_THAT(verified, IsOk());
  const JsonValue& payload = Member(vector, "payload");
  EXPECT_EQ(claims.channel_id, Member(payload, "channel").text());
  EXPECT_EQ(claims.policies.size(),
            Member(payload, "policies").elements().size());
}

std::vector<std::pair<std::string, std::string>> AllSignedCases() {
  std::vector<std::pair<std::string, std::string>> cases;
  for (std::string& id : ListVectorIds("node", "tr")) {
    cases.emplace_back("node", std::move(id));
  }
  for (absl::string_view prefix : {"py5_tr", "py6_tr", "py9_tr"}) {
    for (std::string& id : ListVectorIds("python", prefix)) {
      cases.emplace_back("python", std::move(id));
    }
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(
    AllCases, SignedTaskRouterVectorTest, ::testing::ValuesIn(AllSignedCases()),
    [](const ::testing::TestParamInfo<std::pair<std::string, std::string>>&
           info) { return info.param.second; });

// The vectors must be there: an empty folder would otherwise pass.
TEST(TaskRouterVectors, AllCaseFilesArePresent) {
  EXPECT_GE(ListVectorIds("node", "tr").size(), 10u);
  EXPECT_GE(ListVectorIds("python", "py5_tr").size(), 3u);
  EXPECT_GE(ListVectorIds("python", "py6_tr").size(), 4u);
  EXPECT_GE(ListVectorIds("python", "py9_tr").size(), 4u);
}

// twilio-node's URL helpers, recorded call by call.
TEST(TaskRouterVectors, UrlHelpersMatchTwilioNodeUtil) {
  ASSERT_OK_AND_ASSIGN(JsonValue helpers,
                       ReadVector("node", "taskrouter_url_helpers"));
  int checked = 0;
  for (const JsonValue& call : Member(helpers, "calls").elements()) {
    const std::string& fn = Member(call, "fn").text();
    std::vector<std::string> args;
    for (const JsonValue& arg : Member(call, "args").elements()) {
      args.push_back(arg.text());
    }
    args.resize(3);
    const JsonValue& result = Member(call, "result");
    SCOPED_TRACE(fn);
    if (fn == "workspacesUrl") {
      EXPECT_EQ(WorkspacesUrl(args[0]), result.text());
    } else if (fn == "taskQueuesUrl") {
      EXPECT_EQ(TaskQueuesUrl(args[0], args[1]), result.text());
    } else if (fn == "tasksUrl") {
      EXPECT_EQ(TasksUrl(args[0], args[1]), result.text());
    } else if (fn == "activitiesUrl") {
      EXPECT_EQ(ActivitiesUrl(args[0], args[1]), result.text());
    } else if (fn == "workersUrl") {
      EXPECT_EQ(WorkersUrl(args[0], args[1]), result.text());
    } else if (fn == "reservationsUrl") {
      EXPECT_EQ(ReservationsUrl(args[0], args[1], args[2]), result.text());
    } else {
      std::vector<TaskRouterPolicy> ours =
          fn == "defaultWorkerPolicies"
              ? DefaultWorkerPolicies(args[0], args[1], args[2])
              : DefaultEventBridgePolicies(args[0], args[1]);
      ASSERT_EQ(ours.size(), result.elements().size());
      for (size_t i = 0; i < ours.size(); ++i) {
        EXPECT_EQ(ours[i].url, Member(result.elements()[i], "url").text());
        EXPECT_EQ(ours[i].method,
                  Member(result.elements()[i], "method").text());
        EXPECT_TRUE(ours[i].allow);
        EXPECT_TRUE(ours[i].query_filter.empty());
        EXPECT_TRUE(ours[i].post_filter.empty());
      }
    }
    ++checked;
  }
  EXPECT_EQ(checked, 16);
}

}  // namespace
}  // namespace captoken::token
