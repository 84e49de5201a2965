// End-to-end tests of TaskRouter tokens, Access Tokens and BatchMint
// through the real server binary (its own process, a test config) and the
// real `captoken` CLI: minted tokens are byte for byte what `captoken sign`
// produces for the same JSON, every kind verifies through VerifyToken,
// caller policies refuse kinds, grants and identities, a batch answers each
// item in order, its size is bounded, and each item counts against the
// caller's rate.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "captoken/v1/token_service.grpc.pb.h"
#include "client/cpp/token_client.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/testing/server_process.h"
#include "tests/testing/sidecar_call.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace captoken {
namespace {

using ::captoken::testing::CallAs;
using ::captoken::testing::IsOk;
using ::captoken::testing::ProcessResult;
using ::captoken::testing::RunfilePath;
using ::captoken::testing::RunProcess;
using ::captoken::testing::ServerOptions;
using ::captoken::testing::ServerProcess;
using ::captoken::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAccount[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kAccountWithoutKeys[] = "ACfedcba9876543210fedcba9876543210";
constexpr char kWorkspace[] = "WS0123456789abcdef0123456789abcdef";
constexpr char kWorker[] = "WK0123456789abcdef0123456789abcdef";
constexpr char kQueue[] = "WQ0123456789abcdef0123456789abcdef";
constexpr char kApp[] = "AP0123456789abcdef0123456789abcdef";

// Keys of kAccount: a retired one (verify only), then two that sign.
constexpr char kRetiredKey[] = "SK00000000000000000000000000000001";
constexpr char kMainKey[] = "SK00000000000000000000000000000002";
constexpr char kFileKey[] = "SK00000000000000000000000000000003";

// Secrets made up for this test; none may appear in anything the server
// prints. The identity is a user's data: it must not be logged either.
constexpr char kAuthToken[] = "kinds-e2e-auth-token-3c5e7a9b";
constexpr char kOtherAuthToken[] = "kinds-e2e-auth-token-b-8d6f4e2c";
constexpr char kRetiredSecret[] = "kinds-e2e-retired-key-1a2b3c";
constexpr char kMainSecret[] = "kinds-e2e-main-key-4d5e6f";
constexpr char kFileSecret[] = "kinds-e2e-file-key-7a8b9c";
constexpr char kIdentity[] = "alice_kinds_e2e_private";
// The secret of a key the server does not know.
constexpr char kStrangerSecret[] = "kinds-e2e-stranger-key-0d1e2f";

constexpr char kVoiceApp[] = "spiffe://example.org/ns/web/sa/voice";
constexpr char kLegacy[] = "spiffe://example.org/ns/web/sa/legacy";
constexpr char kNightly[] = "spiffe://example.org/ns/batch/sa/nightly";

// Every token any test received, for the leak check at the end.
absl::Mutex tokens_mutex;
absl::flat_hash_set<std::string>* received_tokens
    ABSL_GUARDED_BY(tokens_mutex) = new absl::flat_hash_set<std::string>;

void Remember(const std::string& token) {
  absl::MutexLock lock(&tokens_mutex);
  received_tokens->insert(token);
}

std::string FileKeyPath() {
  static const std::string* const path = [] {
    auto* file = new std::string(testing::TempPath("file-api-key"));
    EXPECT_THAT(testing::WriteFile(*file, absl::StrCat(kFileSecret, "\n")),
                IsOk());
    return file;
  }();
  return *path;
}

const testing::EnvironmentVariables& Secrets() {
  static const auto* const env = new testing::EnvironmentVariables{
      {"KINDS_E2E_AUTH", kAuthToken},
      {"KINDS_E2E_AUTH_B", kOtherAuthToken},
      {"KINDS_E2E_KEY_RETIRED", kRetiredSecret},
      {"KINDS_E2E_KEY_MAIN", kMainSecret},
      {"KINDS_E2E_KEY_STRANGER", kStrangerSecret}};
  return *env;
}

std::string Accounts() {
  return absl::StrCat(
      "accounts {\n  account_sid: \"", kAccount,
      "\"\n  auth_token { env: \"KINDS_E2E_AUTH\" }\n", "  api_keys { sid: \"",
      kRetiredKey,
      "\" secret { env: \"KINDS_E2E_KEY_RETIRED\" } verify_only: true }\n",
      "  api_keys { sid: \"", kMainKey,
      "\" secret { env: \"KINDS_E2E_KEY_MAIN\" } }\n", "  api_keys { sid: \"",
      kFileKey, "\" secret { file: \"", FileKeyPath(), "\" } }\n}\n",
      "accounts { account_sid: \"", kAccountWithoutKeys,
      "\" auth_token { env: \"KINDS_E2E_AUTH_B\" } }\n");
}

template <typename Message>
Message FromJson(const std::string& json) {
  Message message;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &message).ok())
      << json;
  return message;
}

