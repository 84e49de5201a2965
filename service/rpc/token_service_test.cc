// Tests for token_service.h through a real gRPC server on a loopback port,
// called with the generated stub (and a generic stub for bytes the stub
// cannot send): a good request mints a token the library verifies, each
// refusal has its documented code, message and refusal reason, every call
// leaves its audit line and metrics, an unparsable request is
// INVALID_ARGUMENT, BatchMint answers per item, VerifyToken and
// GetCallerPolicy answer, a rate refusal carries retry-after-ms, and a
// draining service refuses with UNAVAILABLE.

#include "service/rpc/token_service.h"

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
#include "service/authz/caller_policy.h"
#include "service/config/account_keys.h"
#include "service/mint/token_minter.h"
#include "service/observe/metrics.h"
#include "service/rpc/request_codec.h"
#include "service/token/capability_verifier.h"
#include "service/token/clock.h"
#include "tests/testing/json_lines.h"
#include "tests/testing/log_file.h"
#include "tests/testing/metrics_text.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_keys.h"
#include "tests/testing/test_policies.h"

namespace captoken::rpc {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::LogFile;
using ::captoken::testing::ScrapeText;
using ::captoken::testing::StringField;
using ::captoken::testing::TestKey;
using ::captoken::testing::TestOpenAccess;
using ::captoken::testing::TestPolicies;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr char kSid[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kUnknownSid[] = "AC99999999999999999999999999999999";
constexpr char kSecret[] = "token-service-test-secret-3e8a";
// A client name, which is the caller's users' data: never logged.
constexpr char kClientName[] = "alice_private_name";
constexpr char kFrontend[] = "spiffe://example.org/ns/web/sa/frontend";

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

// The frontend may mint incoming-call tokens for any account, one a second
// after a burst of one.
constexpr char kPolicies[] = R"pb(
  callers {
    identity: "spiffe://example.org/ns/web/sa/frontend"
    accounts: "*"
    scope_kinds: SCOPE_KIND_CLIENT_INCOMING
    rate { per_second: 1 burst: 1 }
  }
)pb";

v1::CapabilityRequest IncomingRequest(absl::string_view sid = kSid) {
  v1::CapabilityRequest request;
  request.set_account_sid(std::string(sid));
  request.add_scopes()->mutable_client_incoming()->set_client_name(kClientName);
  request.mutable_ttl()->set_seconds(600);
  return request;
}

class TokenServiceTest : public ::testing::Test {
 protected:
  // Serves kSid through a TokenService on a free loopback port. A loopback
  // caller's x-forwarded-client-cert names it, as behind a sidecar.
  void StartServer(
      std::shared_ptr<const authz::CallerPolicies> callers = TestOpenAccess()) {
    std::vector<config::AccountKeys::Account> accounts;
    accounts.push_back({kSid, TestKey(kSecret), /*verify_only=*/false});
    mint::TokenMinter::Options options;
    options.clock = &clock_;
    minter_ = std::make_unique<mint::TokenMinter>(
        options, std::make_shared<const mint::ServingState>(mint::ServingState{
                     config::AccountKeys::FromAccounts(std::move(accounts)),
                     std::move(callers)}));
    service_ =
        std::make_unique<TokenService>(minter_.get(), log_.logger(), &metrics_,
                                       /*trust_forwarded_client_cert=*/true,
                                       /*max_response_bytes=*/size_t{64} << 20);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_NE(port, 0);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::TokenService::NewStub(channel_);
  }

  // A call's context, with a deadline so that a hang fails the test, and
  // the caller named as a sidecar would if `caller` is set.
  static std::unique_ptr<grpc::ClientContext> Context(
      absl::string_view caller = "") {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    if (!caller.empty()) {
      context->AddMetadata("x-forwarded-client-cert",
                           absl::StrCat("Hash=abc;URI=", caller));
    }
    return context;
  }

  grpc::Status MintCapability(const v1::CapabilityRequest& request,
                              v1::TokenResponse* response,
                              absl::string_view caller = "") {
    return stub_->MintCapabilityToken(Context(caller).get(), request, response);
  }

  // Sends `bytes` as the request of `method`, as no generated stub would.
  grpc::Status RawCall(absl::string_view method, const std::string& bytes) {
    grpc::GenericStub stub(channel_);
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    std::unique_ptr<grpc::ClientContext> context = Context();
    absl::Notification done;
    grpc::Status status;
    stub.UnaryCall(
        context.get(), absl::StrCat("/captoken.v1.TokenService/", method),
        grpc::StubOptions(), &request, &response, [&](grpc::Status s) {
          status = std::move(s);
          done.Notify();
        });
    done.WaitForNotification();
    return status;
  }

