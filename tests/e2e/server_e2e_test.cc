// End-to-end tests of the real server binary: it runs as a separate process
// on a free loopback port with a test config, and is called through the
// generated C++ stub (directly and through client/cpp's TokenClient) and
// through the real `captoken` CLI.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "captoken/v1/token_service.grpc.pb.h"
#include "client/cpp/token_client.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "service/token/crypto.h"
#include "service/token/internal/base64url.h"
#include "service/token/jwt_verifier.h"
#include "tests/testing/server_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace captoken {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::ProcessResult;
using ::captoken::testing::RunfilePath;
using ::captoken::testing::RunProcess;
using ::captoken::testing::ServerOptions;
using ::captoken::testing::ServerProcess;
using ::captoken::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

// Test accounts. The secrets are made up for this test and must never show
// up in anything the server prints.
constexpr char kAccountA[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kSecretA[] = "e2e-secret-a-7f3c9d1e5b2a4c6e8f0a";
constexpr char kSecretAVariable[] = "CAPTOKEN_E2E_AUTH_TOKEN_A";
constexpr char kAccountB[] = "ACfedcba9876543210fedcba9876543210";
constexpr char kSecretB[] = "e2e-secret-b-0c1d2e3f4a5b6c7d8e9f";
constexpr char kRetiredAccount[] = "AC11111111111111111111111111111111";
constexpr char kRetiredSecret[] = "e2e-secret-retired-5a6b7c8d9e0f";
constexpr char kRetiredVariable[] = "CAPTOKEN_E2E_AUTH_TOKEN_RETIRED";
constexpr char kUnknownAccount[] = "AC22222222222222222222222222222222";
constexpr char kAppSid[] = "AP89abcdef0123456789abcdef01234567";

// Every token any test received, for the leak check at the end.
absl::Mutex tokens_mutex;
absl::flat_hash_set<std::string>* minted_tokens ABSL_GUARDED_BY(tokens_mutex) =
    new absl::flat_hash_set<std::string>;

void RememberToken(const std::string& token) {
  absl::MutexLock lock(&tokens_mutex);
  minted_tokens->insert(token);
}

std::string SecretBFile() {
  static const std::string* const path = [] {
    auto* file = new std::string(testing::TempPath("auth-token-b"));
    EXPECT_THAT(testing::WriteFile(*file, absl::StrCat(kSecretB, "\n")),
                IsOk());
    return file;
  }();
  return *path;
}

ServerOptions TestServerOptions() {
  ServerOptions options;
  options.config = absl::StrCat(
      "accounts { account_sid: \"", kAccountA, "\" auth_token { env: \"",
      kSecretAVariable, "\" } }\n", "accounts { account_sid: \"", kAccountB,
      "\" auth_token { file: \"", SecretBFile(), "\" } }\n",
      "accounts { account_sid: \"", kRetiredAccount, "\" auth_token { env: \"",
      kRetiredVariable, "\" } verify_only: true }\n");
  options.env = {{kSecretAVariable, kSecretA},
                 {kRetiredVariable, kRetiredSecret}};
  return options;
}

v1::CapabilityRequest RequestFromJson(const std::string& json) {
  v1::CapabilityRequest request;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &request).ok())
      << json;
  return request;
}

std::string Cli() { return RunfilePath("client/cli/captoken"); }

ProcessResult RunCli(const std::vector<std::string>& args,
                     const testing::EnvironmentVariables& env = {},
                     absl::string_view input = "") {
  std::vector<std::string> argv = {Cli()};
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<ProcessResult> result = RunProcess(argv, env, input);
  EXPECT_THAT(result, IsOk());
  return result.value_or(ProcessResult());
}

// Signs `json` locally with the CLI, as of `issued_at`, with account A's or
// B's secret.
std::string SignWithCli(const std::string& json, int64_t issued_at,
                        absl::string_view account) {
  const bool is_a = account == kAccountA;
  ProcessResult result =
      RunCli({"sign", "capability", absl::StrCat("--request=", json),
              is_a ? absl::StrCat("--auth-token-env=", kSecretAVariable)
                   : absl::StrCat("--auth-token-file=", SecretBFile()),
              absl::StrCat("--issued-at=", issued_at)},
             {{kSecretAVariable, kSecretA}});
  EXPECT_EQ(result.exit_code, 0) << result.stderr_text;
  return std::string(absl::StripSuffix(result.stdout_text, "\n"));
}

// An HS256 JWT over `payload_json` with a MAC under `secret`, built by hand
// so that it can carry what no signer writes.
std::string SignByHand(absl::string_view payload_json,
                       absl::string_view secret) {
  std::string input;
  token::internal::AppendBase64Url(R"({"alg":"HS256","typ":"JWT"})", &input);
  input += ".";
  token::internal::AppendBase64Url(payload_json, &input);
  absl::StatusOr<token::HmacSha256Key> key =
      token::HmacSha256Key::Create(secret);
  EXPECT_THAT(key, IsOk());
  if (!key.ok()) return "";
  const token::HmacSha256Key::Mac mac = key->Compute(input);
  std::string token = absl::StrCat(input, ".");
  token::internal::AppendBase64Url(
      absl::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()),
      &token);
  return token;
}

// A capability token for account A, valid for an hour, exactly `length`
// bytes long: the client name is padded to fit (any length from a few
// hundred bytes can be written).
std::string CapabilityTokenOfLength(size_t length) {
  const int64_t exp = absl::ToUnixSeconds(absl::Now()) + 3600;
  for (size_t pad = length * 3 / 4 - 200; pad < length; ++pad) {
    std::string token = SignByHand(
        absl::StrCat(R"({"scope":"scope:client:incoming?clientName=)",
                     std::string(pad, 'a'), R"(","iss":")", kAccountA,
                     R"(","exp":)", exp, "}"),
        kSecretA);
    if (token.size() == length) return token;
    if (token.size() > length) break;
  }
  ADD_FAILURE() << "no token of " << length << " bytes";
  return "";
}