ProcessResult RunCli(const std::vector<std::string>& args,
                     const testing::EnvironmentVariables& env = {}) {
  std::vector<std::string> argv = {RunfilePath("client/cli/captoken")};
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<ProcessResult> result = RunProcess(argv, env);
  EXPECT_THAT(result, IsOk());
  return result.value_or(ProcessResult());
}

// `captoken sign <kind>` of `json` as of `issued_at`, with the secret a
// local signer of that kind holds.
std::string SignWithCli(
    absl::string_view kind, const std::string& json, int64_t issued_at,
    absl::string_view secret_flag = "--auth-token-env=KINDS_E2E_AUTH") {
  ProcessResult result = RunCli(
      {"sign", std::string(kind), absl::StrCat("--request=", json),
       std::string(secret_flag), absl::StrCat("--issued-at=", issued_at)},
      Secrets());
  EXPECT_EQ(result.exit_code, 0) << result.stderr_text;
  return std::string(absl::StripSuffix(result.stdout_text, "\n"));
}

std::string TaskRouterJson(absl::string_view channel, absl::string_view profile,
                           absl::string_view extra = "") {
  return absl::StrCat(
      R"({"account_sid":")", kAccount, R"(","workspace_sid":")", kWorkspace,
      R"(","channel_id":")", channel, R"(","profile":")", profile,
      R"(","ttl":"900s","policy_sets":["TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS"],)",
      R"("policies":[{"url":"https://taskrouter.twilio.com/v1/Workspaces/)",
      kWorkspace,
      R"(/Tasks/**","method":"POST","post_filter":[{"name":"Priority","required":false},)",
      R"({"name":"Attributes","constraint_json":"{\"required\":true,\"max\":2}"}]}])",
      extra, "}");
}

// An Access Token request with several grants, nbf and a region.
std::string AccessJson(absl::string_view profile, absl::string_view key_sid,
                       int64_t not_before) {
  return absl::StrCat(
      R"({"account_sid":")", kAccount, R"(",)",
      key_sid.empty() ? ""
                      : absl::StrCat(R"("api_key_sid":")", key_sid, R"(",)"),
      R"("identity":")", kIdentity, R"(","profile":")", profile,
      R"(","ttl":"1800s","region":"ie1","not_before":")",
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(not_before),
                       absl::UTCTimeZone()),
      R"(","grants":[{"voice":{"incoming_allow":true,"outgoing_application_sid":")",
      kApp,
      R"(","outgoing_application_params_json":"{\"To\":\"+15551234567\",\"n\":2}"}},)",
      R"({"chat":{"service_sid":"IS0123456789abcdef0123456789abcdef"}},)",
      R"({"video":{"room":"standup"}},)",
      R"({"task_router":{"workspace_sid":")", kWorkspace, R"(","worker_sid":")",
      kWorker, R"(","role":"worker"}}]})");
}

class TokenKindsE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ServerOptions options;
    options.config =
        absl::StrCat(Accounts(), "limits { max_batch_requests: 5 }\n");
    options.env = Secrets();
    absl::StatusOr<std::unique_ptr<ServerProcess>> started =
        ServerProcess::Start(options);
    ASSERT_THAT(started, IsOk());
    server_ = started->release();
    absl::StatusOr<std::unique_ptr<client::TokenClient>> created =
        client::TokenClient::Create(server_->target());
    ASSERT_THAT(created, IsOk());
    client_ = created->release();
  }

  static void TearDownTestSuite() {
    delete client_;
    delete server_;
  }

  static v1::VerifyTokenResponse VerifyThroughServer(const std::string& token) {
    v1::VerifyTokenRequest request;
    request.set_token(token);
    absl::StatusOr<v1::VerifyTokenResponse> response =
        client_->VerifyToken(request);
    EXPECT_THAT(response, IsOk());
    return response.value_or(v1::VerifyTokenResponse());
  }

  // The BatchMint audit lines the server wrote after byte `offset` of its
  // output, once a call's own line (the one with batch_size) is among them.
  static std::vector<std::string> BatchAuditLinesAfter(size_t offset) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    std::string output;
    while (true) {
      output = server_->Output().substr(offset);
      if (absl::StrContains(output, "\"batch_size\":") ||
          absl::Now() >= deadline) {
        break;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    std::vector<std::string> lines;
    for (absl::string_view line : absl::StrSplit(output, '\n')) {
      if (absl::StrContains(line, "\"event\":\"audit\"") &&
          absl::StrContains(line, "\"method\":\"BatchMint\"")) {
        lines.emplace_back(line);
      }
    }
    return lines;
  }

  static ServerProcess* server_;
  static client::TokenClient* client_;
};

ServerProcess* TokenKindsE2eTest::server_ = nullptr;
client::TokenClient* TokenKindsE2eTest::client_ = nullptr;

// ---- TaskRouter
// --------------------------------------------------------------

