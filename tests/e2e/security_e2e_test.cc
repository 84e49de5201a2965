// End-to-end tests of the server's security: mutual TLS with certificates
// made in the test by the openssl CLI (tests/testing/make_test_pki.sh),
// caller identities and policies, rate limits, the sidecar's forwarded
// client certificate, certificate reload, and an auth-token rotation during
// a 20-second load run. The server is the real binary in its own process.

#include <signal.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
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
#include "service/token/json_value.h"
#include "tests/testing/json_lines.h"
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

constexpr char kAccountA[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kAccountB[] = "ACfedcba9876543210fedcba9876543210";
constexpr char kUnknownAccount[] = "AC22222222222222222222222222222222";
constexpr char kSecretA[] = "security-e2e-secret-a-91b2c3";
constexpr char kSecretB[] = "security-e2e-secret-b-47d5e6";
constexpr char kFrontend[] = "spiffe://example.org/ns/web/sa/frontend";

// The PKI, made once for the whole test binary.
const std::string& Pki() {
  static const std::string* const dir = [] {
    auto* path = new std::string(testing::TempPath("pki"));
    absl::StatusOr<ProcessResult> made = RunProcess(
        {"/bin/bash", RunfilePath("tests/testing/make_test_pki.sh"), *path});
    EXPECT_THAT(made, IsOk());
    EXPECT_EQ(made->exit_code, 0) << made->stderr_text;
    return path;
  }();
  return *dir;
}

std::string PkiFile(absl::string_view name) {
  return absl::StrCat(Pki(), "/", name);
}

std::string ReadPkiFile(absl::string_view name) {
  absl::StatusOr<std::string> contents = testing::ReadFile(PkiFile(name));
  EXPECT_THAT(contents, IsOk());
  return contents.value_or("");
}

// A client presenting the certificate `name` (none if empty), trusting the
// test CA.
std::unique_ptr<client::TokenClient> TlsClient(const std::string& target,
                                               absl::string_view name) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ReadPkiFile("ca.pem");
  if (!name.empty()) {
    options.pem_cert_chain = ReadPkiFile(absl::StrCat(name, ".pem"));
    options.pem_private_key = ReadPkiFile(absl::StrCat(name, ".key"));
  }
  absl::StatusOr<std::unique_ptr<client::TokenClient>> client =
      client::TokenClient::Create(
          target, {.deadline = absl::Seconds(5),
                   .credentials = grpc::SslCredentials(options)});
  EXPECT_THAT(client, IsOk());
  return *std::move(client);
}

v1::CapabilityRequest Request(const std::string& json) {
  v1::CapabilityRequest request;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &request).ok())
      << json;
  return request;
}

v1::CapabilityRequest IncomingFor(absl::string_view account,
                                  absl::string_view name = "alice") {
  return Request(absl::StrCat(
      R"({"account_sid":")", account,
      R"(","scopes":[{"client_incoming":{"client_name":")", name, R"("}}]})"));
}

// The files of the server's TLS transport; the defaults are the test PKI's.
// An empty crl_directory is left out.
struct TlsFiles {
  std::string certificate = PkiFile("server.pem");
  std::string private_key = PkiFile("server.key");
  std::string client_ca = PkiFile("ca.pem");
  std::string crl_directory = PkiFile("crls");
};

std::string TlsTransport(const TlsFiles& files = {}) {
  return absl::StrCat(
      "transport { tls {\n  certificate_file: \"", files.certificate,
      "\"\n  private_key_file: \"", files.private_key,
      "\"\n  client_ca_file: \"", files.client_ca, "\"\n",
      files.crl_directory.empty()
          ? ""
          : absl::StrCat("  crl_directory: \"", files.crl_directory, "\"\n"),
      "  refresh_interval { seconds: 1 }\n} }\n");
}

constexpr char kAccounts[] = R"(
accounts { account_sid: "AC0123456789abcdef0123456789abcdef" auth_token { env: "SECURITY_E2E_A" } }
accounts { account_sid: "ACfedcba9876543210fedcba9876543210" auth_token { env: "SECURITY_E2E_B" } }
)";