// The soft and hard limits on core files, as /proc/PID/limits writes them
// ("0 0", or "0 unlimited").
std::string CoreFileLimits(int pid) {
  std::ifstream limits(absl::StrCat("/proc/", pid, "/limits"));
  std::string line;
  while (std::getline(limits, line)) {
    if (absl::StartsWith(line, "Max core file size")) {
      std::vector<std::string> words =
          absl::StrSplit(line.substr(sizeof("Max core file size") - 1), ' ',
                         absl::SkipEmpty());
      if (words.size() < 2) return "";
      return absl::StrCat(words[0], " ", words[1]);
    }
  }
  return "";
}

// The SETTINGS_MAX_CONCURRENT_STREAMS the server announces on a new HTTP/2
// connection to `port` (its first SETTINGS frame), or -1.
int64_t AnnouncedMaxConcurrentStreams(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout = {5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  int64_t announced = -1;
  // The client preface, then an empty SETTINGS frame.
  const std::string preface = std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") +
                              std::string("\0\0\0\x04\0\0\0\0\0", 9);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) ==
          0 &&
      write(fd, preface.data(), preface.size()) ==
          static_cast<ssize_t>(preface.size())) {
    std::string received;
    char buffer[4096];
    while (announced < 0) {
      const ssize_t n = read(fd, buffer, sizeof(buffer));
      if (n <= 0) break;
      received.append(buffer, static_cast<size_t>(n));
      // Frames: 3 bytes length, type, flags, 4 bytes stream id, payload.
      size_t at = 0;
      while (announced < 0 && received.size() >= at + 9) {
        const auto byte = [&](size_t i) {
          return static_cast<uint8_t>(received[i]);
        };
        const size_t length = (size_t{byte(at)} << 16) |
                              (size_t{byte(at + 1)} << 8) | byte(at + 2);
        if (received.size() < at + 9 + length) break;
        const bool settings = byte(at + 3) == 0x4 && (byte(at + 4) & 1) == 0;
        for (size_t p = at + 9; settings && p + 6 <= at + 9 + length; p += 6) {
          if (((byte(p) << 8) | byte(p + 1)) == 0x3) {
            announced = (int64_t{byte(p + 2)} << 24) | (byte(p + 3) << 16) |
                        (byte(p + 4) << 8) | byte(p + 5);
          }
        }
        at += 9 + length;
      }
    }
  }
  close(fd);
  return announced;
}

class ServerE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<ServerProcess>> started =
        ServerProcess::Start(TestServerOptions());
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

  absl::StatusOr<v1::TokenResponse> Mint(const std::string& json) {
    absl::StatusOr<v1::TokenResponse> response =
        client_->MintCapabilityToken(RequestFromJson(json));
    if (response.ok()) RememberToken(response->token());
    return response;
  }

  static ServerProcess* server_;
  static client::TokenClient* client_;
};

ServerProcess* ServerE2eTest::server_ = nullptr;
client::TokenClient* ServerE2eTest::client_ = nullptr;

// Requests covering every scope kind, both profiles, explicit and default
// lifetimes, and parameters that need encoding.
std::vector<std::pair<std::string, std::string>> SampleRequests() {
  const std::string a = kAccountA;
  const std::string app = kAppSid;
  return {
      {a, R"({"account_sid":")" + a +
              R"(","scopes":[{"client_incoming":{"client_name":"alice"}}]})"},
      {a,
       R"({"account_sid":")" + a +
           R"(","profile":"PROFILE_TWILIO_NODE","ttl":"600s","scopes":[)"
           R"({"client_incoming":{"client_name":"alice"}},)"
           R"({"client_outgoing":{"application_sid":")" +
           app +
           R"(","client_name":"alice","params":[{"key":"To","value":"+1 555 & co"},)"
           R"({"key":"Caller","value":"client:café"}]}},)"
           R"({"event_stream":{"filters":[{"key":"call sid","value":"CA 1&2"}]}}]})"},
      {a, R"({"account_sid":")" + a +
              R"(","profile":"PROFILE_TWILIO_PYTHON","ttl":"120s","scopes":[)"
              R"({"client_outgoing":{"application_sid":")" +
              app +
              R"(","params":[{"key":"first name","value":"John Smith"}]}},)"
              R"({"client_incoming":{"client_name":"bob"}},)"
              R"({"event_stream":{}}]})"},
      {kAccountB,
       R"({"account_sid":")" + std::string(kAccountB) +
           R"(","profile":"PROFILE_TWILIO_NODE","ttl":"86400s","scopes":[]})"},
  };
}

TEST_F(ServerE2eTest, MintedTokensAreByteIdenticalToCliSign) {
  for (const auto& [account, json] : SampleRequests()) {
    SCOPED_TRACE(json);
    absl::StatusOr<v1::TokenResponse> response = Mint(json);
    ASSERT_THAT(response, IsOk());
    EXPECT_EQ(response->token(),
              SignWithCli(json, response->issue_time().seconds(), account));
  }
}

