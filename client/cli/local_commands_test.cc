// Tests for local_commands.h: `sign` gives the official SDKs' tokens for
// their own cases (tests/vectors), `verify` accepts them with the right
// secret and only then exits 0, and `decode` shows the SDK's header and
// claims. Secrets come from environment variables, as a user gives them.

#include "client/cli/local_commands.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "client/cli/cli_flags.h"
#include "client/cli/run_captured.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/json_value.h"
#include "tests/testing/vectors.h"

namespace captoken::cli {
namespace {

using ::captoken::testing::Member;
using ::captoken::testing::ReadVector;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

// The vectors' fixed, fake credentials (tests/vectors/README.md).
constexpr char kAuthToken[] = "f0e1d2c3b4a5968778695a4b3c2d1e0f";
constexpr char kKeySecret[] = "sEcReT0123456789sEcReT0123456789";
// The python cases' clock, truncated to the second as the SDK does.
constexpr int64_t kCaseNow = 1700000000;

constexpr char kAuthTokenVar[] = "LOCAL_COMMANDS_TEST_AUTH_TOKEN";
constexpr char kKeySecretVar[] = "LOCAL_COMMANDS_TEST_KEY_SECRET";

// A member of the python case `id`: its token, header_json, payload_json.
std::string CaseText(absl::string_view id, absl::string_view member) {
  absl::StatusOr<token::JsonValue> vector = ReadVector("python", id);
  EXPECT_TRUE(vector.ok()) << id << ": " << vector.status();
  return vector.ok() ? Member(*vector, member).text() : "";
}

class LocalCommandsTest : public ::testing::Test {
 protected:
  LocalCommandsTest() {
    setenv(kAuthTokenVar, kAuthToken, 1);
    setenv(kKeySecretVar, kKeySecret, 1);
  }
  ~LocalCommandsTest() override {
    unsetenv(kAuthTokenVar);
    unsetenv(kKeySecretVar);
  }

  absl::FlagSaver saver_;
};

// ---- sign
// --------------------------------------------------------------------

TEST_F(LocalCommandsTest, SignCapabilityPrintsTheSdksTokenAlone) {
  // twilio-python 9.11: allow_client_incoming("alice"),
  // allow_client_outgoing(APP_SID) (docs/cli.md's example).
  absl::SetFlag(&FLAGS_auth_token_env, kAuthTokenVar);
  absl::SetFlag(&FLAGS_issued_at, kCaseNow);
  absl::SetFlag(
      &FLAGS_request,
      R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
      R"("profile":"PROFILE_TWILIO_PYTHON_7",)"
      R"("scopes":[{"client_incoming":{"client_name":"alice"}},)"
      R"({"client_outgoing":{)"
      R"("application_sid":"AP89abcdef0123456789abcdef01234567"}}]})");
  const Captured run = RunCaptured(&RunSignCapability, {});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            CaseText("py9_cc10_incoming_then_outgoing", "token") + "\n");
  EXPECT_THAT(run.err, IsEmpty());
}

TEST_F(LocalCommandsTest, SignTaskRouterPrintsTheSdksToken) {
  // twilio-python 5.7, the default profile: TaskQueueCapabilityToken.
  absl::SetFlag(&FLAGS_auth_token_env, kAuthTokenVar);
  absl::SetFlag(&FLAGS_issued_at, kCaseNow);
  absl::SetFlag(&FLAGS_request,
                R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
                R"("workspace_sid":"WS0123456789abcdef0123456789abcdef",)"
                R"("channel_id":"WQ0123456789abcdef0123456789abcdef",)"
                R"("policy_sets":["TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS"]})");
  const Captured run = RunCaptured(&RunSignTaskRouter, {});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, CaseText("py5_tr03_taskqueue", "token") + "\n");
}

TEST_F(LocalCommandsTest, SignAccessPrintsTheSdksToken) {
  // twilio-python 9.11: AccessToken(identity="alice", ttl=600).
  absl::SetFlag(&FLAGS_api_key_secret_env, kKeySecretVar);
  absl::SetFlag(&FLAGS_issued_at, kCaseNow);
  absl::SetFlag(&FLAGS_request,
                R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
                R"("api_key_sid":"SK00112233445566778899aabbccddeeff",)"
                R"("identity":"alice","profile":"PROFILE_TWILIO_PYTHON_7",)"
                R"("ttl":"600s"})");
  const Captured run = RunCaptured(&RunSignAccess, {});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, CaseText("py9_decode01_valid", "token") + "\n");
}

TEST_F(LocalCommandsTest, SignAccessNeedsTheKeysSid) {
  absl::SetFlag(&FLAGS_api_key_secret_env, kKeySecretVar);
  absl::SetFlag(&FLAGS_request,
                R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
                R"("identity":"alice"})");
  const Captured run = RunCaptured(&RunSignAccess, {});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, IsEmpty());
  EXPECT_THAT(run.err, StartsWith("captoken: INVALID_ARGUMENT: api_key_sid: "
                                  "required to sign locally"));
}

