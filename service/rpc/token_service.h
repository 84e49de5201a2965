// File: token_service.h
// -----------------------------------------------------------------------------
//
// TokenService is the gRPC adapter for captoken.v1.TokenService on the
// callback API: each handler passes the request to the TokenMinter, maps
// the status one to one, finishes the call and writes one audit line (a
// BatchMint writes one per item and one for the call). It never blocks (the
// minter does not, and the log is written by its own thread).
//
// Its methods are registered raw: gRPC hands over the request's bytes and
// the handler parses them (request_codec.h), because gRPC itself answers a
// request it cannot parse with UNIMPLEMENTED, without calling the handler.
// Here such a request is INVALID_ARGUMENT (kUnparsableRequest), audited
// and counted like any other malformed one. Clients see the same
// TokenService and use the generated stubs.
//
// Once StopAcceptingCalls() is called it refuses every new call with
// UNAVAILABLE, which clients may retry elsewhere: that is how a draining
// server turns callers away cleanly, before gRPC's own shutdown (which
// cancels calls that race with it).
//
// Every call is charged to a ResponseBudget until gRPC has sent its
// response; while the budget is full (clients not reading what they asked
// for), new calls are refused with RESOURCE_EXHAUSTED before any work.

#ifndef CAPTOKEN_SERVICE_RPC_TOKEN_SERVICE_H_
#define CAPTOKEN_SERVICE_RPC_TOKEN_SERVICE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "absl/time/time.h"
#include "captoken/v1/token_service.grpc.pb.h"
#include "google/protobuf/message_lite.h"
#include "grpcpp/grpcpp.h"
#include "service/config/server_config.h"
#include "service/mint/token_minter.h"
#include "service/observe/log.h"
#include "service/observe/metrics.h"
#include "service/rpc/arena_message_allocator.h"
#include "service/rpc/response_budget.h"

namespace captoken::rpc {

// The generated service base with every method on the callback API, raw.
using RawTokenService =
    v1::TokenService::WithRawCallbackMethod_MintCapabilityToken<
        v1::TokenService::WithRawCallbackMethod_MintTaskRouterToken<
            v1::TokenService::WithRawCallbackMethod_MintAccessToken<
                v1::TokenService::WithRawCallbackMethod_BatchMint<
                    v1::TokenService::WithRawCallbackMethod_VerifyToken<
                        v1::TokenService::WithRawCallbackMethod_GetCallerPolicy<
                            v1::TokenService::Service>>>>>>;

class TokenService final : public RawTokenService {
 public:
  // `minter`, `logger` and `metrics` must outlive the service. With
  // `trust_forwarded_client_cert`, a loopback peer's x-forwarded-client-cert
  // header names the caller (see caller_identity.h). Responses not yet sent
  // may hold up to `max_response_bytes` (and the calls being handled).
  // `audit` says whether a token whose audit line cannot be queued is
  // withheld (the default) or its line dropped.
  TokenService(const mint::TokenMinter* minter, observe::Logger* logger,
               observe::ServerMetrics* metrics,
               bool trust_forwarded_client_cert, size_t max_response_bytes,
               config::AuditSettings audit = {})
      : minter_(minter),
        logger_(logger),
        metrics_(metrics),
        trust_forwarded_client_cert_(trust_forwarded_client_cert),
        audit_(audit),
        response_budget_(max_response_bytes) {}

  // Each handler takes its method's request message (v1::CapabilityRequest
  // for MintCapabilityToken, ...) as bytes, and answers with its response
  // message as bytes.
  grpc::ServerUnaryReactor* MintCapabilityToken(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;

  grpc::ServerUnaryReactor* MintTaskRouterToken(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;

  grpc::ServerUnaryReactor* MintAccessToken(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;

  grpc::ServerUnaryReactor* BatchMint(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override;

  grpc::ServerUnaryReactor* VerifyToken(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;

  grpc::ServerUnaryReactor* GetCallerPolicy(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;

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
  // Admits the call and parses its request: Admit()'s refusals, or
  // INVALID_ARGUMENT (kUnparsableRequest) for bytes protobuf cannot parse.
  // In that case `audit` gets the caller, which the minter would have set.
  absl::Status Accept(const grpc::CallbackServerContext& context,
                      const grpc::ByteBuffer& bytes,
                      google::protobuf::MessageLite* request,
                      mint::AuditRecord* audit);
  authz::CallerIdentity Caller(
      const grpc::CallbackServerContext& context) const;
  // Finishes the call with `status` and the serialized `response` (sent
  // only if the status is OK), adding a retry-after-ms trailer when the status
  // (or, for a batch, `retry_delay`) asks the caller to wait. The call is
  // charged to the response budget until gRPC is done with it.
  grpc::ServerUnaryReactor* Finish(
      grpc::CallbackServerContext* context, const absl::Status& status,
      const grpc::ByteBuffer& response,
      absl::optional<absl::Duration> retry_delay = absl::nullopt);
  // Runs one of the single-token mints: the minter call, the metrics, the
  // audit line and the finish.
  template <typename Request>
  grpc::ServerUnaryReactor* Mint(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer& request,
      grpc::ByteBuffer* response, absl::string_view method,
      absl::StatusOr<v1::TokenResponse> (mint::TokenMinter::*mint)(
          const Request&, const authz::CallerIdentity&, mint::AuditRecord*)
          const);
  // Completes `record` with the refusal reason of `*status`, writes its
  // audit line and updates the call's metrics. If the call issued a token
  // (`*status` is OK and `issues_token`) and its line cannot be queued,
  // `*status` becomes UNAVAILABLE: the caller must then not return it.
  void Record(const grpc::CallbackServerContext& context,
              mint::AuditRecord* record, absl::Status* status,
              absl::Time started, bool issues_token);
  // Queues a call's audit lines. Lines that issue tokens are waited for
  // (AuditSettings), and false means they were not accepted; other lines
  // are never waited for (a drop is counted).
  bool Audit(observe::LogBatch lines, bool issues_tokens);
  // Starts an audit line with the fields every line of one call shares.
  static observe::LogLine AuditLineStart(absl::string_view method,
                                         absl::string_view peer,
                                         absl::string_view caller,
                                         absl::Time time);
  // Adds the rest of `record` and the outcome to an audit line.
  static void AddAuditFields(const mint::AuditRecord& record,
                             const absl::Status& status,
                             observe::LogLine* line);

  const mint::TokenMinter* minter_;
  observe::Logger* logger_;
  observe::ServerMetrics* metrics_;
  const bool trust_forwarded_client_cert_;
  const config::AuditSettings audit_;
  // A BatchMint's request and response live on an arena of their own, and
  // the minter writes the results there in place. (The allocator is not
  // registered with gRPC, which only ever sees the bytes: BatchMint takes
  // the messages from it and releases them itself.)
  using BatchMessages =
      grpc::MessageHolder<v1::BatchMintRequest, v1::BatchMintResponse>;
  struct ReleaseMessages {
    void operator()(BatchMessages* messages) const { messages->Release(); }
  };
  ArenaMessageAllocator<v1::BatchMintRequest, v1::BatchMintResponse>
      batch_allocator_;
  ResponseBudget response_budget_;
  std::atomic<bool> accepting_{true};
  std::atomic<int64_t> last_call_nanos_{0};
};

}  // namespace captoken::rpc

#endif  // CAPTOKEN_SERVICE_RPC_TOKEN_SERVICE_H_