TEST_F(ServerE2eTest, CliMintPrintsTheSameTokenAsLocalSigning) {
  const std::string json = SampleRequests()[1].second;  // ttl 600 s
  ProcessResult minted = RunCli({"mint", "capability",
                                 absl::StrCat("--server=", server_->target()),
                                 absl::StrCat("--request=", json)});
  ASSERT_EQ(minted.exit_code, 0) << minted.stderr_text;
  ASSERT_TRUE(absl::EndsWith(minted.stdout_text, "\n"));
  const std::string token(absl::StripSuffix(minted.stdout_text, "\n"));
  RememberToken(token);
  EXPECT_THAT(token, Not(HasSubstr("\n")));
  EXPECT_EQ(minted.stderr_text, "");

  // Node-profile tokens carry iat; re-sign locally at that second.
  ProcessResult decoded = RunCli({"decode", token});
  ASSERT_EQ(decoded.exit_code, 0);
  const size_t iat_at = decoded.stdout_text.find("\"iat\":");
  ASSERT_NE(iat_at, std::string::npos);
  int64_t iat = 0;
  ASSERT_TRUE(
      absl::SimpleAtoi(decoded.stdout_text.substr(iat_at + 6, 10), &iat));
  EXPECT_EQ(token, SignWithCli(json, iat, kAccountA));
}

TEST_F(ServerE2eTest, GeneratedStubMintsDirectly) {
  std::unique_ptr<v1::TokenService::Stub> stub =
      v1::TokenService::NewStub(grpc::CreateChannel(
          server_->target(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  v1::TokenResponse response;
  const grpc::Status status = stub->MintCapabilityToken(
      &context, RequestFromJson(SampleRequests()[0].second), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  RememberToken(response.token());
  EXPECT_EQ(response.profile(), v1::PROFILE_TWILIO_PYTHON);
  EXPECT_EQ(response.expire_time().seconds() - response.issue_time().seconds(),
            3600);
  EXPECT_EQ(response.token_fingerprint().size(), 16u);
}

TEST_F(ServerE2eTest, MintedTokensVerifyWithTheAccountSecret) {
  for (const auto& [account, json] : SampleRequests()) {
    absl::StatusOr<v1::TokenResponse> response = Mint(json);
    ASSERT_THAT(response, IsOk());
    const bool is_a = account == kAccountA;
    ProcessResult verified =
        RunCli({"verify",
                is_a ? absl::StrCat("--auth-token-env=", kSecretAVariable)
                     : absl::StrCat("--auth-token-file=", SecretBFile()),
                absl::StrCat("--account-sid=", account), "-"},
               {{kSecretAVariable, kSecretA}}, response->token());
    EXPECT_EQ(verified.exit_code, 0) << verified.stderr_text;
    EXPECT_THAT(verified.stdout_text, HasSubstr("\"valid\":true"));

    // And not with another account's secret.
    ProcessResult wrong_key = RunCli(
        {"verify", absl::StrCat("--auth-token-env=", kRetiredVariable), "-"},
        {{kRetiredVariable, kRetiredSecret}}, response->token());
    EXPECT_EQ(wrong_key.exit_code, 1);
    EXPECT_THAT(wrong_key.stdout_text,
                HasSubstr("VERIFICATION_FAILURE_BAD_SIGNATURE"));
  }
}

TEST_F(ServerE2eTest, InvalidRequestsGetInvalidArgumentNamingTheField) {
  const std::string a = kAccountA;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"account_sid":"AC123"})", "account_sid"},
      {R"({})", "account_sid: required"},
      {R"({"account_sid":")" + a + R"(","scopes":[{}]})", "scopes[0]"},
      {R"({"account_sid":")" + a +
           R"(","scopes":[{"client_incoming":{"client_name":""}}]})",
       "scopes[0].client_incoming.client_name: required"},
      {R"({"account_sid":")" + a +
           R"(","scopes":[{"client_outgoing":{"application_sid":"AP1"}}]})",
       "scopes[0].client_outgoing.application_sid"},
      {R"({"account_sid":")" + a + R"(","ttl":"0s"})", "ttl"},
      {R"({"account_sid":")" + a + R"(","ttl":"-5s"})", "ttl"},
      {R"({"account_sid":")" + a + R"(","ttl":"86401s"})", "ttl"},
      {R"({"account_sid":")" + a + R"(","ttl":"1.5s"})", "ttl"},
      {R"({"account_sid":")" + a +
           R"(","ttl":"60s","expire_time":"2030-01-01T00:00:00Z"})",
       "expire_time"},
      {R"({"account_sid":")" + a + R"(","expire_time":"2001-01-01T00:00:00Z"})",
       "expire_time"},
      {R"({"account_sid":")" + a +
           R"(","scopes":[{"event_stream":{"filters":[{"key":"k","value":"1"},{"key":"k","value":"2"}]}}]})",
       "duplicate key"},
  };
  for (const auto& [json, field] : cases) {
    SCOPED_TRACE(json);
    absl::StatusOr<v1::TokenResponse> response = Mint(json);
    EXPECT_THAT(response,
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(field)));
    EXPECT_THAT(response.status().message(), Not(HasSubstr(kSecretA)));
  }

  // Too many scopes (the default limit is 16).
  std::string many = R"({"account_sid":")" + a + R"(","scopes":[)";
  for (int i = 0; i < 17; ++i) {
    absl::StrAppend(&many, i ? "," : "",
                    R"({"client_incoming":{"client_name":"n)", i, R"("}})");
  }
  many += "]}";
  EXPECT_THAT(Mint(many), StatusIs(absl::StatusCode::kInvalidArgument,
                                   HasSubstr("scopes")));
}