TEST_F(TokenKindsE2eTest, TaskRouterTokensAreByteIdenticalToCliSign) {
  for (const char* channel : {kWorker, kQueue, kWorkspace}) {
    for (const char* profile :
         {"PROFILE_TWILIO_PYTHON", "PROFILE_TWILIO_NODE"}) {
      const std::string json = TaskRouterJson(channel, profile);
      SCOPED_TRACE(json);
      ASSERT_OK_AND_ASSIGN(
          v1::TokenResponse response,
          client_->MintTaskRouterToken(FromJson<v1::TaskRouterRequest>(json)));
      Remember(response.token());
      EXPECT_EQ(
          response.expire_time().seconds() - response.issue_time().seconds(),
          900);
      EXPECT_EQ(response.token(), SignWithCli("taskrouter", json,
                                              response.issue_time().seconds()));
    }
  }
}

TEST_F(TokenKindsE2eTest, TaskRouterTokensVerifyThroughTheServer) {
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse response,
      client_->MintTaskRouterToken(
          FromJson<v1::TaskRouterRequest>(TaskRouterJson(
              kWorker, "PROFILE_TWILIO_NODE", R"(,"friendly_name":"Alice")"))));
  Remember(response.token());
  const v1::VerifyTokenResponse verified =
      VerifyThroughServer(response.token());
  EXPECT_TRUE(verified.valid());
  EXPECT_EQ(verified.kind(), v1::TOKEN_KIND_TASKROUTER);
  EXPECT_EQ(verified.account_sid(), kAccount);
  EXPECT_EQ(verified.taskrouter().channel_id(), kWorker);
  EXPECT_EQ(verified.taskrouter().friendly_name(), "Alice");
  // Python's six defaults, then the request's own policy.
  ASSERT_EQ(verified.taskrouter().policies_size(), 7);
  const v1::TaskRouterPolicy& own = verified.taskrouter().policies(6);
  EXPECT_EQ(own.method(), "POST");
  ASSERT_EQ(own.post_filter_size(), 2);
  EXPECT_FALSE(own.post_filter(0).required());
  EXPECT_EQ(own.post_filter(1).constraint_json(),
            R"({"required":true,"max":2})");

  // And locally, with the auth token.
  ProcessResult local =
      RunCli({"verify", "--auth-token-env=KINDS_E2E_AUTH", response.token()},
             Secrets());
  EXPECT_EQ(local.exit_code, 0) << local.stderr_text;
  EXPECT_THAT(local.stdout_text,
              HasSubstr("\"kind\":\"TOKEN_KIND_TASKROUTER\""));
}

TEST_F(TokenKindsE2eTest, ANodeDenyPolicyIsAnInvalidArgument) {
  const std::string deny =
      absl::StrCat(R"(,"policies":[{"url":"https://taskrouter.twilio.com/v1/)",
                   R"(Workspaces/)", kWorkspace,
                   R"(/Tasks/**","method":"DELETE","deny":true}])");
  std::string json = TaskRouterJson(kWorker, "PROFILE_TWILIO_NODE");
  // Replace the request's own policy with a deny.
  json = absl::StrCat(json.substr(0, json.find(R"(,"policies")")), deny, "}");
  EXPECT_THAT(
      client_->MintTaskRouterToken(FromJson<v1::TaskRouterRequest>(json)),
      StatusIs(absl::StatusCode::kInvalidArgument,
               Eq("policies[0].deny: the twilio-node profile cannot express a "
                  "deny policy")));
  // The CLI refuses it the same way.
  ProcessResult local =
      RunCli({"sign", "taskrouter", absl::StrCat("--request=", json),
              "--auth-token-env=KINDS_E2E_AUTH"},
             Secrets());
  EXPECT_EQ(local.exit_code, 1);
  EXPECT_THAT(local.stderr_text,
              HasSubstr("INVALID_ARGUMENT: policies[0].deny: the twilio-node"));
}

// ---- Access Tokens
// -----------------------------------------------------------

TEST_F(TokenKindsE2eTest, AccessTokensAreByteIdenticalToCliSign) {
  const int64_t not_before = absl::ToUnixSeconds(absl::Now()) - 60;
  for (const char* profile : {"PROFILE_TWILIO_PYTHON", "PROFILE_TWILIO_NODE"}) {
    for (const char* key : {kMainKey, kFileKey}) {
      const std::string json = AccessJson(profile, key, not_before);
      SCOPED_TRACE(json);
      ASSERT_OK_AND_ASSIGN(
          v1::TokenResponse response,
          client_->MintAccessToken(FromJson<v1::AccessTokenRequest>(json)));
      Remember(response.token());
      const std::string secret_flag =
          key == std::string(kMainKey)
              ? "--api-key-secret-env=KINDS_E2E_KEY_MAIN"
              : absl::StrCat("--api-key-secret-file=", FileKeyPath());
      EXPECT_EQ(response.token(),
                SignWithCli("access", json, response.issue_time().seconds(),
                            secret_flag));
    }
  }
}

