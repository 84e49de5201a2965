// File: token_server.h
// -----------------------------------------------------------------------------
//
// TokenServer runs captoken.v1.TokenService on a gRPC server with the
// standard health service and server reflection, and drains on request:
// health turns NOT_SERVING, new calls are refused, calls in flight finish.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(std::unique_ptr<TokenServer> server,
//                             TokenServer::Start(settings, &minter, &logger,
//                                                &metrics));
//   ... wait for SIGTERM ...
//   server->Drain(/*grace=*/absl::ZeroDuration(), absl::Seconds(10));

#ifndef CAPTOKEN_SERVICE_RPC_TOKEN_SERVER_H_
#define CAPTOKEN_SERVICE_RPC_TOKEN_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "service/config/server_config.h"
#include "service/mint/token_minter.h"
#include "service/observe/log.h"
#include "service/observe/metrics.h"
#include "service/rpc/token_service.h"

namespace captoken::rpc {

// ConfigureServerBuilder applies everything about the gRPC server except its
// services and listening port: health checks, reflection, message and
// stream limits, and the performance settings (see token_server.cc). The
// benchmark's no-op server (bench/noop_server.cc) calls it too, so that the
// baseline differs from this server only by the work done per call.
void ConfigureServerBuilder(const config::ServerSettings& settings,
                            grpc::ServerBuilder* builder);

// ConfigureServingProcess applies the process-wide settings of a serving
// binary (Abseil's mutexes, the allocator's caches); main() calls it once,
// before starting the server (tests that run a server in-process do not, and
// keep Abseil's debug checks). The no-op benchmark server calls it too.
void ConfigureServingProcess();

class TokenServer {
 public:
  // Start listens on settings.listen_address and serves. `minter`,
  // `logger` and `metrics` must outlive the server.
  //
  // Fails with UNAVAILABLE if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<TokenServer>> Start(
      const config::ServerSettings& settings, const mint::TokenMinter* minter,
      observe::Logger* logger, observe::ServerMetrics* metrics);

  ~TokenServer();

  // The port actually bound (useful with port 0).
  int port() const { return port_; }

  // Drain shuts the server down without losing a call:
  //   1. health checks report NOT_SERVING, and calls are still served for
  //      `grace`, so load balancers can stop sending before anyone is
  //      refused;
  //   2. new calls are refused with UNAVAILABLE (retryable) until none has
  //      arrived for a short quiet period, or `timeout` has passed;
  //   3. gRPC shuts down: calls in flight finish (cancelled only if still
  //      running after `timeout`).
  void Drain(absl::Duration grace, absl::Duration timeout);

 private:
  TokenServer(std::unique_ptr<TokenService> service,
              std::unique_ptr<grpc::Server> server, int port)
      : service_(std::move(service)), server_(std::move(server)), port_(port) {}

  std::unique_ptr<TokenService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_;
  bool drained_ = false;
};

}  // namespace captoken::rpc

#endif  // CAPTOKEN_SERVICE_RPC_TOKEN_SERVER_H_
