// Tests for token_client.h, against an in-process gRPC server: arguments are
// checked, responses and errors come back unchanged, and every call carries
// the client's deadline, so a server that does not answer costs at most that.

#include "client/cpp/token_client.h"

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "captoken/v1/token_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace captoken::client {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::Eq;
using ::testing::HasSubstr;

constexpr char kSid[] = "AC0123456789abcdef0123456789abcdef";

// A TokenService that echoes the request into its response, or fails with
// a chosen status, or blocks until released; it records each call's
// deadline.
class FakeTokenService final : public v1::TokenService::Service {
 public:
  grpc::Status MintCapabilityToken(grpc::ServerContext* context,
                                   const v1::CapabilityRequest* request,
                                   v1::TokenResponse* response) override {
    if (grpc::Status status = Enter(context); !status.ok()) return status;
    response->set_token(absl::StrCat("token-for-", request->account_sid()));
    response->mutable_expire_time()->set_seconds(1700003600);
    response->mutable_issue_time()->set_seconds(1700000000);
    response->set_profile(request->profile() == v1::PROFILE_UNSPECIFIED
                              ? v1::PROFILE_TWILIO_PYTHON
                              : request->profile());
    response->set_token_fingerprint("0123456789abcdef");
    return grpc::Status::OK;
  }

  grpc::Status MintTaskRouterToken(grpc::ServerContext* context,
                                   const v1::TaskRouterRequest* request,
                                   v1::TokenResponse* response) override {
    if (grpc::Status status = Enter(context); !status.ok()) return status;
    response->set_token(absl::StrCat("taskrouter-for-", request->channel_id()));
    response->set_profile(v1::PROFILE_TWILIO_NODE);
    return grpc::Status::OK;
  }

  grpc::Status MintAccessToken(grpc::ServerContext* context,
                               const v1::AccessTokenRequest* request,
                               v1::TokenResponse* response) override {
    if (grpc::Status status = Enter(context); !status.ok()) return status;
    response->set_token(absl::StrCat("access-for-", request->identity()));
    return grpc::Status::OK;
  }

  grpc::Status BatchMint(grpc::ServerContext* context,
                         const v1::BatchMintRequest* request,
                         v1::BatchMintResponse* response) override {
    if (grpc::Status status = Enter(context); !status.ok()) return status;
    // Item i fails with PERMISSION_DENIED when it has no kind, else gets
    // "item-<i>".
    for (int i = 0; i < request->requests_size(); ++i) {
      v1::MintResult* result = response->add_results();
      if (request->requests(i).request_case() ==
          v1::MintRequest::REQUEST_NOT_SET) {
        result->set_code(7);
        result->set_message("no");
      } else {
        result->mutable_token()->set_token(absl::StrCat("item-", i));
      }
    }
    return grpc::Status::OK;
  }

  grpc::Status VerifyToken(grpc::ServerContext* context,
                           const v1::VerifyTokenRequest* request,
                           v1::VerifyTokenResponse* response) override {
    if (grpc::Status status = Enter(context); !status.ok()) return status;
    response->set_valid(request->token() == "good");
    response->set_failure(request->token() == "good"
                              ? v1::VERIFICATION_FAILURE_UNSPECIFIED
                              : v1::VERIFICATION_FAILURE_MALFORMED);
    response->set_account_sid(request->account_sid());
    return grpc::Status::OK;
  }

  // FailWith makes every later call fail with `status`.
  void FailWith(grpc::Status status) {
    absl::MutexLock lock(&mutex_);
    status_ = std::move(status);
  }

  // BlockCalls makes every later call wait until Release().
  void BlockCalls() {
    absl::MutexLock lock(&mutex_);
    block_ = true;
  }
  // Release lets blocked calls return. Only the test thread calls it.
  void Release() {
    if (!release_.HasBeenNotified()) release_.Notify();
  }
  void WaitUntilEntered() { entered_.WaitForNotification(); }

  std::vector<absl::Time> deadlines() const {
    absl::MutexLock lock(&mutex_);
    return deadlines_;
  }

 private:
  grpc::Status Enter(grpc::ServerContext* context) {
    bool block;
    grpc::Status status;
    {
      absl::MutexLock lock(&mutex_);
      deadlines_.push_back(absl::FromChrono(context->deadline()));
      block = block_;
      status = status_;
    }
    if (block) {
      if (!entered_.HasBeenNotified()) entered_.Notify();
      // Bounded so that a broken test cannot hang the server forever.
      release_.WaitForNotificationWithTimeout(absl::Seconds(20));
    }
    return status;
  }

