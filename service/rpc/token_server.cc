#include "service/rpc/token_server.h"

#include <cstddef>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "service/process/allocator.h"

namespace captoken::rpc {
namespace {

constexpr char kServiceName[] = "captoken.v1.TokenService";

// TLS from files that gRPC re-reads every refresh interval (so a renewed
// certificate takes effect without a restart), mutual when a client CA is
// set. Without TLS, plaintext: on loopback, or behind a sidecar that
// terminates TLS (ServerSettingsFromConfig refuses anything else).
std::shared_ptr<grpc::ServerCredentials> ServerCredentials(
    const config::ServerSettings& settings) {
  if (!settings.tls.has_value()) return grpc::InsecureServerCredentials();
  const config::TlsSettings& tls = *settings.tls;
  auto provider =
      std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          tls.private_key_file, tls.certificate_file, tls.client_ca_file,
          static_cast<unsigned int>(
              absl::ToInt64Seconds(tls.refresh_interval)));
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (tls.client_ca_file.empty()) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    options.watch_root_certs();
    options.set_cert_request_type(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    if (!tls.crl_directory.empty()) {
      options.set_crl_directory(tls.crl_directory);
    }
  }
  return grpc::experimental::TlsServerCredentials(options);
}

// The half of max_server_memory_bytes that is gRPC's resource quota (the
// other half is the service's response budget).
size_t GrpcQuotaBytes(const config::ServerSettings& settings) {
  return settings.max_server_memory_bytes / 2;
}

}  // namespace

void ConfigureServingProcess() {
  // Debian builds Abseil without NDEBUG, which turns on absl::Mutex's
  // deadlock detection: every lock and unlock, ours and gRPC's (gRPC 1.51's
  // mutexes are Abseil's), updates a global lock graph under a global
  // spinlock. It showed up at about 3% of the server's CPU under load
  // (docs/performance.md), and it is a debugging aid that release builds of
  // Abseil leave off, so serving processes turn it off. Tests keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // Resident memory that settles after warm-up (allocator.h).
  process::ConfigureAllocator();
}

void ConfigureServerBuilder(const config::ServerSettings& settings,
                            grpc::ServerBuilder* builder) {
  grpc::EnableDefaultHealthCheckService(true);
  // The reflection plugin registers itself only if this is called; without
  // it the linker drops it.
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  builder->SetMaxReceiveMessageSize(
      static_cast<int>(settings.max_request_bytes));
  builder->AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                              settings.max_concurrent_streams);
  // Memory clients can make the server hold. gRPC 1.51's resource quota
  // counts what its transport reads (socket read buffers, so requests still
  // arriving) and each call's arena; past it, gRPC shrinks the flow-control
  // windows it grants, cancels streams and closes idle connections. It does
  // not count outgoing messages, which for this service are the bulk (a
  // BatchMint answer is ~50 times its request), so half of the memory is
  // the quota and half the service's ResponseBudget (TokenServer::Start).
  // The quota also stands in for a cap on streams across connections,
  // which gRPC 1.51 lacks (GRPC_ARG_MAX_CONCURRENT_STREAMS is per
  // connection); it has none on connections either, whose own state (about
  // 18 KB each) the quota does not see. The HTTP/2 buffer settings are left
  // at gRPC's defaults: a stream's request is refused once it passes
  // max_request_bytes, however large the frames or windows, and
  // GRPC_ARG_HTTP2_WRITE_BUFFER_SIZE applies only to writes that ask to be
  // buffered, which unary calls never do.
  grpc::ResourceQuota quota("captoken");
  quota.Resize(GrpcQuotaBytes(settings));
  builder->SetResourceQuota(quota);
  // Silent clients. gRPC 1.51 has no timeout on receiving a request (the
  // handler runs only once the whole message is in, and a server cannot set
  // a deadline of its own), and none on a response the client does not read.
  // What it can enforce is keepalive: after half the timeout without a byte
  // from the client, the server pings if the connection has calls open, and
  // closes the connection, cancelling its calls, if the ping is not answered
  // within the other half. Every HTTP/2 client answers pings by itself, so
  // this only removes clients that stopped reading or stalled mid-request
  // (idle connections are not pinged). A client that keeps answering pings
  // while never finishing its request is bounded only by
  // --max_connection_age plus its grace, and in memory by the quota.
  const int keepalive_ms = static_cast<int>(
      absl::ToInt64Milliseconds(settings.silent_client_timeout / 2));
  builder->AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, keepalive_ms);
  builder->AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, keepalive_ms);
  // No thread or completion-queue settings, on purpose. On the callback API
  // gRPC 1.51 runs handlers on its own threads (with this iomgr, two or
  // more "nexting" threads: clamp(cores / 2, 2, 16)), which no builder
  // option sizes: SetSyncServerOption, ResourceQuota::SetMaxThreads and
  // AddCompletionQueue concern the sync and async APIs. The transport knobs
  // tried under bench/loadgen (GRPC_ARG_OPTIMIZATION_TARGET "throughput",
  // GRPC_ARG_HTTP2_BDP_PROBE off, GRPC_ARG_MINIMAL_STACK) showed no effect
  // beyond the benchmark machine's noise (docs/performance.md), so none is
  // set. Handlers never block, so gRPC's threads are never held by ours.
  if (settings.max_connection_age > absl::ZeroDuration()) {
    // GOAWAY after the age, then up to a minute for calls in flight: clients
    // reconnect (re-resolving DNS) without failing a call.
    builder->AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                                static_cast<int>(absl::ToInt64Milliseconds(
                                    settings.max_connection_age)));
    builder->AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, 60000);
  }
}

absl::StatusOr<std::unique_ptr<TokenServer>> TokenServer::Start(
    const config::ServerSettings& settings, const mint::TokenMinter* minter,
    observe::Logger* logger, observe::ServerMetrics* metrics) {
  auto service = std::make_unique<TokenService>(
      minter, logger, metrics, settings.trust_forwarded_client_cert,
      settings.max_server_memory_bytes - GrpcQuotaBytes(settings),
      settings.audit);
  grpc::ServerBuilder builder;
  ConfigureServerBuilder(settings, &builder);
  int port = 0;
  builder.AddListeningPort(settings.listen_address, ServerCredentials(settings),
                           &port);
  builder.RegisterService(service.get());
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

}  // namespace captoken::rpc