TEST_F(ServerE2eTest, OversizedRequestIsRefusedBeforeAnyWork) {
  const std::string huge_name(70 * 1024, 'x');
  absl::StatusOr<v1::TokenResponse> response =
      Mint(absl::StrCat(R"({"account_sid":")", kAccountA,
                        R"(","scopes":[{"client_incoming":{"client_name":")",
                        huge_name, R"("}}]})"));
  EXPECT_THAT(response,
              StatusIs(absl::StatusCode::kResourceExhausted, ::testing::_));
}

TEST_F(ServerE2eTest, UnknownAndVerifyOnlyAccountsLookTheSame) {
  absl::StatusOr<v1::TokenResponse> unknown =
      Mint(absl::StrCat(R"({"account_sid":")", kUnknownAccount, R"("})"));
  absl::StatusOr<v1::TokenResponse> forbidden =
      Mint(absl::StrCat(R"({"account_sid":")", kRetiredAccount, R"("})"));
  EXPECT_THAT(unknown,
              StatusIs(absl::StatusCode::kPermissionDenied, ::testing::_));
  EXPECT_EQ(unknown.status(), forbidden.status());
}

TEST_F(ServerE2eTest, HealthReportsServing) {
  std::unique_ptr<grpc::health::v1::Health::Stub> health =
      grpc::health::v1::Health::NewStub(grpc::CreateChannel(
          server_->target(), grpc::InsecureChannelCredentials()));
  for (const std::string service : {"", "captoken.v1.TokenService"}) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    const grpc::Status status = health->Check(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING)
        << "service \"" << service << "\"";
  }
}