TEST_F(LocalCommandsTest, ARefusedRequestIsReportedBeforeAnySecretIsRead) {
  // No secret flag at all: the request's own fault comes first.
  absl::SetFlag(&FLAGS_request,
                R"({"account_sid":"AC0123456789abcdef0123456789abcdef",)"
                R"("scopes":[{"client_incoming":{"client_name":""}}]})");
  const Captured run = RunCaptured(&RunSignCapability, {});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, StartsWith("captoken: INVALID_ARGUMENT: "
                                  "scopes[0].client_incoming.client_name: "));
}

TEST_F(LocalCommandsTest, SignTakesNoArguments) {
  const Captured run = RunCaptured(&RunSignCapability, {"extra"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, "captoken: sign capability takes no arguments\n");
}

TEST_F(LocalCommandsTest, SignErrorsNeverShowTheSecret) {
  absl::SetFlag(&FLAGS_auth_token_env, kAuthTokenVar);
  absl::SetFlag(&FLAGS_request, R"({"account_sid":"not a sid"})");
  const Captured run = RunCaptured(&RunSignCapability, {});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, Not(HasSubstr(kAuthToken)));
}

// ---- verify
// ------------------------------------------------------------------

TEST_F(LocalCommandsTest, VerifyAcceptsTheSdksTokenWithItsSecret) {
  // twilio-python 9.11's from_jwt accepts it at its clock.
  absl::SetFlag(&FLAGS_api_key_secret_env, kKeySecretVar);
  absl::SetFlag(&FLAGS_at, kCaseNow);
  const Captured run =
      RunCaptured(&RunVerifyLocally, {CaseText("py9_decode01_valid", "token")});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, StartsWith(R"({"valid":true,)"));
  EXPECT_THAT(run.out, HasSubstr(R"("kind":"TOKEN_KIND_ACCESS")"));
  EXPECT_THAT(run.out, HasSubstr(R"("expire_time":"2023-11-14T22:23:20Z")"));
  EXPECT_EQ(run.out.find('\n'), run.out.size() - 1);
}

TEST_F(LocalCommandsTest, VerifyRefusesTheSdksTokenWithAnotherSecret) {
  // twilio-python 9.11's from_jwt rejects it with the wrong secret.
  setenv(kKeySecretVar, "wrong", 1);
  absl::SetFlag(&FLAGS_api_key_secret_env, kKeySecretVar);
  absl::SetFlag(&FLAGS_at, kCaseNow);
  const Captured run = RunCaptured(
      &RunVerifyLocally, {CaseText("py9_decode06_wrong_key", "token")});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, StartsWith(R"({"valid":false,)"));
  EXPECT_THAT(run.out, HasSubstr("VERIFICATION_FAILURE_BAD_SIGNATURE"));
  EXPECT_THAT(run.err, StartsWith("captoken: "));
}

TEST_F(LocalCommandsTest, VerifyUsesTheAuthTokenForACapabilityToken) {
  absl::SetFlag(&FLAGS_auth_token_env, kAuthTokenVar);
  absl::SetFlag(&FLAGS_at, kCaseNow);
  absl::SetFlag(&FLAGS_account_sid, "AC0123456789abcdef0123456789abcdef");
  const Captured run =
      RunCaptured(&RunVerifyLocally,
                  {CaseText("py9_cc10_incoming_then_outgoing", "token")});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr(R"("kind":"TOKEN_KIND_CAPABILITY")"));
  EXPECT_THAT(run.out,
              HasSubstr(R"({"client_incoming":{"client_name":"alice"}})"));
}

TEST_F(LocalCommandsTest, VerifyTakesOneToken) {
  const Captured run = RunCaptured(&RunVerifyLocally, {});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, "captoken: verify takes one TOKEN (or - for stdin)\n");
}

TEST_F(LocalCommandsTest, AnUnreadableTokenPrintsItsVerdictAndFails) {
  const Captured run = RunCaptured(&RunVerifyLocally, {"not-a-token"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, StartsWith(R"({"valid":false,)"));
  EXPECT_THAT(run.err, StartsWith("captoken: INVALID_ARGUMENT: "));
}

// ---- decode
// ------------------------------------------------------------------

TEST_F(LocalCommandsTest, DecodeShowsTheSdksHeaderAndClaimsUnverified) {
  const std::string id = "py9_at14_region";
  const Captured run = RunCaptured(&RunDecode, {CaseText(id, "token")});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, absl::StrCat(R"({"verified":false,"header":)",
                                  CaseText(id, "header_json"), R"(,"payload":)",
                                  CaseText(id, "payload_json"), "}\n"));
  EXPECT_THAT(run.err, HasSubstr("WITHOUT checking the signature"));
}

TEST_F(LocalCommandsTest, DecodeRefusesWhatIsNotAToken) {
  const Captured run = RunCaptured(&RunDecode, {"a.b"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, IsEmpty());
  EXPECT_THAT(run.err, StartsWith("captoken: INVALID_ARGUMENT: "));
}

}  // namespace
}  // namespace captoken::cli