// The frontend may mint incoming and outgoing scopes for account A, with
// lower-case client names, for at most 600 s. Batch jobs may mint event
// streams for B, 5 per second. The legacy service (CN only) may mint
// incoming scopes for any account.
constexpr char kCallers[] = R"(
callers {
  identity: "spiffe://example.org/ns/web/sa/frontend"
  accounts: "AC0123456789abcdef0123456789abcdef"
  scope_kinds: [SCOPE_KIND_CLIENT_INCOMING, SCOPE_KIND_CLIENT_OUTGOING]
  client_name_pattern: "[a-z]+"
  max_ttl { seconds: 600 }
}
callers {
  identity_pattern: "spiffe://example\\.org/ns/batch/.*"
  accounts: "ACfedcba9876543210fedcba9876543210"
  scope_kinds: SCOPE_KIND_EVENT_STREAM
  rate { per_second: 5 burst: 5 }
}
callers {
  identity: "legacy-service"
  accounts: "*"
  scope_kinds: SCOPE_KIND_CLIENT_INCOMING
}
)";

ServerOptions TlsServerOptions() {
  ServerOptions options;
  options.config = absl::StrCat(TlsTransport(), kAccounts, kCallers);
  options.env = {{"SECURITY_E2E_A", kSecretA}, {"SECURITY_E2E_B", kSecretB}};
  return options;
}

// Whether the server writes (within 10 s) one log line holding every part.
bool HasLogLine(const ServerProcess& server,
                const std::vector<std::string>& parts) {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    for (absl::string_view line :
         absl::StrSplit(server.Output(), '\n', absl::SkipEmpty())) {
      bool all = true;
      for (const std::string& part : parts) {
        all = all && absl::StrContains(line, part);
      }
      if (all) return true;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

class MutualTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<ServerProcess>> server =
        ServerProcess::Start(TlsServerOptions());
    ASSERT_THAT(server, IsOk());
    server_ = server->release();
  }
  static void TearDownTestSuite() { delete server_; }

  static ServerProcess* server_;
};

ServerProcess* MutualTlsTest::server_ = nullptr;

TEST_F(MutualTlsTest, AnAllowedCallerMintsWithinItsPolicy) {
  auto frontend = TlsClient(server_->target(), "frontend");
  absl::StatusOr<v1::TokenResponse> minted =
      frontend->MintCapabilityToken(IncomingFor(kAccountA));
  ASSERT_THAT(minted, IsOk());
  ProcessResult verified =
      RunProcess({RunfilePath("client/cli/captoken"), "verify",
                  "--auth-token-env=SECRET", minted->token()},
                 {{"SECRET", kSecretA}})
          .value();
  EXPECT_EQ(verified.exit_code, 0) << verified.stderr_text;
}

TEST_F(MutualTlsTest, WhoAmITellsTheCallerItsIdentityAndPolicy) {
  auto frontend = TlsClient(server_->target(), "frontend");
  ASSERT_OK_AND_ASSIGN(v1::GetCallerPolicyResponse me,
                       frontend->GetCallerPolicy());
  EXPECT_EQ(me.identity(), kFrontend);
  EXPECT_EQ(me.identity_source(), "tls_spiffe_id");
  EXPECT_FALSE(me.open_access());
  EXPECT_TRUE(me.matched());
  EXPECT_THAT(me.policy().accounts(), ::testing::ElementsAre(kAccountA));

  auto legacy = TlsClient(server_->target(), "legacy");
  ASSERT_OK_AND_ASSIGN(v1::GetCallerPolicyResponse old,
                       legacy->GetCallerPolicy());
  EXPECT_EQ(old.identity(), "legacy-service");
  EXPECT_EQ(old.identity_source(), "tls_common_name");
  EXPECT_TRUE(old.matched());

  // Each call is audited like any other, naming who asked.
  for (const char* caller : {kFrontend, "legacy-service"}) {
    EXPECT_TRUE(HasLogLine(
        *server_,
        {R"("method":"GetCallerPolicy")",
         absl::StrCat(R"("caller":")", caller, R"(")"), R"("outcome":"OK")"}))
        << caller << "\n"
        << server_->Output();
  }
}