TEST_F(ServerE2eTest, ReflectionListsTheService) {
  std::unique_ptr<grpc::reflection::v1alpha::ServerReflection::Stub> stub =
      grpc::reflection::v1alpha::ServerReflection::NewStub(grpc::CreateChannel(
          server_->target(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  auto stream = stub->ServerReflectionInfo(&context);
  grpc::reflection::v1alpha::ServerReflectionRequest request;
  request.set_list_services("");
  ASSERT_TRUE(stream->Write(request));
  stream->WritesDone();
  grpc::reflection::v1alpha::ServerReflectionResponse response;
  ASSERT_TRUE(stream->Read(&response));
  std::vector<std::string> names;
  for (const auto& service : response.list_services_response().service()) {
    names.push_back(service.name());
  }
  EXPECT_THAT(names, ::testing::Contains("captoken.v1.TokenService"));
  EXPECT_THAT(names, ::testing::Contains("grpc.health.v1.Health"));
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(ServerE2eTest, VerifyTokenReportsEachVerdict) {
  absl::StatusOr<v1::TokenResponse> minted = Mint(SampleRequests()[1].second);
  ASSERT_THAT(minted, IsOk());

  v1::VerifyTokenRequest request;
  request.set_token(minted->token());
  absl::StatusOr<v1::VerifyTokenResponse> valid = client_->VerifyToken(request);
  ASSERT_THAT(valid, IsOk());
  EXPECT_TRUE(valid->valid());
  EXPECT_EQ(valid->account_sid(), kAccountA);
  ASSERT_EQ(valid->scopes_size(), 3);
  EXPECT_EQ(valid->scopes(1).client_outgoing().params(1).value(),
            "client:café");
  EXPECT_EQ(valid->expire_time().seconds(), minted->expire_time().seconds());

  // Signed correctly but long expired: invalid, claims still shown.
  const std::string old_token =
      SignWithCli(SampleRequests()[0].second, 1700000000, kAccountA);
  RememberToken(old_token);
  request.set_token(old_token);
  absl::StatusOr<v1::VerifyTokenResponse> expired =
      client_->VerifyToken(request);
  ASSERT_THAT(expired, IsOk());
  EXPECT_FALSE(expired->valid());
  EXPECT_EQ(expired->failure(), v1::VERIFICATION_FAILURE_EXPIRED);
  EXPECT_EQ(expired->account_sid(), kAccountA);

  // Tampered payload: bad signature, no claims.
  std::string tampered = minted->token();
  tampered[tampered.find('.') + 5] ^= 1;
  request.set_token(tampered);
  absl::StatusOr<v1::VerifyTokenResponse> bad = client_->VerifyToken(request);
  ASSERT_THAT(bad, IsOk());
  EXPECT_FALSE(bad->valid());
  EXPECT_TRUE(bad->failure() == v1::VERIFICATION_FAILURE_BAD_SIGNATURE ||
              bad->failure() == v1::VERIFICATION_FAILURE_MALFORMED);
  EXPECT_EQ(bad->account_sid(), "");

  // Requires another account: wrong account.
  request.set_token(minted->token());
  request.set_account_sid(kAccountB);
  absl::StatusOr<v1::VerifyTokenResponse> wrong = client_->VerifyToken(request);
  ASSERT_THAT(wrong, IsOk());
  EXPECT_FALSE(wrong->valid());

  // An account the server does not know: denied like minting.
  request.set_account_sid(kUnknownAccount);
  EXPECT_THAT(client_->VerifyToken(request),
              StatusIs(absl::StatusCode::kPermissionDenied, ::testing::_));

  // Garbage.
  request.clear_account_sid();
  request.set_token("not.a.token");
  absl::StatusOr<v1::VerifyTokenResponse> garbage =
      client_->VerifyToken(request);
  ASSERT_THAT(garbage, IsOk());
  EXPECT_EQ(garbage->failure(), v1::VERIFICATION_FAILURE_MALFORMED);
}

TEST_F(ServerE2eTest, CliReportsServerErrorsOnStderrWithExitStatus1) {
  ProcessResult denied = RunCli({"mint", "capability",
                                 absl::StrCat("--server=", server_->target()),
                                 absl::StrCat(R"(--request={"account_sid":")",
                                              kUnknownAccount, R"("})")});
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_EQ(denied.stdout_text, "");
  EXPECT_THAT(denied.stderr_text, HasSubstr("PERMISSION_DENIED"));

  ProcessResult verified_remotely =
      RunCli({"verify", absl::StrCat("--server=", server_->target()), "a.b.c"});
  EXPECT_EQ(verified_remotely.exit_code, 1);
  EXPECT_THAT(verified_remotely.stdout_text, HasSubstr("\"valid\":false"));
}

TEST_F(ServerE2eTest, CliPrintsAVerdictForTimesProtobufCannotHold) {
  // Correctly signed with account A's secret, expiring in the year 10000 or
  // at the end of int64: such a token used to verify, and `verify` printed
  // nothing and exited 0. It is malformed, with a verdict that prints.
  for (absl::string_view exp : {"9223372036854775807", "253402300800"}) {
    SCOPED_TRACE(exp);
    const std::string token = SignByHand(
        absl::StrCat(R"({"scope":"scope:client:incoming?clientName=alice",)",
                     R"("iss":")", kAccountA, R"(","exp":)", exp, "}"),
        kSecretA);
    RememberToken(token);
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{
              "verify", absl::StrCat("--auth-token-env=", kSecretAVariable),
              token},
          std::vector<std::string>{
              "verify", absl::StrCat("--server=", server_->target()), token}}) {
      SCOPED_TRACE(args[1]);
      ProcessResult result = RunCli(args, {{kSecretAVariable, kSecretA}});
      EXPECT_EQ(result.exit_code, 1);
      EXPECT_THAT(result.stdout_text, HasSubstr(R"("valid":false)"));
      EXPECT_THAT(result.stdout_text,
                  HasSubstr("VERIFICATION_FAILURE_MALFORMED"));
      EXPECT_THAT(result.stderr_text, Not(HasSubstr("cannot print")));
      EXPECT_THAT(result.stderr_text, Not(HasSubstr(std::string(exp))));
    }
  }
}

TEST_F(ServerE2eTest, CliAndServerVerifyUpToTheSameLimit) {
  // One limit, token::kMaxVerifyTokenBytes, for `captoken verify` locally
  // and through the server: a token at it verifies both ways, one byte more
  // is too large both ways (the CLI used to accept up to 64 KiB, the server
  // 16 KiB).
  const std::string at_limit =
      CapabilityTokenOfLength(token::kMaxVerifyTokenBytes);
  const std::string over =
      CapabilityTokenOfLength(token::kMaxVerifyTokenBytes + 1);
  ASSERT_EQ(at_limit.size(), token::kMaxVerifyTokenBytes);
  ASSERT_EQ(over.size(), token::kMaxVerifyTokenBytes + 1);
  RememberToken(at_limit);
  RememberToken(over);
  for (const std::string& where :
       {absl::StrCat("--auth-token-env=", kSecretAVariable),
        absl::StrCat("--server=", server_->target())}) {
    SCOPED_TRACE(where);
    // Through standard input: the tokens are long for one argument.
    ProcessResult accepted = RunCli({"verify", where, "-"},
                                    {{kSecretAVariable, kSecretA}}, at_limit);
    EXPECT_EQ(accepted.exit_code, 0) << accepted.stderr_text;
    EXPECT_THAT(accepted.stdout_text, HasSubstr(R"("valid":true)"));
    ProcessResult refused =
        RunCli({"verify", where, "-"}, {{kSecretAVariable, kSecretA}}, over);
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_THAT(refused.stdout_text,
                HasSubstr("VERIFICATION_FAILURE_TOO_LARGE"));
  }
  // decode reads no more than verify.
  EXPECT_EQ(RunCli({"decode", "-"}, {}, at_limit).exit_code, 0);
  EXPECT_NE(RunCli({"decode", "-"}, {}, over).exit_code, 0);
}

TEST_F(ServerE2eTest, CliDecodeSaysItDidNotVerify) {
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse response,
                       Mint(SampleRequests()[0].second));
  RememberToken(response.token());
  ProcessResult by_argument = RunCli({"decode", response.token()});
  ASSERT_EQ(by_argument.exit_code, 0) << by_argument.stderr_text;
  EXPECT_TRUE(absl::StartsWith(by_argument.stdout_text,
                               R"({"verified":false,"header":{)"))
      << by_argument.stdout_text;
  EXPECT_THAT(by_argument.stdout_text, HasSubstr(kAccountA));
  EXPECT_THAT(by_argument.stderr_text, HasSubstr("WITHOUT checking"));
  // "-" reads the token from standard input, with the same result.
  ProcessResult by_stdin =
      RunCli({"decode", "-"}, {}, absl::StrCat(response.token(), "\n"));
  ASSERT_EQ(by_stdin.exit_code, 0) << by_stdin.stderr_text;
  EXPECT_EQ(by_stdin.stdout_text, by_argument.stdout_text);
  // Anything that is not a JWT is an error, not a decoding.
  ProcessResult garbage = RunCli({"decode", "not-a-token"});
  EXPECT_NE(garbage.exit_code, 0);
  EXPECT_EQ(garbage.stdout_text, "");
}

TEST_F(ServerE2eTest, CliLocalErrorsExitNonZeroWithoutTheSecret) {
  const std::string json = SampleRequests()[0].second;
  const testing::EnvironmentVariables env = {{kSecretAVariable, kSecretA}};
  const std::vector<std::vector<std::string>> failing = {
      // The named variable is not set.
      {"sign", "capability", absl::StrCat("--request=", json),
       "--auth-token-env=CAPTOKEN_E2E_NOT_SET"},
      // No such file.
      {"sign", "capability", absl::StrCat("--request=", json),
       "--auth-token-file=/nonexistent/captoken-secret"},
      // Not JSON, and a field the request does not have.
      {"sign", "capability", "--request={not json",
       absl::StrCat("--auth-token-env=", kSecretAVariable)},
      {"sign", "capability", R"(--request={"no_such_field":1})",
       absl::StrCat("--auth-token-env=", kSecretAVariable)},
      // A bad --issued-at, and a flag that does not exist.
      {"sign", "capability", absl::StrCat("--request=", json),
       absl::StrCat("--auth-token-env=", kSecretAVariable),
       "--issued-at=yesterday"},
      {"sign", "capability", absl::StrCat("--request=", json),
       absl::StrCat("--auth-token-env=", kSecretAVariable), "--no_such_flag"},
      // A token signed with the secret, verified with another.
      {"verify", "--auth-token-env=CAPTOKEN_E2E_OTHER",
       SignWithCli(json, 1700000000, kAccountA)},
  };
  for (size_t i = 0; i < failing.size(); ++i) {
    const std::vector<std::string>& args = failing[i];
    testing::EnvironmentVariables with_other = env;
    with_other.push_back({"CAPTOKEN_E2E_OTHER", "another-secret"});
    ProcessResult result = RunCli(args, with_other);
    // Named by its place and subcommand: the arguments may hold a token.
    const std::string command =
        absl::StrCat("case ", i, " (", args[0], " ", args[1], ")");
    EXPECT_NE(result.exit_code, 0) << command;
    EXPECT_NE(result.stderr_text, "") << command;
    // A failed sign prints no token; verify prints its verdict.
    if (args[0] == "sign") {
      EXPECT_EQ(result.stdout_text, "") << command;
    }
    EXPECT_THAT(result.stdout_text, Not(HasSubstr(kSecretA))) << command;
    EXPECT_THAT(result.stderr_text, Not(HasSubstr(kSecretA))) << command;
    EXPECT_THAT(result.stderr_text, Not(HasSubstr("another-secret")))
        << command;
  }
}

TEST_F(ServerE2eTest, ProductionServerRefusesCoreDumps) {
  // A server with a config holds real secrets: it sets its core size limit
  // to zero, soft and hard (with PR_SET_DUMPABLE 0, which /proc does not
  // show to a root test).
  EXPECT_EQ(CoreFileLimits(server_->process().pid()), "0 0");
}

TEST_F(ServerE2eTest, CliDeadlineBoundsAServerThatDoesNotAnswer) {
  // A listening socket that never speaks HTTP/2: the call must give up at
  // the deadline instead of hanging.
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(
      bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)),
      0);
  ASSERT_EQ(listen(listener, 16), 0);
  socklen_t length = sizeof(address);
  getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  const int port = ntohs(address.sin_port);

  ProcessResult result = RunCli(
      {"mint", "capability", absl::StrCat("--server=127.0.0.1:", port),
       "--deadline=300ms",
       absl::StrCat(R"(--request={"account_sid":")", kAccountA, R"("})")});
  close(listener);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.stderr_text, HasSubstr("DEADLINE_EXCEEDED"));
}

