// End-to-end tests of operating the server: its Prometheus metrics after
// known traffic, and scale-out: three replicas behind gRPC's client-side
// round-robin, one killed and restarted during a load run.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
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

using ::captoken::testing::IsOk;
using ::captoken::testing::RunfilePath;
using ::captoken::testing::ServerOptions;
using ::captoken::testing::ServerProcess;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAccount[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kSecret[] = "operations-e2e-secret-3f9a";

ServerOptions Options(std::string listen = "127.0.0.1:0") {
  ServerOptions options;
  options.listen = std::move(listen);
  options.config =
      absl::StrCat("accounts { account_sid: \"", kAccount,
                   "\" auth_token { env: \"OPS_E2E_SECRET\" } }\n");
  options.env = {{"OPS_E2E_SECRET", kSecret}};
  options.args = {"--metrics_listen=127.0.0.1:0"};
  return options;
}

v1::CapabilityRequest Request(const std::string& json) {
  v1::CapabilityRequest request;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &request).ok());
  return request;
}

v1::CapabilityRequest Mint(absl::string_view profile, absl::string_view name) {
  return Request(absl::StrCat(
      R"({"account_sid":")", kAccount, R"(","profile":")", profile,
      R"(","scopes":[{"client_incoming":{"client_name":")", name, R"("}}]})"));
}

// The value of the sample `series` (metric name and labels, exactly as
// exposed) in a scrape; -1 if absent.
double Sample(const std::string& scrape, absl::string_view series) {
  for (absl::string_view line : absl::StrSplit(scrape, '\n')) {
    if (absl::StartsWith(line, series) && line.size() > series.size() &&
        line[series.size()] == ' ') {
      double value = -1;
      if (absl::SimpleAtod(line.substr(series.size() + 1), &value))
        return value;
    }
  }
  return -1;
}

std::string Scrape(const ServerProcess& server) {
  absl::StatusOr<std::string> scrape =
      testing::HttpGet(server.metrics_port(), "/metrics");
  EXPECT_THAT(scrape, IsOk());
  return scrape.value_or("");
}

TEST(Metrics, CountKnownTrafficExactly) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ServerProcess> server,
                       ServerProcess::Start(Options()));
  ASSERT_NE(server->metrics_port(), 0);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<client::TokenClient> client,
                       client::TokenClient::Create(server->target()));

  // 2 node and 3 python tokens, 2 invalid requests, 1 unknown account,
  // 3 verifications and 1 reload.
  std::vector<std::string> tokens;
  for (const char* name : {"ann", "bob"}) {
    ASSERT_OK_AND_ASSIGN(
        v1::TokenResponse response,
        client->MintCapabilityToken(Mint("PROFILE_TWILIO_NODE", name)));
    tokens.push_back(response.token());
  }
  for (const char* name : {"cat", "dan", "eve"}) {
    ASSERT_OK_AND_ASSIGN(
        v1::TokenResponse response,
        client->MintCapabilityToken(Mint("PROFILE_TWILIO_PYTHON", name)));
    tokens.push_back(response.token());
  }
  EXPECT_FALSE(
      client->MintCapabilityToken(Request(R"({"account_sid":"AC1"})")).ok());
  EXPECT_FALSE(client
                   ->MintCapabilityToken(Request(absl::StrCat(
                       R"({"account_sid":")", kAccount, R"(","ttl":"0s"})")))
                   .ok());
  EXPECT_FALSE(
      client
          ->MintCapabilityToken(Request(
              R"({"account_sid":"AC22222222222222222222222222222222"})"))
          .ok());
  for (int i = 0; i < 3; ++i) {
    v1::VerifyTokenRequest request;
    request.set_token(tokens[i]);
    ASSERT_THAT(client->VerifyToken(request), IsOk());
  }
  server->process().Signal(SIGHUP);
  ASSERT_TRUE(server->WaitForLogEvent("reloaded")) << server->Output();

  const std::string scrape = Scrape(*server);
  EXPECT_EQ(Sample(scrape,
                   "captoken_rpc_calls_total{code=\"OK\",method="
                   "\"MintCapabilityToken\"}"),
            5);
  EXPECT_EQ(Sample(scrape,
                   "captoken_rpc_calls_total{code=\"INVALID_ARGUMENT\""
                   ",method=\"MintCapabilityToken\"}"),
            2);
  EXPECT_EQ(Sample(scrape,
                   "captoken_rpc_calls_total{code=\"PERMISSION_DENIED"
                   "\",method=\"MintCapabilityToken\"}"),
            1);
  EXPECT_EQ(Sample(scrape,
                   "captoken_rpc_calls_total{code=\"OK\",method="
                   "\"VerifyToken\"}"),
            3);
  EXPECT_EQ(Sample(scrape,
                   "captoken_rpc_latency_seconds_count{method="
                   "\"MintCapabilityToken\"}"),
            8);
  EXPECT_EQ(Sample(scrape,
                   "captoken_tokens_minted_total{kind=\"capability\","
                   "profile=\"twilio-node\"}"),
            2);
  EXPECT_EQ(Sample(scrape,
                   "captoken_tokens_minted_total{kind=\"capability\","
                   "profile=\"twilio-python\"}"),
            3);
  EXPECT_EQ(
      Sample(scrape, "captoken_refusals_total{reason=\"invalid_request\"}"), 2);
  EXPECT_EQ(
      Sample(scrape, "captoken_refusals_total{reason=\"account_denied\"}"), 1);
  EXPECT_EQ(Sample(scrape, "captoken_rate_limited_total"), 0);
  EXPECT_EQ(Sample(scrape, "captoken_secret_reloads_total{outcome=\"ok\"}"), 1);
  EXPECT_EQ(Sample(scrape, "captoken_secret_reloads_total{outcome=\"failed\"}"),
            0);
  EXPECT_GE(Sample(scrape,
                   "captoken_secret_age_seconds{secret=\"accounts[0]"
                   ".auth_token\"}"),
            0);
  // No caller data in labels: not the account, not a client name, not a
  // token, not the secret.
  for (absl::string_view forbidden :
       {absl::string_view(kAccount), absl::string_view("\"ann\""),
        absl::string_view(kSecret)}) {
    EXPECT_THAT(scrape, Not(HasSubstr(forbidden)));
  }
  for (const std::string& token : tokens) {
    EXPECT_THAT(scrape, Not(HasSubstr(token.substr(token.rfind('.') + 1))));
  }
}