TEST_F(TokenKindsE2eTest, WithoutAKeyTheFirstThatMaySignSigns) {
  const int64_t not_before = absl::ToUnixSeconds(absl::Now()) - 60;
  const std::string json = AccessJson("PROFILE_TWILIO_NODE", "", not_before);
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse response,
      client_->MintAccessToken(FromJson<v1::AccessTokenRequest>(json)));
  Remember(response.token());
  // The retired key is skipped: the main key signed it.
  EXPECT_EQ(response.token(),
            SignWithCli("access",
                        AccessJson("PROFILE_TWILIO_NODE", kMainKey, not_before),
                        response.issue_time().seconds(),
                        "--api-key-secret-env=KINDS_E2E_KEY_MAIN"));
}

TEST_F(TokenKindsE2eTest, AccessTokensVerifyThroughTheServerWithTheirClaims) {
  const int64_t not_before = absl::ToUnixSeconds(absl::Now()) - 60;
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse response,
      client_->MintAccessToken(FromJson<v1::AccessTokenRequest>(
          AccessJson("PROFILE_TWILIO_PYTHON", kFileKey, not_before))));
  Remember(response.token());
  const v1::VerifyTokenResponse verified =
      VerifyThroughServer(response.token());
  EXPECT_TRUE(verified.valid());
  EXPECT_EQ(verified.kind(), v1::TOKEN_KIND_ACCESS);
  EXPECT_EQ(verified.account_sid(), kAccount);
  EXPECT_EQ(verified.access().api_key_sid(), kFileKey);
  EXPECT_EQ(verified.access().identity(), kIdentity);
  EXPECT_EQ(verified.access().region(), "ie1");
  EXPECT_EQ(verified.access().not_before().seconds(), not_before);
  ASSERT_EQ(verified.access().grants_size(), 4);
  EXPECT_TRUE(verified.access().grants(0).voice().incoming_allow());
  EXPECT_EQ(
      verified.access().grants(0).voice().outgoing_application_params_json(),
      R"({"To":"+15551234567","n":2})");
  EXPECT_EQ(verified.access().grants(2).video().room(), "standup");
  EXPECT_EQ(verified.access().grants(3).task_router().role(), "worker");

  // Locally, only the secret of the key in iss verifies it.
  ProcessResult local =
      RunCli({"verify", absl::StrCat("--api-key-secret-file=", FileKeyPath()),
              absl::StrCat("--account-sid=", kAccount), response.token()});
  EXPECT_EQ(local.exit_code, 0) << local.stderr_text;
  ProcessResult wrong = RunCli(
      {"verify", "--api-key-secret-env=KINDS_E2E_KEY_MAIN", response.token()},
      Secrets());
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_THAT(wrong.stdout_text,
              HasSubstr("VERIFICATION_FAILURE_BAD_SIGNATURE"));
}

TEST_F(TokenKindsE2eTest, RetiredAndUnknownKeysVerifyAsTheyShould) {
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  const std::string retired_json =
      AccessJson("PROFILE_TWILIO_NODE", kRetiredKey, now - 60);
  // The retired key signs nothing through the server...
  EXPECT_THAT(
      client_->MintAccessToken(FromJson<v1::AccessTokenRequest>(retired_json)),
      StatusIs(absl::StatusCode::kPermissionDenied,
               Eq("not permitted for this API key, or the key does "
                  "not exist")));
  // ...but a token it signed before retiring still verifies.
  const std::string retired =
      SignWithCli("access", retired_json, now,
                  "--api-key-secret-env=KINDS_E2E_KEY_RETIRED");
  EXPECT_TRUE(VerifyThroughServer(retired).valid());

  // A key the server does not know: a bad signature, not an error.
  const std::string unknown_json = AccessJson(
      "PROFILE_TWILIO_NODE", "SK99999999999999999999999999999999", now - 60);
  const std::string unknown =
      SignWithCli("access", unknown_json, now,
                  "--api-key-secret-env=KINDS_E2E_KEY_STRANGER");
  ASSERT_FALSE(unknown.empty());
  const v1::VerifyTokenResponse verified = VerifyThroughServer(unknown);
  EXPECT_FALSE(verified.valid());
  EXPECT_EQ(verified.failure(), v1::VERIFICATION_FAILURE_BAD_SIGNATURE);
  EXPECT_EQ(verified.kind(), v1::TOKEN_KIND_ACCESS);
}