// ---- servers of their own ---------------------------------------------------

TEST(ServerLifecycle, SigtermDuringABurstLosesNoCall) {
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start(TestServerOptions());
  ASSERT_THAT(server, IsOk());
  const std::string json = SampleRequests()[1].second;
  const v1::CapabilityRequest request = RequestFromJson(json);

  constexpr int kThreads = 8;
  std::atomic<int> ok_calls{0};
  std::atomic<int> started_calls{0};
  absl::Mutex mutex;
  std::vector<std::string> unexpected;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      absl::StatusOr<std::unique_ptr<client::TokenClient>> client =
          client::TokenClient::Create((*server)->target());
      if (!client.ok()) return;
      while (true) {
        started_calls.fetch_add(1);
        absl::StatusOr<v1::TokenResponse> response =
            (*client)->MintCapabilityToken(request);
        if (response.ok()) {
          ok_calls.fetch_add(1);
          RememberToken(response->token());
          continue;
        }
        // After the drain starts, calls are refused as UNAVAILABLE; any
        // other failure means a call was lost.
        if (response.status().code() != absl::StatusCode::kUnavailable) {
          absl::MutexLock lock(&mutex);
          unexpected.push_back(response.status().ToString());
        }
        return;
      }
    });
  }
  while (ok_calls.load() < 300) absl::SleepFor(absl::Milliseconds(1));
  (*server)->process().Signal(SIGTERM);
  for (std::thread& thread : threads) thread.join();

  absl::StatusOr<int> exit_code =
      (*server)->process().WaitForExit(absl::Seconds(20));
  ASSERT_THAT(exit_code, IsOk());
  EXPECT_EQ(*exit_code, 0);
  EXPECT_THAT(unexpected, ::testing::IsEmpty());

  // Every call the server answered OK reached its caller, and the server
  // audited exactly those.
  const std::string output = (*server)->Output();
  int audited_ok = 0;
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (absl::StrContains(line, "\"method\":\"MintCapabilityToken\"") &&
        absl::StrContains(line, "\"outcome\":\"OK\"")) {
      ++audited_ok;
    }
  }
  EXPECT_EQ(audited_ok, ok_calls.load());
  EXPECT_THAT(output, HasSubstr("\"event\":\"stopped\""));
}