TEST_F(MutualTlsTest, ACommonNameIdentifiesACertificateWithoutSpiffeId) {
  auto legacy = TlsClient(server_->target(), "legacy");
  EXPECT_THAT(legacy->MintCapabilityToken(IncomingFor(kAccountA)), IsOk());
  EXPECT_THAT(legacy->MintCapabilityToken(IncomingFor(kAccountB)), IsOk());
}

TEST_F(MutualTlsTest, HandshakesWithoutAGoodClientCertificateAreRefused) {
  // No certificate, one from another CA, a revoked one, an expired one: the
  // TLS handshake fails, so no call ever reaches the service.
  for (const char* name : {"", "stranger", "revoked", "expired"}) {
    SCOPED_TRACE(absl::StrCat("client certificate: ", name));
    auto client = TlsClient(server_->target(), name);
    EXPECT_THAT(client->MintCapabilityToken(IncomingFor(kAccountA)),
                StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
  }
  // Plaintext to a TLS port fails the same way.
  auto plaintext = client::TokenClient::Create(server_->target()).value();
  EXPECT_THAT(plaintext->MintCapabilityToken(IncomingFor(kAccountA)),
              StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
}

TEST_F(MutualTlsTest, FailedHandshakesAreLoggedAsJsonLines) {
  // gRPC logs each failed handshake itself (at error: the peer, the TLS
  // error). Those lines used to be gRPC's own text ("E1207 16:34:50 ...
  // Handshake failed ..."), breaking the server's promise of one JSON object
  // per line; they now go through its log, as "grpc_log" lines.
  auto plaintext = client::TokenClient::Create(server_->target()).value();
  EXPECT_THAT(plaintext->MintCapabilityToken(IncomingFor(kAccountA)),
              StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
  auto stranger = TlsClient(server_->target(), "stranger");
  EXPECT_THAT(stranger->MintCapabilityToken(IncomingFor(kAccountA)),
              StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
  ASSERT_TRUE(server_->WaitForLogEvent("grpc_log")) << server_->Output();
  // Every line this server has written, by every test so far.
  ASSERT_OK_AND_ASSIGN(std::vector<token::JsonValue> lines,
                       testing::ParseJsonLines(server_->Output()));
  bool handshake_logged = false;
  for (const token::JsonValue& line : lines) {
    if (testing::StringField(line, "event") == "grpc_log" &&
        testing::StringField(line, "level") == "error" &&
        absl::StrContains(testing::StringField(line, "message"), "andshake")) {
      handshake_logged = true;
    }
  }
  EXPECT_TRUE(handshake_logged) << server_->Output();
}

TEST_F(MutualTlsTest, ACertificateThatNamesNobodyIsUnauthenticated) {
  auto nameless = TlsClient(server_->target(), "nameless");
  EXPECT_THAT(nameless->MintCapabilityToken(IncomingFor(kAccountA)),
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
}

TEST_F(MutualTlsTest, AmbiguousOrNonCanonicalSpiffeIdsAreUnauthenticated) {
  // two-uris: the frontend's SPIFFE ID and an https URI, with CN
  // legacy-service (a policy that may mint for any account). gRPC reports
  // no SPIFFE ID for it; falling back to the CN would let it pass as
  // legacy-service. dotted: a SPIFFE ID under ns/batch/ (which a policy's
  // pattern matches) whose path climbs out of it with "..".
  const v1::CapabilityRequest events_for_b =
      Request(absl::StrCat(R"({"account_sid":")", kAccountB,
                           R"(","scopes":[{"event_stream":{}}]})"));
  struct Case {
    const char* certificate;
    v1::CapabilityRequest request;
    const char* reason;
  };
  for (const Case& c :
       {Case{"two-uris", IncomingFor(kAccountA),
             "a client certificate with a SPIFFE ID must have exactly one "
             "URI SAN"},
        Case{"dotted", events_for_b,
             "the SPIFFE ID is not in canonical form"}}) {
    SCOPED_TRACE(c.certificate);
    auto client = TlsClient(server_->target(), c.certificate);
    EXPECT_THAT(
        client->MintCapabilityToken(c.request),
        StatusIs(absl::StatusCode::kUnauthenticated, ::testing::Eq(c.reason)));
    EXPECT_THAT(
        client->GetCallerPolicy(),
        StatusIs(absl::StatusCode::kUnauthenticated, ::testing::Eq(c.reason)));
  }
  // The audit line gives the fixed reason and the refusal, never the
  // identity the certificate claimed.
  ASSERT_TRUE(server_->WaitForLogEvent("audit"));
  const std::string output = server_->Output();
  EXPECT_THAT(output,
              HasSubstr("\"reason\":\"the SPIFFE ID is not in canonical "
                        "form\",\"refusal\":\"unauthenticated\""));
  EXPECT_THAT(output, ::testing::Not(HasSubstr("sa/../../web")));
}

TEST_F(MutualTlsTest, AnotherCallersAccountLooksLikeAnUnknownOne) {
  auto frontend = TlsClient(server_->target(), "frontend");
  absl::StatusOr<v1::TokenResponse> others =
      frontend->MintCapabilityToken(IncomingFor(kAccountB));
  absl::StatusOr<v1::TokenResponse> unknown =
      frontend->MintCapabilityToken(IncomingFor(kUnknownAccount));
  EXPECT_THAT(others,
              StatusIs(absl::StatusCode::kPermissionDenied, ::testing::_));
  EXPECT_EQ(others.status(), unknown.status());
}

TEST_F(MutualTlsTest, ForbiddenScopeKindsClientNamesAndLifetimesAreDenied) {
  auto frontend = TlsClient(server_->target(), "frontend");
  const std::string a = kAccountA;
  // Event streams are not the frontend's.
  EXPECT_THAT(
      frontend->MintCapabilityToken(Request(
          R"({"account_sid":")" + a + R"(","scopes":[{"event_stream":{}}]})")),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("event_stream")));
  // Client names must be lower-case letters.
  EXPECT_THAT(
      frontend->MintCapabilityToken(IncomingFor(kAccountA, "Alice_1")),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("client_name")));
  // At most 600 s, and the default is shortened to fit.
  EXPECT_THAT(frontend->MintCapabilityToken(
                  Request(R"({"account_sid":")" + a + R"(","ttl":"601s"})")),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("ttl")));
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse default_lifetime,
                       frontend->MintCapabilityToken(IncomingFor(kAccountA)));
  EXPECT_EQ(default_lifetime.expire_time().seconds() -
                default_lifetime.issue_time().seconds(),
            600);
}

