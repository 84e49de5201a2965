// File: token_service.h
// -----------------------------------------------------------------------------
//
// TokenService is the gRPC adapter for captoken.v1.TokenService on the
// callback API: each handler passes the request to the TokenMinter, maps
// the status one to one, finishes the call and writes one audit line (a
// BatchMint writes one per item and one for the call). It never blocks (the
// minter does not, and the log is written by its own thread).
//
// Once StopAcceptingCalls() is called it refuses every new call with
// UNAVAILABLE, which clients may retry elsewhere: that is how a draining
// server turns callers away cleanly, before gRPC's own shutdown (which
// cancels calls that race with it).
//
// Every call is charged to a ResponseBudget until gRPC has sent its
// response; while the budget is full (clients not reading what they asked
// for), new calls are refused with RESOURCE_EXHAUSTED before any work.

#ifndef CAPTOKEN_SERVICE_TOKEN_SERVICE_H_
#define CAPTOKEN_SERVICE_TOKEN_SERVICE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "absl/time/time.h"
#include "captoken/v1/token_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "service/arena_message_allocator.h"
#include "service/log.h"
#include "service/metrics.h"
#include "service/response_budget.h"
#include "service/token_minter.h"

namespace captoken::service {

class TokenService final : public v1::TokenService::CallbackService {
 public:
  // `minter`, `logger` and `metrics` must outlive the service. With
  // `trust_forwarded_client_cert`, a loopback peer's x-forwarded-client-cert
  // header names the caller (see caller_identity.h). Responses not yet sent
  // may hold up to `max_response_bytes` (and the calls being handled).
  TokenService(const TokenMinter* minter, Logger* logger,
               ServerMetrics* metrics, bool trust_forwarded_client_cert,
               size_t max_response_bytes)
      : minter_(minter),
        logger_(logger),
        metrics_(metrics),
        trust_forwarded_client_cert_(trust_forwarded_client_cert),
        response_budget_(max_response_bytes) {
    SetMessageAllocatorFor_BatchMint(&batch_allocator_);
  }

  grpc::ServerUnaryReactor* MintCapabilityToken(
      grpc::CallbackServerContext* context,
      const v1::CapabilityRequest* request,
      v1::TokenResponse* response) override;

  grpc::ServerUnaryReactor* MintTaskRouterToken(
      grpc::CallbackServerContext* context,
      const v1::TaskRouterRequest* request,
      v1::TokenResponse* response) override;

  grpc::ServerUnaryReactor* MintAccessToken(
      grpc::CallbackServerContext* context,
      const v1::AccessTokenRequest* request,
      v1::TokenResponse* response) override;

  grpc::ServerUnaryReactor* BatchMint(grpc::CallbackServerContext* context,
                                      const v1::BatchMintRequest* request,
                                      v1::BatchMintResponse* response) override;

  grpc::ServerUnaryReactor* VerifyToken(
      grpc::CallbackServerContext* context,
      const v1::VerifyTokenRequest* request,
      v1::VerifyTokenResponse* response) override;

  grpc::ServerUnaryReactor* GetCallerPolicy(
      grpc::CallbackServerContext* context,
      const v1::GetCallerPolicyRequest* request,
      v1::GetCallerPolicyResponse* response) override;

  // StopAcceptingCalls makes every later call fail with UNAVAILABLE.
  void StopAcceptingCalls() { accepting_.store(false); }

  // ResponseBytesHeld is what the calls in progress hold (ResponseBudget).
  size_t ResponseBytesHeld() const { return response_budget_.held_bytes(); }

  // LastCallTime is when the most recent call arrived.
  absl::Time LastCallTime() const {
    return absl::FromUnixNanos(
        last_call_nanos_.load(std::memory_order_relaxed));
  }

 private:
  // Records the call's arrival; UNAVAILABLE if the service is draining,
  // RESOURCE_EXHAUSTED (refusal reason kOverloaded) if the response budget
  // is full.
  absl::Status Admit();
  CallerIdentity Caller(const grpc::CallbackServerContext& context) const;
  // Finishes the call with `status` and `response` (sent only if the status
  // is OK), adding a retry-after-ms trailer when the status (or, for a
  // batch, `retry_delay`) asks the caller to wait. The call is charged to
  // the response budget until gRPC is done with it.
  grpc::ServerUnaryReactor* Finish(
      grpc::CallbackServerContext* context, const absl::Status& status,
      const google::protobuf::MessageLite& response,
      absl::optional<absl::Duration> retry_delay = absl::nullopt);
  // Runs one of the single-token mints: the minter call, the metrics, the
  // audit line and the finish.
  template <typename Request>
  grpc::ServerUnaryReactor* Mint(
      grpc::CallbackServerContext* context, const Request& request,
      v1::TokenResponse* response, absl::string_view method,
      absl::StatusOr<v1::TokenResponse> (TokenMinter::*mint)(
          const Request&, const CallerIdentity&, AuditRecord*) const);
  // Updates the call's metrics, completes `record` with the refusal reason
  // of `status` and writes its audit line.
  void Record(const grpc::CallbackServerContext& context, AuditRecord* record,
              const absl::Status& status, absl::Time started);
  // Starts an audit line with the fields every line of one call shares.
  static LogLine AuditLineStart(absl::string_view method,
                                absl::string_view peer,
                                absl::string_view caller, absl::Time time);
  // Adds the rest of `record` and the outcome to an audit line.
  static void AddAuditFields(const AuditRecord& record,
                             const absl::Status& status, LogLine* line);

  const TokenMinter* minter_;
  Logger* logger_;
  ServerMetrics* metrics_;
  const bool trust_forwarded_client_cert_;
  // A BatchMint's request and response live on an arena of their own, and
  // the minter writes the results there in place.
  ArenaMessageAllocator<v1::BatchMintRequest, v1::BatchMintResponse>
      batch_allocator_;
  ResponseBudget response_budget_;
  std::atomic<bool> accepting_{true};
  std::atomic<int64_t> last_call_nanos_{0};
};

}  // namespace captoken::service

#endif  // CAPTOKEN_SERVICE_TOKEN_SERVICE_H_