TEST(ServerLifecycle, ConfigProblemsAreRefusedAtStartupByName) {
  struct Case {
    std::string config;
    std::string expected;
    std::string absent = "";  // Text of the config the error must not echo.
  };
  const std::vector<Case> cases = {
      {"accounts { account_sid: \"" + std::string(kAccountA) +
           "\" auth_token { env: \"CAPTOKEN_E2E_NOT_SET\" } }\n",
       "CAPTOKEN_E2E_NOT_SET"},
      {"accounts { account_sid: \"" + std::string(kAccountA) +
           "\" auth_token { file: \"/nonexistent/secret\" } }\n",
       "/nonexistent/secret"},
      {"accounts { account_sid: \"" + std::string(kAccountA) +
           "\" auth_token { env: \"" + kSecretAVariable +
           "\" } }\naccounts { account_sid: \"" + kAccountA +
           "\" auth_token { env: \"" + kSecretAVariable + "\" } }\n",
       "configured more than once"},
      // Where and what, never the text (which could be a pasted secret);
      // line 1 is the harness's listen_address.
      {"acounts { }\n", "line 2 column 9: unknown field name", "acounts"},
      {"", "no config"},  // Replaced below by a config with no accounts.
  };
  for (Case c : cases) {
    ServerOptions options;
    options.config = c.config;
    if (c.expected == "no config") {
      options.config = "max_ttl { seconds: 60 }\n";
      c.expected = "at least one account";
    }
    options.env = {{kSecretAVariable, kSecretA}};
    absl::StatusOr<ProcessResult> result =
        testing::RunServerExpectingFailure(options);
    ASSERT_THAT(result, IsOk());
    SCOPED_TRACE(c.config);
    EXPECT_NE(result->exit_code, 0);
    EXPECT_THAT(result->stderr_text, HasSubstr("startup_failed"));
    EXPECT_THAT(result->stderr_text, HasSubstr(c.expected));
    EXPECT_THAT(result->stderr_text, Not(HasSubstr(kSecretA)));
    if (!c.absent.empty()) {
      EXPECT_THAT(result->stderr_text, Not(HasSubstr(c.absent)));
    }
  }
}

TEST(ServerLifecycle, ConcurrentStreamsPerConnectionAreCapped) {
  // gRPC enforces the cap; the server must hand it the configured value
  // (default 100), which every client learns from the server's SETTINGS.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ServerProcess> by_default,
                       ServerProcess::Start(TestServerOptions()));
  EXPECT_EQ(AnnouncedMaxConcurrentStreams(by_default->port()), 100);
  ServerOptions options = TestServerOptions();
  options.config += "limits { max_concurrent_streams: 7 }\n";
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ServerProcess> capped,
                       ServerProcess::Start(options));
  EXPECT_EQ(AnnouncedMaxConcurrentStreams(capped->port()), 7);
}

TEST(ServerLifecycle, PlaintextBeyondLoopbackNeedsAMeshSidecar) {
  ServerOptions options = TestServerOptions();
  options.args = {"--listen=0.0.0.0:0"};
  absl::StatusOr<ProcessResult> result =
      testing::RunServerExpectingFailure(options);
  ASSERT_THAT(result, IsOk());
  EXPECT_NE(result->exit_code, 0);
  EXPECT_THAT(result->stderr_text, HasSubstr("loopback"));
}

TEST(ServerLifecycle, SighupReloadsAnAuthTokenFromItsFile) {
  const std::string secret_file = testing::TempPath("rotating-auth-token");
  ASSERT_THAT(testing::WriteFile(secret_file, "e2e-rotation-secret-old"),
              IsOk());
  ServerOptions options;
  options.config =
      absl::StrCat("accounts { account_sid: \"", kAccountB,
                   "\" auth_token { file: \"", secret_file, "\" } }\n");
  options.config_path = testing::TempPath("reloaded.textproto");
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start(options);
  ASSERT_THAT(server, IsOk());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<client::TokenClient> client,
                       client::TokenClient::Create((*server)->target()));
  const v1::CapabilityRequest request =
      RequestFromJson(absl::StrCat(R"({"account_sid":")", kAccountB, R"("})"));
  auto verifies_with = [](const std::string& token, const std::string& secret) {
    ProcessResult result =
        RunCli({"verify", "--auth-token-env=ROTATION_SECRET", "-"},
               {{"ROTATION_SECRET", secret}}, token);
    return result.exit_code == 0;
  };

  ASSERT_OK_AND_ASSIGN(v1::TokenResponse before,
                       client->MintCapabilityToken(request));
  EXPECT_TRUE(verifies_with(before.token(), "e2e-rotation-secret-old"));

  ASSERT_THAT(testing::WriteFile(secret_file, "e2e-rotation-secret-new"),
              IsOk());
  (*server)->process().Signal(SIGHUP);
  ASSERT_TRUE((*server)->WaitForLogEvent("reloaded")) << (*server)->Output();
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse after,
                       client->MintCapabilityToken(request));
  EXPECT_TRUE(verifies_with(after.token(), "e2e-rotation-secret-new"));
  EXPECT_FALSE(verifies_with(after.token(), "e2e-rotation-secret-old"));

  // A reload that fails keeps the accounts it had.
  ASSERT_THAT(testing::WriteFile(secret_file, ""), IsOk());
  (*server)->process().Signal(SIGHUP);
  ASSERT_TRUE((*server)->WaitForLogEvent("reload_failed"))
      << (*server)->Output();
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse kept,
                       client->MintCapabilityToken(request));
  EXPECT_TRUE(verifies_with(kept.token(), "e2e-rotation-secret-new"));

  // A config that does not parse is refused on reload too, and the log line
  // says where and what, not the text: here a secret pasted as a field
  // name, on line 3 after the harness's listen_address and the account.
  ASSERT_THAT(testing::WriteFile(
                  options.config_path,
                  absl::StrCat(
                      "listen_address: \"127.0.0.1:", (*server)->port(), "\"\n",
                      options.config, "e2e_pasted_config_secret_77 { }\n")),
              IsOk());
  (*server)->process().Signal(SIGHUP);
  ASSERT_TRUE((*server)->WaitForLogEvent("reload_failed", 2))
      << (*server)->Output();
  EXPECT_THAT((*server)->Output(),
              HasSubstr("line 3 column 29: unknown field name"));
  EXPECT_THAT((*server)->Output(), Not(HasSubstr("pasted_config_secret")));
  for (const auto* response : {&before, &after, &kept}) {
    RememberToken(response->token());
  }
  EXPECT_THAT((*server)->Output(), Not(HasSubstr("e2e-rotation-secret")));
}