TEST_F(MutualTlsTest, TheRateLimitHoldsUnderABurst) {
  const std::string b = kAccountB;
  const v1::CapabilityRequest request = Request(
      R"({"account_sid":")" + b + R"(","scopes":[{"event_stream":{}}]})");
  auto batch = TlsClient(server_->target(), "batch");
  ASSERT_THAT(batch->GetCallerPolicy(), IsOk());  // Connect first.

  // 40 calls at once; the bucket holds 5 and refills 5 per second.
  std::atomic<int> ok{0};
  std::atomic<int> limited{0};
  std::atomic<int> other{0};
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        absl::StatusOr<v1::TokenResponse> response =
            batch->MintCapabilityToken(request);
        if (response.ok()) {
          ++ok;
        } else if (response.status().code() ==
                   absl::StatusCode::kResourceExhausted) {
          ++limited;
        } else {
          ++other;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  EXPECT_EQ(other.load(), 0);
  EXPECT_GT(limited.load(), 0);
  // Never more than the burst plus what refilled while the burst ran.
  EXPECT_LE(ok.load(), 5 + static_cast<int>(5 * seconds) + 1);
  EXPECT_GE(ok.load(), 5);

  // The refusal says how long to wait, and waiting that long works.
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ReadPkiFile("ca.pem");
  options.pem_cert_chain = ReadPkiFile("batch.pem");
  options.pem_private_key = ReadPkiFile("batch.key");
  auto stub = v1::TokenService::NewStub(
      grpc::CreateChannel(server_->target(), grpc::SslCredentials(options)));
  v1::TokenResponse response;
  grpc::Status status = stub->MintCapabilityToken(&context, request, &response);
  if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
    const auto& trailers = context.GetServerTrailingMetadata();
    auto it = trailers.find("retry-after-ms");
    ASSERT_NE(it, trailers.end());
    int64_t millis = 0;
    ASSERT_TRUE(absl::SimpleAtoi(
        absl::string_view(it->second.data(), it->second.size()), &millis));
    EXPECT_GT(millis, 0);
    EXPECT_LE(millis, 1000);
    absl::SleepFor(absl::Milliseconds(millis));
  }
  EXPECT_THAT(batch->MintCapabilityToken(request), IsOk());
}