TEST_F(TokenKindsE2eTest, AnAccountWithoutApiKeysLooksUnknown) {
  const std::string json = absl::StrCat(
      R"({"account_sid":")", kAccountWithoutKeys, R"(","identity":"bob"})");
  absl::StatusOr<v1::TokenResponse> no_keys =
      client_->MintAccessToken(FromJson<v1::AccessTokenRequest>(json));
  absl::StatusOr<v1::TokenResponse> unknown =
      client_->MintAccessToken(FromJson<v1::AccessTokenRequest>(
          R"({"account_sid":"AC22222222222222222222222222222222","identity":"bob"})"));
  EXPECT_THAT(no_keys,
              StatusIs(absl::StatusCode::kPermissionDenied, ::testing::_));
  EXPECT_EQ(no_keys.status(), unknown.status());
}

TEST_F(TokenKindsE2eTest, CliMintsBothKindsThroughTheServer) {
  const std::string server = absl::StrCat("--server=", server_->target());
  ProcessResult taskrouter =
      RunCli({"mint", "taskrouter", server,
              absl::StrCat("--request=",
                           TaskRouterJson(kQueue, "PROFILE_TWILIO_PYTHON"))});
  ASSERT_EQ(taskrouter.exit_code, 0) << taskrouter.stderr_text;
  const std::string taskrouter_token(
      absl::StripSuffix(taskrouter.stdout_text, "\n"));
  Remember(taskrouter_token);
  EXPECT_TRUE(VerifyThroughServer(taskrouter_token).valid());

  ProcessResult access =
      RunCli({"mint", "access", server,
              absl::StrCat(R"(--request={"account_sid":")", kAccount,
                           R"(","identity":"bob","grants":[{"sync":{}}]})")});
  ASSERT_EQ(access.exit_code, 0) << access.stderr_text;
  const std::string access_token(absl::StripSuffix(access.stdout_text, "\n"));
  Remember(access_token);
  ProcessResult verified = RunCli(
      {"verify", "--api-key-secret-env=KINDS_E2E_KEY_MAIN", access_token},
      Secrets());
  EXPECT_EQ(verified.exit_code, 0) << verified.stderr_text;
  EXPECT_THAT(verified.stdout_text, HasSubstr("\"identity\":\"bob\""));

  // A refused request: the server's code on stderr, exit 1.
  ProcessResult refused = RunCli(
      {"mint", "access", server,
       absl::StrCat(
           R"(--request={"account_sid":")", kAccount,
           R"(","identity":"bob","grants":[{"sync":{"service_sid":"IS1"}}]})")});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(
      refused.stderr_text,
      HasSubstr("captoken: INVALID_ARGUMENT: grants[0].sync.service_sid"));
}

// ---- BatchMint -------------------------------------------------------------

TEST_F(TokenKindsE2eTest, ABatchOfMixedItemsAnswersEachInOrder) {
  const int64_t not_before = absl::ToUnixSeconds(absl::Now()) - 60;
  const std::string batch_json = absl::StrCat(
      R"({"requests":[)", R"({"capability":{"account_sid":")", kAccount,
      R"(","scopes":[{"client_incoming":{"client_name":"carol"}}]}},)",
      R"({"taskrouter":)", TaskRouterJson(kWorker, "PROFILE_TWILIO_NODE"), "},",
      R"({"access":{"account_sid":")", kAccount, R"(","identity":""}},)",
      R"({"access":)", AccessJson("PROFILE_TWILIO_NODE", "", not_before), "},",
      R"({"capability":{"account_sid":"AC22222222222222222222222222222222"}}]})");
  const size_t log_offset = server_->Output().size();
  ASSERT_OK_AND_ASSIGN(
      v1::BatchMintResponse response,
      client_->BatchMint(FromJson<v1::BatchMintRequest>(batch_json)));
  ASSERT_EQ(response.results_size(), 5);

  // The audit: one line per item, in order, each with its own kind and
  // outcome (and the fingerprint the response carries), then the call's.
  const std::vector<std::string> audit = BatchAuditLinesAfter(log_offset);
  ASSERT_EQ(audit.size(), 6u);
  const char* const item_kinds[] = {"capability", "taskrouter", "access",
                                    "access", "capability"};
  const char* const outcomes[] = {"OK", "OK", "INVALID_ARGUMENT", "OK",
                                  "PERMISSION_DENIED"};
  for (int i = 0; i < 5; ++i) {
    const std::string& line = audit[static_cast<size_t>(i)];
    EXPECT_THAT(line, HasSubstr(absl::StrCat("\"batch_item\":", i, ",")));
    EXPECT_THAT(line,
                HasSubstr(absl::StrCat("\"kind\":\"", item_kinds[i], "\"")));
    EXPECT_THAT(line,
                HasSubstr(absl::StrCat("\"outcome\":\"", outcomes[i], "\"")));
    if (response.results(i).code() == 0) {
      EXPECT_THAT(line,
                  HasSubstr(absl::StrCat(
                      "\"token_fingerprint\":\"",
                      response.results(i).token().token_fingerprint(), "\"")));
    }
  }
  EXPECT_THAT(audit[5], HasSubstr("\"batch_size\":5,"));
  EXPECT_THAT(audit[5], HasSubstr("\"outcome\":\"OK\""));
  EXPECT_THAT(audit[5], Not(HasSubstr("batch_item")));

  std::vector<int> codes;
  for (const v1::MintResult& result : response.results()) {
    codes.push_back(result.code());
    if (result.has_token()) Remember(result.token().token());
  }
  EXPECT_THAT(codes, ElementsAre(0, 0, 3, 0, 7));
  EXPECT_EQ(response.results(2).message(), "identity: required");
  EXPECT_EQ(response.results(4).message(),
            "not permitted for this account, or the account does not exist");
  // The valid items' tokens verify, each as its kind.
  const v1::TokenKind kinds[] = {
      v1::TOKEN_KIND_CAPABILITY, v1::TOKEN_KIND_TASKROUTER,
      v1::TOKEN_KIND_UNSPECIFIED, v1::TOKEN_KIND_ACCESS};
  for (int i : {0, 1, 3}) {
    const v1::VerifyTokenResponse verified =
        VerifyThroughServer(response.results(i).token().token());
    EXPECT_TRUE(verified.valid()) << i;
    EXPECT_EQ(verified.kind(), kinds[i]) << i;
  }
  // The taskrouter item is what the CLI signs for the same request.
  EXPECT_EQ(
      response.results(1).token().token(),
      SignWithCli("taskrouter", TaskRouterJson(kWorker, "PROFILE_TWILIO_NODE"),
                  response.results(1).token().issue_time().seconds()));

  // `captoken mint batch` prints every result and fails because two did.
  ProcessResult cli =
      RunCli({"mint", "batch", absl::StrCat("--server=", server_->target()),
              absl::StrCat("--request=", batch_json)});
  EXPECT_EQ(cli.exit_code, 1);
  EXPECT_THAT(cli.stderr_text, HasSubstr("2 of 5 requests failed"));
  v1::BatchMintResponse printed =
      FromJson<v1::BatchMintResponse>(cli.stdout_text);
  ASSERT_EQ(printed.results_size(), 5);
  EXPECT_EQ(printed.results(2).code(), 3);
  for (const v1::MintResult& result : printed.results()) {
    if (result.has_token()) Remember(result.token().token());
  }
}

