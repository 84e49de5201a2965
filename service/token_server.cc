#include "service/token_server.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"

namespace captoken::service {
namespace {

constexpr char kServiceName[] = "captoken.v1.TokenService";

}  // namespace

absl::StatusOr<std::unique_ptr<TokenServer>> TokenServer::Start(
    const ServerSettings& settings, const TokenMinter* minter, Logger* logger) {
  grpc::EnableDefaultHealthCheckService(true);
  // The reflection plugin registers itself only if this is called; without
  // it the linker drops it.
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  auto service = std::make_unique<TokenService>(minter, logger);
  grpc::ServerBuilder builder;
  int port = 0;
  // Plaintext: on loopback, or behind a sidecar that terminates TLS
  // (ServerSettingsFromConfig refuses anything else).
  builder.AddListeningPort(settings.listen_address,
                           grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(service.get());
  builder.SetMaxReceiveMessageSize(
      static_cast<int>(settings.max_request_bytes));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             settings.max_concurrent_streams);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", settings.listen_address));
  }
  // The secrets are loaded before Start, so the server is ready now.
  server->GetHealthCheckService()->SetServingStatus(kServiceName, true);
  server->GetHealthCheckService()->SetServingStatus(true);
  return std::unique_ptr<TokenServer>(
      new TokenServer(std::move(service), std::move(server), port));
}

TokenServer::~TokenServer() {
  Drain(absl::ZeroDuration(), absl::ZeroDuration());
}

void TokenServer::Drain(absl::Duration grace, absl::Duration timeout) {
  if (drained_) return;
  drained_ = true;
  server_->GetHealthCheckService()->SetServingStatus(false);
  absl::SleepFor(grace);

  // Callers still sending are told to go elsewhere, and given a moment to
  // hear it, so that gRPC's shutdown finds no call arriving.
  const absl::Time deadline = absl::Now() + timeout;
  constexpr absl::Duration kQuietPeriod = absl::Milliseconds(100);
  service_->StopAcceptingCalls();
  while (absl::Now() < deadline &&
         absl::Now() - service_->LastCallTime() < kQuietPeriod) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  server_->Shutdown(absl::ToChronoTime(deadline));
  server_->Wait();
}

}  // namespace captoken::service