TEST_F(MutualTlsTest, VerifyingNeedsTheAccountToo) {
  auto frontend = TlsClient(server_->target(), "frontend");
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse minted,
                       frontend->MintCapabilityToken(IncomingFor(kAccountA)));
  v1::VerifyTokenRequest request;
  request.set_token(minted.token());
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse verified,
                       frontend->VerifyToken(request));
  EXPECT_TRUE(verified.valid());
  // The batch caller may not use account A, even to verify.
  auto batch = TlsClient(server_->target(), "batch");
  EXPECT_THAT(batch->VerifyToken(request),
              StatusIs(absl::StatusCode::kPermissionDenied, ::testing::_));
}

// The subject CN of the certificate the server presents, via openssl.
std::string PresentedServerName(int port) {
  ProcessResult result =
      RunProcess({"/bin/bash", "-c",
                  absl::StrCat("openssl s_client -connect 127.0.0.1:", port,
                               " -alpn h2 -CAfile ", PkiFile("ca.pem"),
                               " -cert ", PkiFile("frontend.pem"), " -key ",
                               PkiFile("frontend.key"),
                               " </dev/null 2>/dev/null | openssl x509 -noout "
                               "-subject")})
          .value();
  return result.stdout_text;
}

// A server whose certificate and key are copies of the test PKI's server
// files, so a test can replace them as a renewal would.
class ServerCertificateRenewal : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(testing::WriteFile(cert_, ReadPkiFile("server.pem")), IsOk());
    ASSERT_THAT(testing::WriteFile(key_, ReadPkiFile("server.key")), IsOk());
    ServerOptions options = TlsServerOptions();
    options.config = absl::StrCat(
        TlsTransport(
            {.certificate = cert_, .private_key = key_, .crl_directory = ""}),
        kAccounts, kCallers);
    ASSERT_OK_AND_ASSIGN(server_, ServerProcess::Start(options));
  }

  // The subject the server presents once it presents `name` (waiting up to
  // 20 s for a renewal to be picked up), or the last one it presented.
  std::string AwaitPresented(absl::string_view name) const {
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    std::string presented;
    while (absl::Now() < deadline) {
      presented = PresentedServerName(server_->port());
      if (absl::StrContains(presented, name)) break;
      absl::SleepFor(absl::Milliseconds(200));
    }
    return presented;
  }

  const std::string cert_ = testing::TempPath("server.pem");
  const std::string key_ = testing::TempPath("server.key");
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ServerCertificateRenewal,
       ARenewedServerCertificateIsServedWithoutARestart) {
  EXPECT_THAT(PresentedServerName(server_->port()),
              HasSubstr("captoken-server-v1"));

  ASSERT_THAT(testing::WriteFile(key_, ReadPkiFile("server-v2.key")), IsOk());
  ASSERT_THAT(testing::WriteFile(cert_, ReadPkiFile("server-v2.pem")), IsOk());
  EXPECT_THAT(AwaitPresented("captoken-server-v2"),
              HasSubstr("captoken-server-v2"));
  // And it still serves.
  EXPECT_THAT(TlsClient(server_->target(), "frontend")
                  ->MintCapabilityToken(IncomingFor(kAccountA)),
              IsOk());
}