// A secret path that becomes a FIFO nobody writes used to block the reload,
// and with it the signal loop: SIGHUP and SIGTERM went unanswered. The
// secret is now refused without blocking; and a reload that does block (a
// FIFO for the config itself stands in for a hung mount) no longer holds up
// SIGTERM.
TEST(ServerLifecycle, AReloadThatBlocksNeverHoldsUpSigterm) {
  const std::string secret_file = testing::TempPath("fifo-auth-token");
  ASSERT_THAT(testing::WriteFile(secret_file, "e2e-fifo-secret"), IsOk());
  // A config path of the test's own, to replace with a FIFO later.
  const std::string config_file = testing::TempPath("fifo.textproto");
  ServerOptions options;
  options.config =
      absl::StrCat("accounts { account_sid: \"", kAccountB,
                   "\" auth_token { file: \"", secret_file, "\" } }\n");
  options.config_path = config_file;
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start(options);
  ASSERT_THAT(server, IsOk());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<client::TokenClient> client,
                       client::TokenClient::Create((*server)->target()));
  const v1::CapabilityRequest request =
      RequestFromJson(absl::StrCat(R"({"account_sid":")", kAccountB, R"("})"));

  ASSERT_EQ(::unlink(secret_file.c_str()), 0);
  ASSERT_EQ(::mkfifo(secret_file.c_str(), 0600), 0);
  (*server)->process().Signal(SIGHUP);
  ASSERT_TRUE((*server)->WaitForLogEvent("reload_failed"))
      << (*server)->Output();
  EXPECT_THAT((*server)->Output(), HasSubstr("not a regular file"));
  EXPECT_THAT(client->MintCapabilityToken(request), IsOk());

  // The config itself a FIFO: whatever the reload does with it, SIGTERM
  // drains and the server exits 0.
  ASSERT_EQ(::unlink(config_file.c_str()), 0);
  ASSERT_EQ(::mkfifo(config_file.c_str(), 0600), 0);
  (*server)->process().Signal(SIGHUP);
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_THAT(client->MintCapabilityToken(request), IsOk());
  (*server)->process().Signal(SIGTERM);
  absl::StatusOr<int> exit_code =
      (*server)->process().WaitForExit(absl::Seconds(15));
  ::unlink(config_file.c_str());
  ::unlink(secret_file.c_str());
  ASSERT_THAT(exit_code, IsOk()) << (*server)->Output();
  EXPECT_EQ(*exit_code, 0) << (*server)->Output();
  EXPECT_THAT((*server)->Output(), HasSubstr(R"("event":"stopped")"));
}

TEST(ServerLifecycle, DevelopmentModeServesTheDevelopmentAccountOnLoopback) {
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start(ServerOptions());
  ASSERT_THAT(server, IsOk());
  EXPECT_THAT((*server)->Output(), HasSubstr("DEVELOPMENT MODE"));
  EXPECT_THAT((*server)->Output(), HasSubstr("captoken mint capability"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<client::TokenClient> client,
                       client::TokenClient::Create((*server)->target()));
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse response,
      client->MintCapabilityToken(RequestFromJson(
          R"({"account_sid":"AC00000000000000000000000000000000"})")));
  ProcessResult verified =
      RunCli({"verify", "--auth-token-env=DEV_TOKEN", response.token()},
             {{"DEV_TOKEN", "captoken-development-auth-token"}});
  EXPECT_EQ(verified.exit_code, 0) << verified.stderr_text;
  ::testing::Test::RecordProperty(
      "startup_ms",
      static_cast<int>(absl::ToInt64Milliseconds((*server)->startup_time())));
}

// After every test: nothing any server printed contains a test secret or a
// token it minted.
class NoSecretsInServerOutput : public ::testing::Environment {
 public:
  void TearDown() override {
    const std::string output = testing::AllServerOutput();
    EXPECT_THAT(output, HasSubstr("\"event\":\"audit\""))
        << "the leak check saw no server output at all";
    for (const char* secret :
         {kSecretA, kSecretB, kRetiredSecret, "e2e-rotation-secret"}) {
      EXPECT_THAT(output, Not(HasSubstr(secret)));
    }
    absl::MutexLock lock(&tokens_mutex);
    EXPECT_GT(minted_tokens->size(), 5u);
    for (const std::string& token : *minted_tokens) {
      EXPECT_THAT(output, Not(HasSubstr(token)));
      // Not even the signature on its own.
      EXPECT_THAT(output, Not(HasSubstr(token.substr(token.rfind('.') + 1))));
    }
  }
};

const auto* const kLeakCheck =
    ::testing::AddGlobalTestEnvironment(new NoSecretsInServerOutput);

}  // namespace
}  // namespace captoken