  mutable absl::Mutex mutex_;
  std::vector<absl::Time> deadlines_ ABSL_GUARDED_BY(mutex_);
  grpc::Status status_ ABSL_GUARDED_BY(mutex_);
  bool block_ ABSL_GUARDED_BY(mutex_) = false;
  absl::Notification entered_;
  absl::Notification release_;
};

class TokenClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port_, 0);
  }

  void TearDown() override {
    service_.Release();
    if (server_ != nullptr) {
      server_->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
      server_->Wait();
    }
  }

  std::string Target() const { return absl::StrCat("127.0.0.1:", port_); }

  std::unique_ptr<TokenClient> NewClient(TokenClient::Options options = {}) {
    absl::StatusOr<std::unique_ptr<TokenClient>> client =
        TokenClient::Create(Target(), std::move(options));
    EXPECT_THAT(client, IsOk());
    return client.ok() ? *std::move(client) : nullptr;
  }

  static v1::CapabilityRequest MintRequest() {
    v1::CapabilityRequest request;
    request.set_account_sid(kSid);
    request.add_scopes()->mutable_client_incoming()->set_client_name("alice");
    request.set_profile(v1::PROFILE_TWILIO_NODE);
    return request;
  }

  static v1::VerifyTokenRequest VerifyRequest(const std::string& token) {
    v1::VerifyTokenRequest request;
    request.set_token(token);
    request.set_account_sid(kSid);
    return request;
  }

  FakeTokenService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

// ---- Create and Wrap -------------------------------------------------------

TEST(TokenClientCreate, EmptyTargetIsRefused) {
  EXPECT_THAT(
      TokenClient::Create(""),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("target")));
}

TEST(TokenClientCreate, DeadlineThatIsNotPositiveAndFiniteIsRefused) {
  for (absl::Duration deadline :
       {absl::ZeroDuration(), absl::Milliseconds(-1), -absl::InfiniteDuration(),
        absl::InfiniteDuration()}) {
    TokenClient::Options options;
    options.deadline = deadline;
    EXPECT_THAT(
        TokenClient::Create("127.0.0.1:50051", options),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("deadline")))
        << deadline;
  }
}

TEST(TokenClientCreate, ConnectsLazily) {
  // Nothing listens on the target; Create still succeeds.
  TokenClient::Options options;
  options.deadline = absl::Milliseconds(1);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TokenClient> client,
                       TokenClient::Create("127.0.0.1:1", options));
  EXPECT_NE(client, nullptr);
}

TEST(TokenClientWrap, NullChannelIsRefused) {
  EXPECT_THAT(
      TokenClient::Wrap(nullptr),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("channel")));
}

TEST(TokenClientWrap, DeadlineThatIsNotPositiveIsRefused) {
  TokenClient::Options options;
  options.deadline = absl::ZeroDuration();
  EXPECT_THAT(
      TokenClient::Wrap(grpc::CreateChannel("127.0.0.1:1",
                                            grpc::InsecureChannelCredentials()),
                        options),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("deadline")));
}

// ---- calls
// -------------------------------------------------------------------

TEST_F(TokenClientTest, MintReturnsTheServerResponse) {
  std::unique_ptr<TokenClient> client = NewClient();
  ASSERT_NE(client, nullptr);
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse response,
                       client->MintCapabilityToken(MintRequest()));
  EXPECT_EQ(response.token(), absl::StrCat("token-for-", kSid));
  EXPECT_EQ(response.expire_time().seconds(), 1700003600);
  EXPECT_EQ(response.issue_time().seconds(), 1700000000);
  EXPECT_EQ(response.profile(), v1::PROFILE_TWILIO_NODE);
  EXPECT_EQ(response.token_fingerprint(), "0123456789abcdef");
}

TEST_F(TokenClientTest, MintTaskRouterReturnsTheServerResponse) {
  std::unique_ptr<TokenClient> client = NewClient();
  ASSERT_NE(client, nullptr);
  v1::TaskRouterRequest request;
  request.set_channel_id("WK1");
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse response,
                       client->MintTaskRouterToken(request));
  EXPECT_EQ(response.token(), "taskrouter-for-WK1");
  EXPECT_EQ(response.profile(), v1::PROFILE_TWILIO_NODE);
}

TEST_F(TokenClientTest, MintAccessReturnsTheServerResponse) {
  std::unique_ptr<TokenClient> client = NewClient();
  ASSERT_NE(client, nullptr);
  v1::AccessTokenRequest request;
  request.set_identity("alice");
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse response,
                       client->MintAccessToken(request));
  EXPECT_EQ(response.token(), "access-for-alice");
}

