// deploy/grpc-service-config.json, loaded the way a C++ client loads it
// (grpc::ChannelArguments::SetServiceConfigJSON), against in-process
// TokenService fakes: gRPC's own parser must accept it, and it must mean
// what docs/deploy.md says: round_robin over every address, UNAVAILABLE
// retried up to 3 attempts, nothing else retried, a 3 s timeout.
//
// Why 3 s and not 1 s: gRPC's C core (C++, Python, Ruby, PHP clients)
// enforces a service-config timeout 1 to 2 s early (grpc/grpc#34547).
// Measured here with Debian's gRPC 1.51: "1s" and "1.1s" fail every call at
// once with DEADLINE_EXCEEDED; "2s" expired after 0.1 to 1 s; "5s" after
// 3.6 s. So the config's timeout is a backstop, 1 to 2 s in C-core clients
// and 3 s elsewhere; a client that wants 1 s sets it as the call's deadline
// (TokenClient's `deadline` option), which gRPC honours exactly.

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "captoken/v1/token_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"

namespace captoken {
namespace {

std::string ReadServiceConfig() {
  // Tests run in the workspace's runfiles directory.
  std::ifstream file("deploy/grpc-service-config.json");
  EXPECT_TRUE(file.good()) << "deploy/grpc-service-config.json is missing";
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// A TokenService whose MintCapabilityToken fails with `failure_code` for the
// first `failures` calls, then answers; or never answers within `stall`.
class FakeTokenService final : public v1::TokenService::Service {
 public:
  std::atomic<int> calls{0};
  int failures = 0;
  grpc::StatusCode failure_code = grpc::StatusCode::UNAVAILABLE;
  std::chrono::milliseconds stall{0};

  grpc::Status MintCapabilityToken(grpc::ServerContext* context,
                                   const v1::CapabilityRequest*,
                                   v1::TokenResponse* response) override {
    const int call = ++calls;
    if (stall.count() > 0) {
      const auto until = std::chrono::steady_clock::now() + stall;
      while (!context->IsCancelled() &&
             std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    if (call <= failures) return grpc::Status(failure_code, "fake failure");
    response->set_token("token");
    return grpc::Status::OK;
  }
};

struct FakeServer {
  FakeTokenService service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;

  FakeServer() {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(&service);
    server = builder.BuildAndStart();
  }
  ~FakeServer() { server->Shutdown(); }
};

class ServiceConfigTest : public testing::Test {
 protected:
  std::shared_ptr<grpc::Channel> Connect(
      const std::vector<const FakeServer*>& servers) {
    std::vector<std::string> addresses;
    for (const FakeServer* server : servers) {
      addresses.push_back(absl::StrCat("127.0.0.1:", server->port));
    }
    grpc::ChannelArguments args;
    args.SetServiceConfigJSON(ReadServiceConfig());
    return grpc::CreateCustomChannel(
        absl::StrCat("ipv4:", absl::StrJoin(addresses, ",")),
        grpc::InsecureChannelCredentials(), args);
  }

  static grpc::Status Mint(const std::shared_ptr<grpc::Channel>& channel) {
    auto stub = v1::TokenService::NewStub(channel);
    grpc::ClientContext context;  // no deadline of its own
    v1::CapabilityRequest request;
    v1::TokenResponse response;
    return stub->MintCapabilityToken(&context, request, &response);
  }
};

TEST_F(ServiceConfigTest, GrpcParsesItAndPicksRoundRobin) {
  FakeServer server;
  ASSERT_NE(server.port, 0);
  auto channel = Connect({&server});
  const grpc::Status status = Mint(channel);
  ASSERT_TRUE(status.ok()) << status.error_code() << ": "
                           << status.error_message();
  EXPECT_EQ(channel->GetLoadBalancingPolicyName(), "round_robin");
  // An invalid config would leave the channel without one (and fail calls).
  EXPECT_NE(channel->GetServiceConfigJSON(), "");
}

TEST_F(ServiceConfigTest, SpreadsCallsOverEveryAddress) {
  FakeServer first, second, third;
  auto channel = Connect({&first, &second, &third});
  ASSERT_TRUE(channel->WaitForConnected(std::chrono::system_clock::now() +
                                        std::chrono::seconds(5)));
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(Mint(channel).ok());
  // pick_first (gRPC's default) would send all 30 to one server.
  EXPECT_GT(first.service.calls.load(), 0);
  EXPECT_GT(second.service.calls.load(), 0);
  EXPECT_GT(third.service.calls.load(), 0);
}

TEST_F(ServiceConfigTest, RetriesUnavailable) {
  FakeServer server;
  server.service.failures = 2;  // a draining replica, twice
  auto channel = Connect({&server});
  EXPECT_TRUE(Mint(channel).ok());
  EXPECT_EQ(server.service.calls.load(), 3);
}

TEST_F(ServiceConfigTest, GivesUpAfterThreeAttempts) {
  FakeServer server;
  server.service.failures = 100;
  auto channel = Connect({&server});
  EXPECT_EQ(Mint(channel).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(server.service.calls.load(), 3);
}

TEST_F(ServiceConfigTest, RetriesNothingElse) {
  for (grpc::StatusCode code :
       {grpc::StatusCode::INVALID_ARGUMENT, grpc::StatusCode::PERMISSION_DENIED,
        grpc::StatusCode::RESOURCE_EXHAUSTED, grpc::StatusCode::UNAUTHENTICATED,
        grpc::StatusCode::INTERNAL}) {
    FakeServer server;
    server.service.failures = 100;
    server.service.failure_code = code;
    auto channel = Connect({&server});
    EXPECT_EQ(Mint(channel).error_code(), code);
    EXPECT_EQ(server.service.calls.load(), 1) << "status code " << code;
  }
}

TEST_F(ServiceConfigTest, TimesOutWithinThreeSeconds) {
  FakeServer server;
  server.service.stall = std::chrono::milliseconds(5000);
  auto channel = Connect({&server});
  ASSERT_TRUE(channel->WaitForConnected(std::chrono::system_clock::now() +
                                        std::chrono::seconds(5)));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Mint(channel).error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  const auto took = std::chrono::steady_clock::now() - start;
  // At least 1 s even with the C core's early expiry; at most the 3 s.
  EXPECT_GE(took, std::chrono::milliseconds(900));
  EXPECT_LT(took, std::chrono::milliseconds(3500));
}

TEST_F(ServiceConfigTest, AFastCallIsNeverCutShort) {
  // The C core's early expiry must not fail calls that answer promptly.
  FakeServer server;
  server.service.stall = std::chrono::milliseconds(300);
  auto channel = Connect({&server});
  for (int i = 0; i < 5; ++i) {
    const grpc::Status status = Mint(channel);
    EXPECT_TRUE(status.ok())
        << status.error_code() << ": " << status.error_message();
  }
}

}  // namespace
}  // namespace captoken