// A replacement that does not load used to be logged (at a reload) and
// handed to gRPC all the same, which then refused every new handshake. The
// server now keeps serving the previous set, and serves the next one that
// loads.
TEST_F(ServerCertificateRenewal,
       AReplacementThatDoesNotLoadLeavesThePreviousSetServed) {
  // A renewal caught half-way: the new key beside the old certificate;
  // then a certificate file that holds no certificate at all.
  ASSERT_THAT(testing::WriteFile(key_, ReadPkiFile("server-v2.key")), IsOk());
  ASSERT_TRUE(
      server_->WaitForLogEvent("tls_files_unusable", 1, absl::Seconds(20)))
      << server_->Output();
  ASSERT_THAT(testing::WriteFile(cert_, "not a PEM file\n"), IsOk());
  ASSERT_TRUE(
      server_->WaitForLogEvent("tls_files_unusable", 2, absl::Seconds(20)))
      << server_->Output();
  // gRPC re-reads what it serves every second: give it three.
  absl::SleepFor(absl::Seconds(3));
  EXPECT_THAT(PresentedServerName(server_->port()),
              HasSubstr("captoken-server-v1"));
  EXPECT_THAT(TlsClient(server_->target(), "frontend")
                  ->MintCapabilityToken(IncomingFor(kAccountA)),
              IsOk());
  EXPECT_THAT(server_->Output(), HasSubstr("does not match the certificate"));
  EXPECT_THAT(server_->Output(), Not(HasSubstr("not a PEM file")));

  // The renewal completed: served.
  ASSERT_THAT(testing::WriteFile(cert_, ReadPkiFile("server-v2.pem")), IsOk());
  ASSERT_TRUE(
      server_->WaitForLogEvent("tls_files_reloaded", 1, absl::Seconds(20)))
      << server_->Output();
  EXPECT_THAT(AwaitPresented("captoken-server-v2"),
              HasSubstr("captoken-server-v2"));
}

// A certificate, key or client CA that does not load used to be logged and
// then served on a port that refused every handshake. The server now
// refuses to start, naming the file.
TEST(TlsStartup, UnusableTlsFilesAreRefusedAtStartupByName) {
  const std::string garbage = testing::TempPath("garbage.pem");
  ASSERT_THAT(testing::WriteFile(garbage, "not a PEM file\n"), IsOk());
  struct Case {
    TlsFiles files;
    const char* expected;
  };
  const Case cases[] = {
      {{.certificate = garbage}, "transport.tls.certificate_file"},
      {{.private_key = garbage}, "transport.tls.private_key_file"},
      {{.private_key = PkiFile("frontend.key")},
       "does not match the certificate"},
      {{.client_ca = garbage}, "transport.tls.client_ca_file"},
      {{.certificate = "/dev/null"}, "not a regular file"},
  };
  for (const Case& bad : cases) {
    SCOPED_TRACE(bad.expected);
    ServerOptions options = TlsServerOptions();
    options.config = absl::StrCat(TlsTransport(bad.files), kAccounts, kCallers);
    absl::StatusOr<std::unique_ptr<ServerProcess>> server =
        ServerProcess::Start(options);
    ASSERT_FALSE(server.ok()) << "the server started";
    EXPECT_THAT(server.status().message(), HasSubstr("startup_failed"));
    EXPECT_THAT(server.status().message(), HasSubstr(bad.expected));
    // The file's content is never echoed.
    EXPECT_THAT(server.status().message(), Not(HasSubstr("not a PEM file")));
  }
}