TEST_F(TokenClientTest, BatchMintReturnsEveryItemInOrder) {
  std::unique_ptr<TokenClient> client = NewClient();
  ASSERT_NE(client, nullptr);
  v1::BatchMintRequest request;
  *request.add_requests()->mutable_capability() = MintRequest();
  request.add_requests();
  request.add_requests()->mutable_access()->set_identity("bob");
  ASSERT_OK_AND_ASSIGN(v1::BatchMintResponse response,
                       client->BatchMint(request));
  ASSERT_EQ(response.results_size(), 3);
  EXPECT_EQ(response.results(0).token().token(), "item-0");
  EXPECT_EQ(response.results(1).code(), 7);
  EXPECT_EQ(response.results(1).message(), "no");
  EXPECT_EQ(response.results(2).token().token(), "item-2");
}

TEST_F(TokenClientTest, VerifyReturnsTheServerResponse) {
  std::unique_ptr<TokenClient> client = NewClient();
  ASSERT_NE(client, nullptr);
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse good,
                       client->VerifyToken(VerifyRequest("good")));
  EXPECT_TRUE(good.valid());
  EXPECT_EQ(good.failure(), v1::VERIFICATION_FAILURE_UNSPECIFIED);
  EXPECT_EQ(good.account_sid(), kSid);

  // A token that fails verification is an OK result, not an error.
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse bad,
                       client->VerifyToken(VerifyRequest("bad")));
  EXPECT_FALSE(bad.valid());
  EXPECT_EQ(bad.failure(), v1::VERIFICATION_FAILURE_MALFORMED);
}

TEST_F(TokenClientTest, OneClientMakesManyCalls) {
  std::unique_ptr<TokenClient> client = NewClient();
  ASSERT_NE(client, nullptr);
  for (int i = 0; i < 10; ++i) {
    EXPECT_THAT(client->MintCapabilityToken(MintRequest()), IsOk());
    EXPECT_THAT(client->VerifyToken(VerifyRequest("good")), IsOk());
  }
  EXPECT_EQ(service_.deadlines().size(), 20u);
}

TEST_F(TokenClientTest, WrapUsesTheGivenChannel) {
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<TokenClient> client,
      TokenClient::Wrap(server_->InProcessChannel(grpc::ChannelArguments())));
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse response,
                       client->MintCapabilityToken(MintRequest()));
  EXPECT_EQ(response.token(), absl::StrCat("token-for-", kSid));
}

TEST_F(TokenClientTest, ExplicitCredentialsAreUsed) {
  TokenClient::Options options;
  options.credentials = grpc::InsecureChannelCredentials();
  std::unique_ptr<TokenClient> client = NewClient(options);
  ASSERT_NE(client, nullptr);
  EXPECT_THAT(client->MintCapabilityToken(MintRequest()), IsOk());
}

TEST_F(TokenClientTest, ServerErrorKeepsItsCodeAndMessage) {
  std::unique_ptr<TokenClient> client = NewClient();
  ASSERT_NE(client, nullptr);
  struct Case {
    grpc::StatusCode grpc_code;
    absl::StatusCode code;
    const char* message;
  };
  for (const Case& c : {
           Case{grpc::StatusCode::INVALID_ARGUMENT,
                absl::StatusCode::kInvalidArgument, "ttl: must be positive"},
           Case{grpc::StatusCode::PERMISSION_DENIED,
                absl::StatusCode::kPermissionDenied,
                "not permitted for this account, or the account does not "
                "exist"},
           Case{grpc::StatusCode::UNAUTHENTICATED,
                absl::StatusCode::kUnauthenticated, "who are you"},
           Case{grpc::StatusCode::RESOURCE_EXHAUSTED,
                absl::StatusCode::kResourceExhausted, "slow down"},
           Case{grpc::StatusCode::UNAVAILABLE, absl::StatusCode::kUnavailable,
                "draining"},
           Case{grpc::StatusCode::INTERNAL, absl::StatusCode::kInternal,
                "oops"},
       }) {
    service_.FailWith(grpc::Status(c.grpc_code, c.message));
    EXPECT_THAT(client->MintCapabilityToken(MintRequest()),
                StatusIs(c.code, Eq(c.message)));
    EXPECT_THAT(client->MintTaskRouterToken(v1::TaskRouterRequest()),
                StatusIs(c.code, Eq(c.message)));
    EXPECT_THAT(client->MintAccessToken(v1::AccessTokenRequest()),
                StatusIs(c.code, Eq(c.message)));
    EXPECT_THAT(client->BatchMint(v1::BatchMintRequest()),
                StatusIs(c.code, Eq(c.message)));
    EXPECT_THAT(client->VerifyToken(VerifyRequest("good")),
                StatusIs(c.code, Eq(c.message)));
  }
}

