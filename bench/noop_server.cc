// noop_server: the benchmark's baseline. captoken.v1.TokenService on the
// same gRPC libraries, the callback API and the same server settings as the
// real server (rpc::ConfigureServerBuilder, and BatchMint's messages on
// a per-call arena as rpc::TokenService has them), whose handlers
// finish at once with a canned response: what is left is the cost of gRPC
// itself, so the real server's throughput over this one's is the share its
// own work leaves.
//
//   noop_server [--listen=127.0.0.1:0]
//
// Logs {"event":"listening","port":N} on standard error once it serves, as
// the real server does; SIGTERM or SIGINT stop it.

#include <signal.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "captoken/v1/token_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "service/config/server_config.h"
#include "service/process/command_line.h"
#include "service/rpc/arena_message_allocator.h"
#include "service/rpc/token_server.h"
#include "service/token/capability_signer.h"
#include "service/token/capability_spec.h"
#include "service/token/crypto.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "HOST:PORT to listen on");

namespace captoken::bench {
namespace {

constexpr char kUsage[] =
    R"(captoken.v1.TokenService that does nothing (the baseline).

  noop_server [--listen=127.0.0.1:0]

Same gRPC libraries, callback API and server settings as the real server;
every MintCapabilityToken call finishes at once with one canned response of
the real size, and every BatchMint call with one canned result of that size
per request. Logs {"event":"listening","port":N} on standard error.
)";

// The response the real server gives the load generator's request
// (bench/loadgen.cc), signed once at start-up with the development key, so
// both servers send the same bytes.
v1::TokenResponse CannedResponse() {
  token::CapabilitySpec spec;
  spec.account_sid = std::string(config::kDevelopmentAccountSid);
  spec.profile = token::Profile::kTwilioNode;
  spec.scopes.push_back(token::ClientIncomingScope{"alice"});
  spec.scopes.push_back(token::ClientOutgoingScope{
      "AP89abcdef0123456789abcdef01234567",
      {{"To", "+15551234567"}, {"CallerId", "client:alice"}},
      ""});
  const token::HmacSha256Key key =
      *token::HmacSha256Key::Create(config::kDevelopmentAuthToken);
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  const token::SignedToken signed_token =
      *token::SignCapabilityToken(spec, key, now, token::SigningLimits());
  v1::TokenResponse response;
  response.set_token(signed_token.token);
  response.mutable_issue_time()->set_seconds(1700000000);
  response.mutable_expire_time()->set_seconds(1700003600);
  response.set_profile(v1::PROFILE_TWILIO_NODE);
  response.set_token_fingerprint("0123456789abcdef");
  return response;
}

// The most results a canned batch holds: the real server's default
// max_batch_requests, which refuses larger batches.
constexpr int kMaxCannedBatch = 100;

class NoopService final : public v1::TokenService::CallbackService {
 public:
  NoopService() : canned_(CannedResponse()) {
    // The real server's setting: BatchMint's messages on a per-call arena.
    SetMessageAllocatorFor_BatchMint(&batch_allocator_);
    for (int n = 0; n <= kMaxCannedBatch; ++n) {
      v1::BatchMintResponse& batch = canned_batches_.emplace_back();
      batch.mutable_results()->Reserve(n);
      for (int i = 0; i < n; ++i) {
        *batch.add_results()->mutable_token() = canned_;
      }
    }
  }

  grpc::ServerUnaryReactor* MintCapabilityToken(
      grpc::CallbackServerContext* context,
      const v1::CapabilityRequest* request,
      v1::TokenResponse* response) override {
    *response = canned_;
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  grpc::ServerUnaryReactor* VerifyToken(
      grpc::CallbackServerContext* context,
      const v1::VerifyTokenRequest* request,
      v1::VerifyTokenResponse* response) override {
    response->set_valid(true);
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  // BatchMint answers a batch of N requests with N OK results, each
  // carrying the canned token: the shape and size of the real server's
  // answer to the load generator's batch, so both servers pay the same
  // serialization. An empty batch, or one larger than the real server
  // takes, is refused as the real server refuses it.
  grpc::ServerUnaryReactor* BatchMint(
      grpc::CallbackServerContext* context, const v1::BatchMintRequest* request,
      v1::BatchMintResponse* response) override {
    const int n = request->requests_size();
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (n < 1 || n > kMaxCannedBatch) {
      reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                   "requests: 1 to 100 in one batch"));
      return reactor;
    }
    *response = canned_batches_[static_cast<size_t>(n)];
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  const v1::TokenResponse canned_;
  // canned_batches_[n] holds n results.
  std::vector<v1::BatchMintResponse> canned_batches_;
  rpc::ArenaMessageAllocator<v1::BatchMintRequest, v1::BatchMintResponse>
      batch_allocator_;
};

int Main() {
  config::ServerSettings settings = config::DevelopmentSettings();
  settings.listen_address = absl::GetFlag(FLAGS_listen);
  rpc::ConfigureServingProcess();
  NoopService service;
  grpc::ServerBuilder builder;
  rpc::ConfigureServerBuilder(settings, &builder);
  int port = 0;
  builder.AddListeningPort(settings.listen_address,
                           grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::cerr << "{\"event\":\"startup_failed\",\"reason\":\"cannot listen on "
              << settings.listen_address << "\"}\n";
    return 1;
  }
  std::cerr << "{\"event\":\"listening\",\"port\":" << port << "}" << std::endl;

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  int signal_number = 0;
  while (sigwait(&signals, &signal_number) != 0) {
  }
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  server->Wait();
  return 0;
}

}  // namespace
}  // namespace captoken::bench

int main(int argc, char** argv) {
  // Block the signals before gRPC starts its threads, so sigwait gets them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  captoken::process::ParseCommandLineOrHelp(argc, argv,
                                            captoken::bench::kUsage);
  return captoken::bench::Main();
}