constexpr char kApp[] = "spiffe://ops-e2e.test/ns/web/sa/app";

// Each refusal reason the caller's policy can give, and the rate, behind a
// sidecar that names the caller; then a reload that fails and one that
// succeeds. Every count is exact.
TEST(Metrics, CountRefusalsByReasonAndReloadsByOutcome) {
  const std::string secret_file = testing::TempPath("ops-e2e-auth-token");
  ASSERT_THAT(testing::WriteFile(secret_file, kSecret), IsOk());
  ServerOptions options;
  options.config = absl::StrCat(
      "transport { mesh_sidecar { trust_forwarded_client_cert: true } }\n"
      "secret_watch_interval { seconds: 0 }\n"
      "accounts { account_sid: \"",
      kAccount, "\" auth_token { file: \"", secret_file,
      "\" } }\n"
      "callers {\n  identity: \"",
      kApp, "\"\n  accounts: \"", kAccount,
      "\"\n  scope_kinds: SCOPE_KIND_CLIENT_INCOMING\n"
      "  client_name_pattern: \"[a-z]+\"\n  max_ttl { seconds: 600 }\n"
      "  rate { per_second: 0.001 burst: 3 }\n}\n");
  options.args = {"--metrics_listen=127.0.0.1:0"};
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ServerProcess> server,
                       ServerProcess::Start(options));
  // The secret was loaded before the server said it was listening.
  const absl::Time loaded_by = absl::Now();
  const std::string target = server->target();
  auto mint = [&](absl::string_view caller, const std::string& json,
                  std::string* retry_after_ms = nullptr) {
    v1::TokenResponse response;
    return testing::CallAs(target, caller,
                           &v1::TokenService::Stub::MintCapabilityToken,
                           Request(json), &response, retry_after_ms)
        .error_code();
  };
  const std::string incoming = absl::StrCat(
      R"({"account_sid":")", kAccount,
      R"(","scopes":[{"client_incoming":{"client_name":"alice"}}]})");
  const std::string events = absl::StrCat(
      R"({"account_sid":")", kAccount, R"(","scopes":[{"event_stream":{}}]})");
  const std::string odd_name = absl::StrCat(
      R"({"account_sid":")", kAccount,
      R"(","scopes":[{"client_incoming":{"client_name":"Bob1"}}]})");
  const std::string long_lived = absl::StrCat(
      R"({"account_sid":")", kAccount, R"(","ttl":"601s",)",
      R"("scopes":[{"client_incoming":{"client_name":"alice"}}]})");
  const std::string other_account =
      R"({"account_sid":"AC22222222222222222222222222222222",)"
      R"("scopes":[{"client_incoming":{"client_name":"alice"}}]})";

  using grpc::StatusCode;
  EXPECT_EQ(mint("", incoming), StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(mint("spiffe://ops-e2e.test/ns/web/sa/stranger", incoming),
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(mint(kApp, other_account), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(mint(kApp, events), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(mint(kApp, odd_name), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(mint(kApp, long_lived), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(mint(kApp, R"({"account_sid":"AC1"})"),
            StatusCode::INVALID_ARGUMENT);
  {
    // Only capability tokens are this caller's.
    v1::AccessTokenRequest access;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                    absl::StrCat(R"({"account_sid":")", kAccount,
                                 R"(","identity":"alice",)"
                                 R"("grants":[{"video":{}}]})"),
                    &access)
                    .ok());
    v1::TokenResponse response;
    EXPECT_EQ(
        testing::CallAs(target, kApp, &v1::TokenService::Stub::MintAccessToken,
                        access, &response)
            .error_code(),
        StatusCode::PERMISSION_DENIED);
  }
  // None of the refusals took from the rate: three mints fill the bucket.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(mint(kApp, incoming), StatusCode::OK);
  std::string retry_after_ms;
  EXPECT_EQ(mint(kApp, incoming, &retry_after_ms),
            StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(retry_after_ms, "");
  {
    // A batch whose items are refused for the rate, a scope and a lifetime.
    v1::BatchMintRequest batch;
    for (const std::string* json : {&incoming, &events, &long_lived}) {
      *batch.add_requests()->mutable_capability() = Request(*json);
    }
    v1::BatchMintResponse response;
    ASSERT_TRUE(testing::CallAs(target, kApp,
                                &v1::TokenService::Stub::BatchMint, batch,
                                &response)
                    .ok());
    ASSERT_EQ(response.results_size(), 3);
    EXPECT_EQ(response.results(0).code(),
              static_cast<int>(StatusCode::RESOURCE_EXHAUSTED));
    EXPECT_EQ(response.results(1).code(),
              static_cast<int>(StatusCode::PERMISSION_DENIED));
    EXPECT_EQ(response.results(2).code(),
              static_cast<int>(StatusCode::PERMISSION_DENIED));
  }

  std::string scrape = Scrape(*server);
  const std::vector<std::pair<absl::string_view, int>> expected = {
      {"invalid_request", 1}, {"unauthenticated", 1},    {"unknown_caller", 1},
      {"account_denied", 1},  {"api_key_denied", 0},     {"kind_denied", 1},
      {"scope_denied", 2},    {"client_name_denied", 1}, {"grant_denied", 0},
      {"identity_denied", 0}, {"ttl_denied", 2},         {"rate_limited", 2},
      {"draining", 0},        {"overloaded", 0},         {"other", 0},
  };
  for (const auto& [reason, count] : expected) {
    EXPECT_EQ(Sample(scrape, absl::StrCat("captoken_refusals_total{reason=\"",
                                          reason, "\"}")),
              count)
        << reason;
  }
  EXPECT_EQ(Sample(scrape, "captoken_rate_limited_total"), 2);
  EXPECT_EQ(
      Sample(scrape, "captoken_batch_items_total{code=\"PERMISSION_DENIED\"}"),
      2);
  EXPECT_EQ(Sample(scrape,
                   "captoken_tokens_minted_total{kind=\"capability\","
                   "profile=\"twilio-python\"}"),
            3);
  // The audit lines name the same reasons.
  for (absl::string_view reason : {"unknown_caller", "ttl_denied"}) {
    EXPECT_THAT(server->Output(),
                HasSubstr(absl::StrCat("\"refusal\":\"", reason, "\"")));
  }
  // A reload that fails (an emptied secret file) keeps the old secret, and
  // its age; one that succeeds loads the new secret and restarts the age.
  // The ages are checked against bounds that follow from the order of
  // events, not against durations: a kept secret is at least as old as the
  // time since the server started listening, a reloaded one at most as old
  // as the time since the reload was asked for.
  const absl::string_view age_series =
      "captoken_secret_age_seconds{secret=\"accounts[0].auth_token\"}";
  ASSERT_THAT(testing::WriteFile(secret_file, ""), IsOk());
  server->process().Signal(SIGHUP);
  ASSERT_TRUE(server->WaitForLogEvent("reload_failed")) << server->Output();
  const absl::Time failure_scraped_after = absl::Now();
  scrape = Scrape(*server);
  EXPECT_EQ(Sample(scrape, "captoken_secret_reloads_total{outcome=\"failed\"}"),
            1);
  EXPECT_EQ(Sample(scrape, "captoken_secret_reloads_total{outcome=\"ok\"}"), 0);
  EXPECT_GE(Sample(scrape, age_series),
            absl::ToDoubleSeconds(failure_scraped_after - loaded_by));

  ASSERT_THAT(testing::WriteFile(secret_file, "ops-e2e-rotated-secret-71c2"),
              IsOk());
  const absl::Time reload_asked = absl::Now();
  server->process().Signal(SIGHUP);
  ASSERT_TRUE(server->WaitForLogEvent("reloaded")) << server->Output();
  scrape = Scrape(*server);
  const absl::Time reload_scraped_by = absl::Now();
  EXPECT_EQ(Sample(scrape, "captoken_secret_reloads_total{outcome=\"failed\"}"),
            1);
  EXPECT_EQ(Sample(scrape, "captoken_secret_reloads_total{outcome=\"ok\"}"), 1);
  const double age_after_reload = Sample(scrape, age_series);
  EXPECT_GE(age_after_reload, 0);  // Still exposed (Sample gives -1 if not).
  EXPECT_LE(age_after_reload,
            absl::ToDoubleSeconds(reload_scraped_by - reload_asked));
}

// A port that is free now, for a replica that must come back on it.
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

TEST(ScaleOut, ThreeReplicasShareTheLoadAndSurviveARestart) {
  std::vector<int> ports;
  std::vector<std::unique_ptr<ServerProcess>> replicas;
  for (int i = 0; i < 3; ++i) {
    ports.push_back(FreePort());
    ASSERT_OK_AND_ASSIGN(
        std::unique_ptr<ServerProcess> replica,
        ServerProcess::Start(Options(absl::StrCat("127.0.0.1:", ports[i]))));
    replicas.push_back(std::move(replica));
  }
  // The service config clients are given (deploy/grpc-service-config.json):
  // round-robin, and retries on UNAVAILABLE only.
  ASSERT_OK_AND_ASSIGN(
      std::string service_config,
      testing::ReadFile(RunfilePath("deploy/grpc-service-config.json")));
  std::vector<std::string> addresses;
  for (int port : ports) addresses.push_back(absl::StrCat("127.0.0.1:", port));
  const std::string target =
      absl::StrCat("ipv4:", absl::StrJoin(addresses, ","));

  absl::Mutex mutex;
  absl::flat_hash_set<std::string> tokens;
  std::vector<std::string> failures;
  std::atomic<bool> stop{false};
  std::atomic<int> calls{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto client = client::TokenClient::Create(
                        target, {.deadline = absl::Seconds(5),
                                 .service_config_json = service_config})
                        .value();
      int i = 0;
      while (!stop.load()) {
        absl::StatusOr<v1::TokenResponse> response =
            client->MintCapabilityToken(Mint(
                "PROFILE_TWILIO_NODE", absl::StrCat("w", t, "c", i++ % 50)));
        ++calls;
        absl::MutexLock lock(&mutex);
        if (response.ok()) {
          tokens.insert(response->token());
        } else {
          failures.push_back(response.status().ToString());
        }
      }
    });
  }
  auto wait_for_calls = [&](int count) {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (calls.load() < count && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(5));
    }
  };
  wait_for_calls(1000);
  // Kill the middle replica outright (no drain), and bring it back on its
  // port while the load goes on.
  replicas[1]->process().Signal(SIGKILL);
  ASSERT_THAT(replicas[1]->process().WaitForExit(absl::Seconds(10)), IsOk());
  const int before_restart = calls.load();
  wait_for_calls(before_restart + 1000);
  ASSERT_OK_AND_ASSIGN(replicas[1],
                       ServerProcess::Start(Options(addresses[1])));
  // Round robin reconnects to the restarted replica when its reconnect
  // backoff (about a second, growing) runs out: wait, under load, until the
  // replica has served its share again.
  auto served = [&](const ServerProcess& replica) {
    return Sample(Scrape(replica),
                  "captoken_rpc_calls_total{code=\"OK\","
                  "method=\"MintCapabilityToken\"}");
  };
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (served(*replicas[1]) < 200 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  stop.store(true);
  for (std::thread& thread : threads) thread.join();

  // Every call succeeded (after gRPC's retry where it hit the dying replica).
  EXPECT_THAT(failures, ::testing::IsEmpty());

  // The load spread over all three, the restarted one included (its metrics
  // restart at zero with the process).
  for (const auto& replica : replicas) {
    EXPECT_GE(served(*replica), 200) << "replica on port " << replica->port();
  }

  // Every token verifies on every replica (they share the secret).
  std::vector<std::unique_ptr<client::TokenClient>> verifiers;
  for (const std::string& address : addresses) {
    verifiers.push_back(client::TokenClient::Create(address).value());
  }
  ASSERT_GT(tokens.size(), 100u);
  int checked = 0;
  for (const std::string& token : tokens) {
    for (const auto& verifier : verifiers) {
      v1::VerifyTokenRequest request;
      request.set_token(token);
      absl::StatusOr<v1::VerifyTokenResponse> verified =
          verifier->VerifyToken(request);
      ASSERT_THAT(verified, IsOk());
      EXPECT_TRUE(verified->valid());
    }
    if (++checked == 300) break;  // Enough to cover every replica's tokens.
  }
}

}  // namespace
}  // namespace captoken