  // The only audit line logged, or a test failure.
  token::JsonValue OnlyAuditLine() {
    std::vector<token::JsonValue> lines = log_.Events("audit");
    EXPECT_THAT(lines, SizeIs(1)) << log_.Text();
    return lines.empty() ? token::JsonValue() : lines[0];
  }

  bool VerifiesWithTheAccountKey(const std::string& token) {
    token::CapabilityVerifier::Options options;
    options.jwt.clock = &clock_;
    options.expected_account_sid = kSid;
    absl::StatusOr<token::CapabilityVerifier> verifier =
        token::CapabilityVerifier::Create(options);
    EXPECT_THAT(verifier, IsOk());
    return verifier.ok() && verifier->Verify(token, TestKey(kSecret)).ok();
  }

  token::FixedClock clock_{kNow};
  LogFile log_;
  observe::ServerMetrics metrics_;
  std::unique_ptr<mint::TokenMinter> minter_;
  std::unique_ptr<TokenService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::TokenService::Stub> stub_;
};

TEST_F(TokenServiceTest, AGoodRequestMintsAVerifiableTokenAuditedAndCounted) {
  StartServer();
  v1::TokenResponse response;
  const grpc::Status status = MintCapability(IncomingRequest(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(VerifiesWithTheAccountKey(response.token()));
  EXPECT_EQ(response.token_fingerprint(),
            mint::TokenFingerprint(response.token()));

  const token::JsonValue audit = OnlyAuditLine();
  EXPECT_EQ(StringField(audit, "method"), "MintCapabilityToken");
  EXPECT_THAT(StringField(audit, "peer"), StartsWith("ipv4:127.0.0.1:"));
  EXPECT_EQ(StringField(audit, "caller"), "");
  EXPECT_EQ(StringField(audit, "account"), kSid);
  EXPECT_EQ(StringField(audit, "kind"), "capability");
  EXPECT_EQ(StringField(audit, "profile"), "twilio-python");
  EXPECT_EQ(StringField(audit, "outcome"), "OK");
  EXPECT_EQ(StringField(audit, "token_fingerprint"),
            response.token_fingerprint());
  EXPECT_EQ(audit.Find("refusal"), nullptr);
  // Neither the token, the client name nor the secret is logged.
  const std::string text = log_.Text();
  EXPECT_THAT(text, Not(HasSubstr(response.token())));
  EXPECT_THAT(text, Not(HasSubstr(kClientName)));
  EXPECT_THAT(text, Not(HasSubstr(kSecret)));

  const std::string scrape = ScrapeText(metrics_);
  EXPECT_THAT(scrape, HasSubstr("captoken_rpc_calls_total{code=\"OK\",method="
                                "\"MintCapabilityToken\"} 1"));
  EXPECT_THAT(scrape, HasSubstr("captoken_tokens_minted_total{kind="
                                "\"capability\",profile=\"twilio-python\"} 1"));
}

// A refusal as docs/server.md documents it: the gRPC code, the message,
// and the reason the audit line and the metric carry.
struct Refusal {
  std::string name;
  v1::CapabilityRequest request;
  grpc::StatusCode code;
  std::string message_prefix;
  std::string reason;
};

class RefusalTest : public TokenServiceTest,
                    public ::testing::WithParamInterface<Refusal> {};

TEST_P(RefusalTest, HasItsCodeMessageAuditLineAndMetric) {
  StartServer();
  const Refusal& refusal = GetParam();
  v1::TokenResponse response;
  const grpc::Status status = MintCapability(refusal.request, &response);
  EXPECT_EQ(status.error_code(), refusal.code);
  EXPECT_THAT(status.error_message(), StartsWith(refusal.message_prefix));
  EXPECT_TRUE(response.token().empty());

  const token::JsonValue audit = OnlyAuditLine();
  EXPECT_EQ(
      StringField(audit, "outcome"),
      absl::StatusCodeToString(static_cast<absl::StatusCode>(refusal.code)));
  EXPECT_EQ(StringField(audit, "reason"), status.error_message());
  EXPECT_EQ(StringField(audit, "refusal"), refusal.reason);
  EXPECT_EQ(audit.Find("token_fingerprint"), nullptr);
  EXPECT_THAT(ScrapeText(metrics_),
              HasSubstr(absl::StrCat("captoken_refusals_total{reason=\"",
                                     refusal.reason, "\"} 1")));
}

std::vector<Refusal> Refusals() {
  std::vector<Refusal> refusals;
  refusals.push_back({"UnknownAccount", IncomingRequest(kUnknownSid),
                      grpc::StatusCode::PERMISSION_DENIED,
                      std::string(authz::kAccountDenied), "account_denied"});
  v1::CapabilityRequest malformed_sid = IncomingRequest("AC123");
  refusals.push_back({"MalformedAccountSid", malformed_sid,
                      grpc::StatusCode::INVALID_ARGUMENT,
                      "account_sid: ", "invalid_request"});
  v1::CapabilityRequest negative_ttl = IncomingRequest();
  negative_ttl.mutable_ttl()->set_seconds(-1);
  refusals.push_back({"NegativeTtl", negative_ttl,
                      grpc::StatusCode::INVALID_ARGUMENT,
                      "ttl: ", "invalid_request"});
  v1::CapabilityRequest empty_name = IncomingRequest();
  empty_name.mutable_scopes(0)->mutable_client_incoming()->clear_client_name();
  refusals.push_back(
      {"EmptyClientName", empty_name, grpc::StatusCode::INVALID_ARGUMENT,
       "scopes[0].client_incoming.client_name: ", "invalid_request"});
  return refusals;
}

INSTANTIATE_TEST_SUITE_P(TokenService, RefusalTest,
                         ::testing::ValuesIn(Refusals()),
                         [](const ::testing::TestParamInfo<Refusal>& info) {
                           return info.param.name;
                         });

TEST_F(TokenServiceTest, CallerPoliciesNameTheCallerAndRefuseTheRest) {
  StartServer(TestPolicies(kPolicies));
  v1::TokenResponse response;
  grpc::Status status = MintCapability(IncomingRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);

  status = MintCapability(IncomingRequest(), &response, kFrontend);
  ASSERT_TRUE(status.ok()) << status.error_message();

  v1::CapabilityRequest events;
  events.set_account_sid(kSid);
  events.add_scopes()->mutable_event_stream();
  clock_.Advance(absl::Seconds(10));  // Not for the rate: for the policy.
  status = MintCapability(events, &response, kFrontend);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  const std::vector<token::JsonValue> audit = log_.Events("audit");
  ASSERT_THAT(audit, SizeIs(3));
  EXPECT_EQ(StringField(audit[0], "refusal"), "unauthenticated");
  EXPECT_EQ(StringField(audit[1], "caller"), kFrontend);
  EXPECT_EQ(StringField(audit[1], "outcome"), "OK");
  EXPECT_EQ(StringField(audit[2], "caller"), kFrontend);
  EXPECT_EQ(StringField(audit[2], "refusal"), "scope_denied");
}

TEST_F(TokenServiceTest, ARateRefusalSaysHowLongToWait) {
  StartServer(TestPolicies(kPolicies));
  v1::TokenResponse response;
  ASSERT_TRUE(MintCapability(IncomingRequest(), &response, kFrontend).ok());
  // The clock stands still: the burst of one is spent.
  std::unique_ptr<grpc::ClientContext> context = Context(kFrontend);
  const grpc::Status status =
      stub_->MintCapabilityToken(context.get(), IncomingRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  const auto trailers = context->GetServerTrailingMetadata();
  const auto retry = trailers.find("retry-after-ms");
  ASSERT_NE(retry, trailers.end());
  EXPECT_EQ(std::string(retry->second.data(), retry->second.size()), "1000");
  EXPECT_EQ(StringField(log_.Events("audit")[1], "refusal"), "rate_limited");
  EXPECT_THAT(ScrapeText(metrics_), HasSubstr("captoken_rate_limited_total 1"));
}

TEST_F(TokenServiceTest, AnUnparsableRequestIsInvalidArgumentAndAudited) {
  StartServer();
  // A field tag longer than a varint may be.
  const grpc::Status status =
      RawCall("MintCapabilityToken", std::string(12, '\xFF'));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), kUnparsableRequest);

  const token::JsonValue audit = OnlyAuditLine();
  EXPECT_EQ(StringField(audit, "method"), "MintCapabilityToken");
  EXPECT_EQ(StringField(audit, "account"), "");
  EXPECT_EQ(StringField(audit, "reason"), kUnparsableRequest);
  EXPECT_EQ(StringField(audit, "refusal"), "invalid_request");
  EXPECT_THAT(ScrapeText(metrics_),
              HasSubstr("captoken_rpc_calls_total{code=\"INVALID_ARGUMENT\","
                        "method=\"MintCapabilityToken\"} 1"));
}

TEST_F(TokenServiceTest, BatchMintAnswersEachItemAndAuditsEach) {
  StartServer();
  v1::BatchMintRequest request;
  *request.add_requests()->mutable_capability() = IncomingRequest();
  *request.add_requests()->mutable_capability() = IncomingRequest(kUnknownSid);
  v1::BatchMintResponse response;
  const grpc::Status status =
      stub_->BatchMint(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_THAT(response.results(), SizeIs(2));
  EXPECT_EQ(response.results(0).code(), 0);
  EXPECT_TRUE(VerifiesWithTheAccountKey(response.results(0).token().token()));
  EXPECT_EQ(response.results(1).code(),
            static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_EQ(response.results(1).message(), authz::kAccountDenied);
  EXPECT_FALSE(response.results(1).has_token());

  // One line per item, then one for the call.
  const std::vector<token::JsonValue> audit = log_.Events("audit");
  ASSERT_THAT(audit, SizeIs(3));
  EXPECT_EQ(audit[0].Find("batch_item")->AsInt64(), 0);
  EXPECT_EQ(StringField(audit[0], "outcome"), "OK");
  EXPECT_EQ(StringField(audit[0], "token_fingerprint"),
            response.results(0).token().token_fingerprint());
  EXPECT_EQ(audit[1].Find("batch_item")->AsInt64(), 1);
  EXPECT_EQ(StringField(audit[1], "refusal"), "account_denied");
  EXPECT_EQ(audit[2].Find("batch_size")->AsInt64(), 2);
  EXPECT_EQ(StringField(audit[2], "outcome"), "OK");

  const std::string scrape = ScrapeText(metrics_);
  EXPECT_THAT(scrape, HasSubstr("captoken_batch_items_total{code=\"OK\"} 1"));
  EXPECT_THAT(scrape, HasSubstr("captoken_batch_items_total{code="
                                "\"PERMISSION_DENIED\"} 1"));
  EXPECT_THAT(scrape, HasSubstr("captoken_tokens_minted_total{kind="
                                "\"capability\",profile=\"twilio-python\"} 1"));
  EXPECT_THAT(scrape, HasSubstr("captoken_rpc_calls_total{code=\"OK\","
                                "method=\"BatchMint\"} 1"));
}

// A batch's tokens are counted by kind and profile, runs of one kind and
// profile at a time: each run, broken by a change or a refused item, must
// add up.
TEST_F(TokenServiceTest, BatchMintCountsEachTokenByKindAndProfile) {
  StartServer();
  v1::CapabilityRequest node = IncomingRequest();
  node.set_profile(v1::PROFILE_TWILIO_NODE);
  v1::BatchMintRequest request;
  for (const v1::CapabilityRequest& item :
       {IncomingRequest(), IncomingRequest(), node,
        IncomingRequest(kUnknownSid), IncomingRequest(), node, node}) {
    *request.add_requests()->mutable_capability() = item;
  }
  v1::BatchMintResponse response;
  const grpc::Status status =
      stub_->BatchMint(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_THAT(response.results(), SizeIs(7));
  const std::string scrape = ScrapeText(metrics_);
  EXPECT_THAT(scrape, HasSubstr("captoken_tokens_minted_total{kind="
                                "\"capability\",profile=\"twilio-python\"} 3"));
  EXPECT_THAT(scrape, HasSubstr("captoken_tokens_minted_total{kind="
                                "\"capability\",profile=\"twilio-node\"} 3"));
  EXPECT_THAT(scrape, HasSubstr("captoken_batch_items_total{code=\"OK\"} 6"));
}

TEST_F(TokenServiceTest, AnEmptyBatchIsInvalidArgument) {
  StartServer();
  v1::BatchMintResponse response;
  const grpc::Status status =
      stub_->BatchMint(Context().get(), v1::BatchMintRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(StringField(OnlyAuditLine(), "refusal"), "invalid_request");
}

TEST_F(TokenServiceTest, VerifyTokenAnswersWithAVerdict) {
  StartServer();
  v1::TokenResponse minted;
  ASSERT_TRUE(MintCapability(IncomingRequest(), &minted).ok());
  v1::VerifyTokenRequest request;
  request.set_token(minted.token());
  v1::VerifyTokenResponse response;
  const grpc::Status status =
      stub_->VerifyToken(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(response.valid());
  EXPECT_EQ(response.account_sid(), kSid);
  const std::vector<token::JsonValue> audit = log_.Events("audit");
  ASSERT_THAT(audit, SizeIs(2));
  EXPECT_EQ(StringField(audit[1], "method"), "VerifyToken");
  EXPECT_EQ(StringField(audit[1], "verdict"), "valid");
}

TEST_F(TokenServiceTest, GetCallerPolicyDescribesTheCallerAndIsAudited) {
  StartServer(TestPolicies(kPolicies));
  v1::GetCallerPolicyResponse response;
  const grpc::Status status = stub_->GetCallerPolicy(
      Context(kFrontend).get(), v1::GetCallerPolicyRequest(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const token::JsonValue audit = OnlyAuditLine();
  EXPECT_EQ(StringField(audit, "method"), "GetCallerPolicy");
  EXPECT_EQ(StringField(audit, "caller"), kFrontend);
}

TEST_F(TokenServiceTest, ADrainingServiceRefusesNewCallsRetryably) {
  StartServer();
  service_->StopAcceptingCalls();
  v1::TokenResponse response;
  const grpc::Status status = MintCapability(IncomingRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(status.error_message(), "server is shutting down; retry");
  EXPECT_EQ(StringField(OnlyAuditLine(), "refusal"), "draining");
}

}  // namespace
}  // namespace captoken::rpc