TEST_F(TokenKindsE2eTest, TheBatchSizeIsBounded) {
  // The config allows 5.
  v1::BatchMintRequest batch;
  for (int i = 0; i < 5; ++i) {
    v1::CapabilityRequest* request = batch.add_requests()->mutable_capability();
    request->set_account_sid(kAccount);
  }
  ASSERT_OK_AND_ASSIGN(v1::BatchMintResponse ok, client_->BatchMint(batch));
  EXPECT_EQ(ok.results_size(), 5);
  for (const v1::MintResult& result : ok.results()) {
    Remember(result.token().token());
  }
  batch.add_requests()->mutable_capability()->set_account_sid(kAccount);
  EXPECT_THAT(client_->BatchMint(batch),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("requests: more than 5 in one batch")));
  EXPECT_THAT(client_->BatchMint(v1::BatchMintRequest()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("requests: at least one is required")));
}

// ---- Caller policies (behind a sidecar that names the caller)
// ----------------

// The voice app may mint Access Tokens with voice and video grants for
// lower-case identities; the legacy service (a policy written before the
// other kinds) capability tokens only; the nightly job every kind, with a
// bucket of three that refills once in 100 s.
std::string PolicyConfig() {
  return absl::StrCat(
      "transport { mesh_sidecar { trust_forwarded_client_cert: true } }\n",
      Accounts(), "callers {\n  identity: \"", kVoiceApp, "\"\n  accounts: \"",
      kAccount,
      "\"\n  token_kinds: TOKEN_KIND_ALLOWED_ACCESS\n"
      "  grant_kinds: [GRANT_KIND_VOICE, GRANT_KIND_VIDEO]\n"
      "  access_identity_pattern: \"[a-z_]{1,32}\"\n}\n",
      "callers {\n  identity: \"", kLegacy,
      "\"\n  accounts: \"*\"\n  scope_kinds: SCOPE_KIND_CLIENT_INCOMING\n}\n",
      "callers {\n  identity_pattern: "
      "\"spiffe://example\\\\.org/ns/batch/sa/.*\"\n"
      "  accounts: \"",
      kAccount,
      "\"\n  token_kinds: [TOKEN_KIND_ALLOWED_CAPABILITY, "
      "TOKEN_KIND_ALLOWED_TASKROUTER, TOKEN_KIND_ALLOWED_ACCESS]\n"
      "  grant_kinds: GRANT_KIND_VIDEO\n"
      "  rate { per_second: 0.01 burst: 3 }\n}\n");
}

