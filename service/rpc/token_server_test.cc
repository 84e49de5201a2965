// Tests for token_server.h: Start binds a free port and serves the token
// service and the standard health service (SERVING for the server and for
// captoken.v1.TokenService); an address that cannot be bound is
// UNAVAILABLE; Drain stops the server, after which calls fail, and a second
// Drain (the destructor's) does nothing.

#include "service/rpc/token_server.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "captoken/v1/token_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "service/config/account_keys.h"
#include "service/config/server_config.h"
#include "service/mint/token_minter.h"
#include "service/observe/metrics.h"
#include "tests/testing/log_file.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_keys.h"
#include "tests/testing/test_policies.h"

namespace captoken::rpc {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::LogFile;
using ::captoken::testing::StatusIs;
using ::captoken::testing::TestKey;
using ::captoken::testing::TestOpenAccess;
using ::testing::HasSubstr;

constexpr char kSid[] = "AC0123456789abcdef0123456789abcdef";

// grpc.health.v1.HealthCheckResponse's bytes: field 1, the status.
const std::string kServing("\x08\x01", 2);

class TokenServerTest : public ::testing::Test {
 protected:
  TokenServerTest() {
    std::vector<config::AccountKeys::Account> accounts;
    accounts.push_back({kSid, TestKey("token-server-test-secret"), false});
    minter_ = std::make_unique<mint::TokenMinter>(
        mint::TokenMinter::Options(),
        std::make_shared<const mint::ServingState>(mint::ServingState{
            config::AccountKeys::FromAccounts(std::move(accounts)),
            TestOpenAccess()}));
    settings_ = config::DevelopmentSettings();
    settings_.listen_address = "127.0.0.1:0";
  }

  std::shared_ptr<grpc::Channel> Channel(int port) {
    return grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                               grpc::InsecureChannelCredentials());
  }

  // Mints a token for kSid from the server on `port`.
  grpc::Status Mint(int port) {
    auto stub = v1::TokenService::NewStub(Channel(port));
    v1::CapabilityRequest request;
    request.set_account_sid(kSid);
    v1::TokenResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    return stub->MintCapabilityToken(&context, request, &response);
  }

  // grpc.health.v1.Health/Check for `service`, in raw bytes (the tests'
  // generated health stub is for the end-to-end tests); the response's
  // bytes go to `response`.
  grpc::Status HealthCheck(int port, absl::string_view service,
                           std::string* response) {
    grpc::GenericStub stub(Channel(port));
    // HealthCheckRequest: field 1, the service name.
    const std::string request_bytes =
        service.empty()
            ? ""
            : absl::StrCat(std::string(1, '\x0A'),
                           std::string(1, static_cast<char>(service.size())),
                           service);
    grpc::Slice slice(request_bytes);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer reply;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    absl::Notification done;
    grpc::Status status;
    stub.UnaryCall(&context, "/grpc.health.v1.Health/Check",
                   grpc::StubOptions(), &request, &reply, [&](grpc::Status s) {
                     status = std::move(s);
                     done.Notify();
                   });
    done.WaitForNotification();
    response->clear();
    std::vector<grpc::Slice> slices;
    if (status.ok() && reply.Dump(&slices).ok()) {
      for (const grpc::Slice& s : slices) {
        response->append(reinterpret_cast<const char*>(s.begin()), s.size());
      }
    }
    return status;
  }

  LogFile log_;
  observe::ServerMetrics metrics_;
  std::unique_ptr<mint::TokenMinter> minter_;
  config::ServerSettings settings_;
};

TEST_F(TokenServerTest, ServesTheTokenServiceAndHealthOnAFreePort) {
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<TokenServer> server,
      TokenServer::Start(settings_, minter_.get(), log_.logger(), &metrics_));
  ASSERT_NE(server->port(), 0);
  EXPECT_TRUE(Mint(server->port()).ok());

  std::string health;
  ASSERT_TRUE(HealthCheck(server->port(), "", &health).ok());
  EXPECT_EQ(health, kServing);
  ASSERT_TRUE(
      HealthCheck(server->port(), "captoken.v1.TokenService", &health).ok());
  EXPECT_EQ(health, kServing);
}

TEST_F(TokenServerTest, AnAddressItCannotBindIsUnavailable) {
  // TEST-NET-1: no interface of this machine has it.
  settings_.listen_address = "192.0.2.1:0";
  EXPECT_THAT(
      TokenServer::Start(settings_, minter_.get(), log_.logger(), &metrics_),
      StatusIs(absl::StatusCode::kUnavailable,
               HasSubstr("cannot listen on 192.0.2.1:0")));
}

TEST_F(TokenServerTest, AfterDrainCallsFail) {
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<TokenServer> server,
      TokenServer::Start(settings_, minter_.get(), log_.logger(), &metrics_));
  const int port = server->port();
  ASSERT_TRUE(Mint(port).ok());
  server->Drain(absl::ZeroDuration(), absl::Seconds(5));
  EXPECT_EQ(Mint(port).error_code(), grpc::StatusCode::UNAVAILABLE);
  std::string health;
  EXPECT_FALSE(HealthCheck(port, "", &health).ok());
  // Draining again (as the destructor does) is harmless.
  server->Drain(absl::ZeroDuration(), absl::Seconds(5));
}

}  // namespace
}  // namespace captoken::rpc