TEST_F(TokenClientTest, UnreachableServerFailsWithoutWaiting) {
  // Stop the server: the port no longer answers.
  server_->Shutdown();
  server_->Wait();
  server_.reset();
  TokenClient::Options options;
  options.deadline = absl::Seconds(30);
  std::unique_ptr<TokenClient> client = NewClient(options);
  ASSERT_NE(client, nullptr);
  EXPECT_THAT(client->MintCapabilityToken(MintRequest()),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("")));
}

// ---- deadlines
// ---------------------------------------------------------------

TEST_F(TokenClientTest, MintPastTheDeadlineIsDeadlineExceeded) {
  TokenClient::Options options;
  options.deadline = absl::Milliseconds(200);
  std::unique_ptr<TokenClient> client = NewClient(options);
  ASSERT_NE(client, nullptr);
  service_.BlockCalls();
  EXPECT_THAT(client->MintCapabilityToken(MintRequest()),
              StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("")));
  service_.WaitUntilEntered();  // the call did reach the server
  service_.Release();
}

TEST_F(TokenClientTest, BatchMintPastTheDeadlineIsDeadlineExceeded) {
  TokenClient::Options options;
  options.deadline = absl::Milliseconds(200);
  std::unique_ptr<TokenClient> client = NewClient(options);
  ASSERT_NE(client, nullptr);
  service_.BlockCalls();
  EXPECT_THAT(client->BatchMint(v1::BatchMintRequest()),
              StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("")));
  service_.WaitUntilEntered();
  service_.Release();
}

TEST_F(TokenClientTest, VerifyPastTheDeadlineIsDeadlineExceeded) {
  TokenClient::Options options;
  options.deadline = absl::Milliseconds(200);
  std::unique_ptr<TokenClient> client = NewClient(options);
  ASSERT_NE(client, nullptr);
  service_.BlockCalls();
  EXPECT_THAT(client->VerifyToken(VerifyRequest("good")),
              StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("")));
  service_.WaitUntilEntered();
  service_.Release();
}

TEST_F(TokenClientTest, EveryCallCarriesTheDeadline) {
  // A long deadline, so the window checked below is wide compared with how
  // long a call takes.
  const absl::Duration kDeadline = absl::Seconds(300);
  TokenClient::Options options;
  options.deadline = kDeadline;
  std::unique_ptr<TokenClient> client = NewClient(options);
  ASSERT_NE(client, nullptr);

  const absl::Time before = absl::Now();
  ASSERT_THAT(client->MintCapabilityToken(MintRequest()), IsOk());
  ASSERT_THAT(client->MintTaskRouterToken(v1::TaskRouterRequest()), IsOk());
  ASSERT_THAT(client->MintAccessToken(v1::AccessTokenRequest()), IsOk());
  ASSERT_THAT(client->BatchMint(v1::BatchMintRequest()), IsOk());
  ASSERT_THAT(client->VerifyToken(VerifyRequest("good")), IsOk());
  const absl::Time after = absl::Now();

  const std::vector<absl::Time> deadlines = service_.deadlines();
  ASSERT_EQ(deadlines.size(), 5u);
  for (absl::Time deadline : deadlines) {
    EXPECT_NE(deadline, absl::InfiniteFuture());
    // gRPC sends the timeout with limited precision; allow a second.
    EXPECT_GE(deadline, before + kDeadline - absl::Seconds(1));
    EXPECT_LE(deadline, after + kDeadline + absl::Seconds(1));
  }
}

TEST_F(TokenClientTest, DefaultOptionsStillSetADeadline) {
  std::unique_ptr<TokenClient> client = NewClient();
  ASSERT_NE(client, nullptr);
  const absl::Time before = absl::Now();
  ASSERT_THAT(client->MintCapabilityToken(MintRequest()), IsOk());
  const absl::Time after = absl::Now();
  const std::vector<absl::Time> deadlines = service_.deadlines();
  ASSERT_EQ(deadlines.size(), 1u);
  const absl::Duration kDefault = TokenClient::Options().deadline;
  EXPECT_GT(kDefault, absl::ZeroDuration());
  EXPECT_GE(deadlines[0], before + kDefault - absl::Seconds(1));
  EXPECT_LE(deadlines[0], after + kDefault + absl::Seconds(1));
}

}  // namespace
}  // namespace captoken::client