class CallerPolicyE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ServerOptions options;
    options.config = PolicyConfig();
    options.env = Secrets();
    absl::StatusOr<std::unique_ptr<ServerProcess>> started =
        ServerProcess::Start(options);
    ASSERT_THAT(started, IsOk());
    server_ = started->release();
  }
  static void TearDownTestSuite() { delete server_; }

  static grpc::Status MintAccess(absl::string_view identity,
                                 const std::string& json) {
    v1::TokenResponse response;
    grpc::Status status = CallAs(
        server_->target(), identity, &v1::TokenService::Stub::MintAccessToken,
        FromJson<v1::AccessTokenRequest>(json), &response);
    if (status.ok()) Remember(response.token());
    return status;
  }

  static grpc::Status MintTaskRouter(absl::string_view identity) {
    v1::TokenResponse response;
    grpc::Status status = CallAs(server_->target(), identity,
                                 &v1::TokenService::Stub::MintTaskRouterToken,
                                 FromJson<v1::TaskRouterRequest>(TaskRouterJson(
                                     kWorker, "PROFILE_TWILIO_PYTHON")),
                                 &response);
    if (status.ok()) Remember(response.token());
    return status;
  }

  static ServerProcess* server_;
};

ServerProcess* CallerPolicyE2eTest::server_ = nullptr;

std::string AccessFor(absl::string_view identity, absl::string_view grants) {
  return absl::StrCat(R"({"account_sid":")", kAccount, R"(","identity":")",
                      identity, R"(","grants":[)", grants, "]}");
}