TEST(TlsReload, AClientCaAddedToItsFileIsTrustedWithoutARestart) {
  // The CA file is a copy, so the test can add the other CA to it.
  const std::string client_ca = testing::TempPath("client-ca.pem");
  ASSERT_THAT(testing::WriteFile(client_ca, ReadPkiFile("ca.pem")), IsOk());
  ServerOptions options = TlsServerOptions();
  // No CRL directory: it holds the test CA's list only, and the CA added
  // below has none.
  options.config =
      absl::StrCat(TlsTransport({.client_ca = client_ca, .crl_directory = ""}),
                   kAccounts, kCallers);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ServerProcess> server,
                       ServerProcess::Start(options));
  // "stranger" has the frontend's identity from another CA: refused.
  EXPECT_THAT(TlsClient(server->target(), "stranger")
                  ->MintCapabilityToken(IncomingFor(kAccountA)),
              StatusIs(absl::StatusCode::kUnavailable, ::testing::_));

  ASSERT_THAT(
      testing::WriteFile(client_ca, absl::StrCat(ReadPkiFile("ca.pem"),
                                                 ReadPkiFile("other-ca.pem"))),
      IsOk());
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  absl::Status minted;
  while (absl::Now() < deadline) {
    // A new channel each time: a refused handshake is not retried at once.
    minted = TlsClient(server->target(), "stranger")
                 ->MintCapabilityToken(IncomingFor(kAccountA))
                 .status();
    if (minted.ok()) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_THAT(minted, IsOk());
  // The first CA's callers are still trusted.
  EXPECT_THAT(TlsClient(server->target(), "frontend")
                  ->MintCapabilityToken(IncomingFor(kAccountA)),
              IsOk());
}

TEST(MeshSidecar, TheForwardedClientCertificateNamesTheCallerFromLoopback) {
  ServerOptions options;
  options.config = absl::StrCat(
      "transport { mesh_sidecar { trust_forwarded_client_cert: true } }\n",
      kAccounts, kCallers);
  options.env = {{"SECURITY_E2E_A", kSecretA}, {"SECURITY_E2E_B", kSecretB}};
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ServerProcess> server,
                       ServerProcess::Start(options));
  auto stub = v1::TokenService::NewStub(grpc::CreateChannel(
      server->target(), grpc::InsecureChannelCredentials()));
  auto call = [&](absl::string_view xfcc) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    if (!xfcc.empty()) {
      context.AddMetadata("x-forwarded-client-cert", std::string(xfcc));
    }
    v1::TokenResponse response;
    return stub->MintCapabilityToken(&context, IncomingFor(kAccountA),
                                     &response);
  };
  EXPECT_TRUE(call(absl::StrCat("By=spiffe://example.org/ns/captoken/sa/"
                                "server;Hash=abc;URI=",
                                kFrontend))
                  .ok());
  EXPECT_EQ(call("").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(
      call("URI=spiffe://example.org/ns/web/sa/somebody-else").error_code(),
      grpc::StatusCode::PERMISSION_DENIED);

  // A SPIFFE ID that is not canonical is refused, even where a policy's
  // pattern (spiffe://example\.org/ns/batch/.*) would match its text.
  grpc::Status dotted =
      call("Hash=abc;URI=spiffe://example.org/ns/batch/sa/../../web/sa/x");
  EXPECT_EQ(dotted.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(dotted.error_message(), "the SPIFFE ID is not in canonical form");

  // Two x-forwarded-client-cert headers: which one the sidecar appended to
  // is uncertain, so the call is refused, whichever comes first.
  for (bool forged_first : {true, false}) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    const std::string forged = "URI=spiffe://example.org/ns/batch/sa/job";
    const std::string sidecar = absl::StrCat("Hash=abc;URI=", kFrontend);
    context.AddMetadata("x-forwarded-client-cert",
                        forged_first ? forged : sidecar);
    context.AddMetadata("x-forwarded-client-cert",
                        forged_first ? sidecar : forged);
    v1::TokenResponse response;
    grpc::Status status =
        stub->MintCapabilityToken(&context, IncomingFor(kAccountA), &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(status.error_message(),
              "more than one x-forwarded-client-cert header");
  }
}

TEST(Rotation, AnAuthTokenRotatedDuringLoadLosesNoRequest) {
  // Account A's auth token lives in a file. Halfway through a 20-second
  // load run it is rotated the way docs/security.md describes: the new token
  // becomes the primary, the old one the secondary, and the config is
  // reloaded (here by the file watcher, which notices the change).
  const std::string old_secret = "rotation-e2e-old-5c1d";
  const std::string new_secret = "rotation-e2e-new-8e2f";
  const std::string primary = testing::TempPath("primary-auth-token");
  const std::string secondary = testing::TempPath("secondary-auth-token");
  ASSERT_THAT(testing::WriteFile(primary, old_secret), IsOk());
  ASSERT_THAT(testing::WriteFile(secondary, old_secret), IsOk());
  const std::string config_path = testing::TempPath("rotation.textproto");
  auto write_config = [&](bool rotated) {
    const std::string accounts =
        absl::StrCat("accounts { account_sid: \"", kAccountA,
                     "\" auth_token { file: \"", primary, "\" }",
                     rotated ? absl::StrCat(" secondary_auth_token { file: \"",
                                            secondary, "\" }")
                             : "",
                     " }\n");
    return testing::WriteFile(
        config_path, absl::StrCat("listen_address: \"127.0.0.1:0\"\n",
                                  "secret_watch_interval { seconds: 1 }\n",
                                  TlsTransport(), accounts, kCallers));
  };
  ASSERT_THAT(write_config(false), IsOk());
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<testing::ChildProcess> process,
      testing::ChildProcess::Spawn({RunfilePath("service/server"),
                                    absl::StrCat("--config=", config_path)},
                                   {}));
  int port = 0;
  for (int i = 0; i < 500 && port == 0; ++i) {
    const std::string output = process->Output();
    const size_t at = output.find("\"port\":");
    if (at != std::string::npos) port = std::atoi(output.c_str() + at + 7);
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_NE(port, 0) << process->Output();
  const std::string target = absl::StrCat("127.0.0.1:", port);

  absl::Mutex mutex;
  absl::flat_hash_set<std::string> tokens;
  std::vector<std::string> failures;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  // Stops and joins the workers however the test leaves: an ASSERT below
  // returns early, and a std::thread destroyed while running aborts the
  // whole test binary instead of failing this one test.
  absl::Cleanup join_workers = [&] {
    stop.store(true);
    for (std::thread& thread : threads) {
      if (thread.joinable()) thread.join();
    }
  };
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto client = TlsClient(target, "frontend");
      int i = 0;
      while (!stop.load()) {
        absl::StatusOr<v1::TokenResponse> response =
            client->MintCapabilityToken(IncomingFor(
                kAccountA, absl::StrCat("worker", std::string(1, 'a' + t),
                                        std::string(1, 'a' + (i++ % 26)))));
        absl::MutexLock lock(&mutex);
        if (response.ok()) {
          tokens.insert(response->token());
        } else {
          failures.push_back(response.status().ToString());
        }
      }
    });
  }
  absl::SleepFor(absl::Seconds(10));
  // Rotate: the old token becomes the secondary, the new one the primary.
  ASSERT_THAT(write_config(true), IsOk());
  ASSERT_THAT(testing::WriteFile(primary, new_secret), IsOk());
  absl::SleepFor(absl::Seconds(10));
  std::move(join_workers).Invoke();

  EXPECT_THAT(failures, ::testing::IsEmpty());
  EXPECT_THAT(process->Output(), HasSubstr("\"event\":\"reloaded\""));

  // Every token verifies, at the server (which accepts either secret) and
  // locally with the secret that signed it; both secrets were used.
  auto verifier = TlsClient(target, "frontend");
  int signed_with_old = 0;
  int signed_with_new = 0;
  for (const std::string& token : tokens) {
    v1::VerifyTokenRequest request;
    request.set_token(token);
    absl::StatusOr<v1::VerifyTokenResponse> verified =
        verifier->VerifyToken(request);
    ASSERT_THAT(verified, IsOk());
    EXPECT_TRUE(verified->valid());
    auto verifies_with = [&](const std::string& secret) {
      return RunProcess({RunfilePath("client/cli/captoken"), "verify",
                         "--auth-token-env=SECRET", "-"},
                        {{"SECRET", secret}}, token)
                 ->exit_code == 0;
    };
    if (signed_with_old < 3 && verifies_with(old_secret)) ++signed_with_old;
    if (signed_with_new < 3 && verifies_with(new_secret)) ++signed_with_new;
  }
  EXPECT_GT(tokens.size(), 100u);
  EXPECT_GT(signed_with_old, 0);
  EXPECT_GT(signed_with_new, 0);
  EXPECT_THAT(process->Output(), ::testing::Not(HasSubstr("rotation-e2e")));
}

}  // namespace
}  // namespace captoken