TEST_F(CallerPolicyE2eTest, KindsAreRefusedUnlessThePolicyListsThem) {
  EXPECT_TRUE(
      MintAccess(kVoiceApp, AccessFor("alice", R"({"video":{}})")).ok());
  grpc::Status status = MintTaskRouter(kVoiceApp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(status.error_message(),
            "this caller may not use taskrouter tokens");
  // A policy written before the new kinds existed allows none of them.
  status = MintTaskRouter(kLegacy);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  status = MintAccess(kLegacy, AccessFor("alice", ""));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(status.error_message(), "this caller may not use access tokens");
}

TEST_F(CallerPolicyE2eTest, GrantsAndIdentitiesAreRefusedUnlessAllowed) {
  grpc::Status status =
      MintAccess(kVoiceApp, AccessFor("alice", R"({"voice":{}},{"chat":{}})"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(status.error_message(),
            "grants[1]: this caller may not request chat grants");
  status = MintAccess(kVoiceApp, AccessFor("Alice.Smith", R"({"voice":{}})"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(status.error_message(), "identity: not allowed for this caller");
}

TEST_F(CallerPolicyE2eTest, WhoAmIReportsTheNewFields) {
  v1::GetCallerPolicyResponse response;
  ASSERT_TRUE(CallAs(server_->target(), kVoiceApp,
                     &v1::TokenService::Stub::GetCallerPolicy,
                     v1::GetCallerPolicyRequest(), &response)
                  .ok());
  EXPECT_THAT(response.policy().token_kinds(),
              ElementsAre(v1::TOKEN_KIND_ALLOWED_ACCESS));
  EXPECT_THAT(response.policy().grant_kinds(),
              ElementsAre(v1::GRANT_KIND_VOICE, v1::GRANT_KIND_VIDEO));
  EXPECT_EQ(response.policy().access_identity_pattern(), "[a-z_]{1,32}");
}

TEST_F(CallerPolicyE2eTest, EachBatchItemCountsAgainstTheRate) {
  // The bucket holds three and refills once in 100 s, so five items that
  // would all be signed get three tokens; an invalid item takes nothing.
  const std::string batch_json = absl::StrCat(
      R"({"requests":[)", R"({"access":)", AccessFor("a", R"({"video":{}})"),
      "},", R"({"access":)", AccessFor("b", R"({"chat":{}})"), "},",
      R"({"taskrouter":)", TaskRouterJson(kWorker, "PROFILE_TWILIO_PYTHON"),
      "},", R"({"capability":{"account_sid":")", kAccount, R"("}},)",
      R"({"access":)", AccessFor("c", R"({"video":{}})"), "},",
      R"({"capability":{"account_sid":")", kAccount, R"("}}]})");
  v1::BatchMintResponse response;
  std::string retry_after_ms;
  const grpc::Status status = CallAs(
      server_->target(), kNightly, &v1::TokenService::Stub::BatchMint,
      FromJson<v1::BatchMintRequest>(batch_json), &response, &retry_after_ms);
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<int> codes;
  for (const v1::MintResult& result : response.results()) {
    codes.push_back(result.code());
    if (result.has_token()) Remember(result.token().token());
  }
  // ok, grant refused, ok, ok, over the rate, over the rate.
  EXPECT_THAT(codes, ElementsAre(0, 7, 0, 0, 8, 8));
  EXPECT_THAT(response.results(4).message(),
              HasSubstr("over this caller's rate"));
  // The call says how long to wait, though it succeeded.
  int64_t millis = 0;
  EXPECT_TRUE(absl::SimpleAtoi(retry_after_ms, &millis)) << retry_after_ms;
  EXPECT_GT(millis, 0);

  // The single calls share the bucket the batch emptied.
  const grpc::Status single = MintTaskRouter(kNightly);
  EXPECT_EQ(single.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

// ---- Metrics ---------------------------------------------------------------

TEST(TokenKindsMetrics, MintsAreCountedByKindAndBatchItemsOneByOne) {
  ServerOptions options;
  options.config = Accounts();
  options.env = Secrets();
  options.args = {"--metrics_listen=127.0.0.1:0"};
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ServerProcess> server,
                       ServerProcess::Start(options));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<client::TokenClient> client,
                       client::TokenClient::Create(server->target()));
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse taskrouter,
      client->MintTaskRouterToken(FromJson<v1::TaskRouterRequest>(
          TaskRouterJson(kQueue, "PROFILE_TWILIO_NODE"))));
  Remember(taskrouter.token());
  ASSERT_OK_AND_ASSIGN(
      v1::BatchMintResponse batch,
      client->BatchMint(FromJson<v1::BatchMintRequest>(absl::StrCat(
          R"({"requests":[{"access":)", AccessFor("bob", R"({"video":{}})"),
          R"(},{"access":)", AccessFor("", ""), "}]}"))));
  ASSERT_EQ(batch.results_size(), 2);
  Remember(batch.results(0).token().token());

  ASSERT_OK_AND_ASSIGN(std::string scrape,
                       testing::HttpGet(server->metrics_port(), "/metrics"));
  for (const char* line : {
           "captoken_tokens_minted_total{kind=\"taskrouter\",profile=\"twilio-"
           "node\"} 1",
           "captoken_tokens_minted_total{kind=\"access\",profile=\"twilio-"
           "python\"} 1",
           "captoken_tokens_minted_total{kind=\"capability\",profile=\"twilio-"
           "python\"} 0",
           "captoken_batch_items_total{code=\"OK\"} 1",
           "captoken_batch_items_total{code=\"INVALID_ARGUMENT\"} 1",
           "captoken_rpc_calls_total{code=\"OK\",method=\"BatchMint\"} 1",
           "captoken_rpc_calls_total{code=\"OK\",method="
           "\"MintTaskRouterToken\"} "
           "1",
           // The refused item counts by its reason, though its call was OK.
           "captoken_refusals_total{reason=\"invalid_request\"} 1",
       }) {
    EXPECT_THAT(scrape, HasSubstr(line));
  }
  EXPECT_THAT(scrape, HasSubstr("accounts[0].api_keys[2].secret"));
}

// ---- Development mode
// ----------------------------------------------------------

TEST(DevelopmentMode, MintAccessWorksOutOfTheBox) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ServerProcess> server,
                       ServerProcess::Start(ServerOptions()));
  EXPECT_THAT(server->Output(), HasSubstr("captoken mint access"));
  EXPECT_THAT(server->Output(),
              HasSubstr("SK00000000000000000000000000000000"));
  ProcessResult minted = RunCli(
      {"mint", "access", absl::StrCat("--server=", server->target()),
       R"(--request={"account_sid":"AC00000000000000000000000000000000",)"
       R"("identity":"alice","grants":[{"video":{}}]})"});
  ASSERT_EQ(minted.exit_code, 0) << minted.stderr_text;
  ProcessResult verified =
      RunCli({"verify", "--api-key-secret-env=DEV_KEY",
              std::string(absl::StripSuffix(minted.stdout_text, "\n"))},
             {{"DEV_KEY", "captoken-development-api-key-secret"}});
  EXPECT_EQ(verified.exit_code, 0) << verified.stderr_text;
  EXPECT_THAT(
      verified.stdout_text,
      HasSubstr("\"api_key_sid\":\"SK00000000000000000000000000000000\""));
}

// After every test: nothing any server printed holds a secret, a token or
// an Access Token identity.
class NoSecretsInServerOutput : public ::testing::Environment {
 public:
  void TearDown() override {
    const std::string output = testing::AllServerOutput();
    EXPECT_THAT(output, HasSubstr("\"kind\":\"access\""))
        << "the leak check saw no Access Token audit line";
    for (const char* secret :
         {kAuthToken, kOtherAuthToken, kRetiredSecret, kMainSecret, kFileSecret,
          kStrangerSecret, kIdentity}) {
      EXPECT_THAT(output, Not(HasSubstr(secret)));
    }
    absl::MutexLock lock(&tokens_mutex);
    EXPECT_GT(received_tokens->size(), 10u);
    for (const std::string& token : *received_tokens) {
      EXPECT_THAT(output, Not(HasSubstr(token.substr(token.rfind('.') + 1))));
    }
  }
};

const auto* const kLeakCheck =
    ::testing::AddGlobalTestEnvironment(new NoSecretsInServerOutput);

}  // namespace
}  // namespace captoken
