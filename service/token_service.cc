#include "service/token_service.h"

#include <utility>

#include "absl/time/clock.h"
#include "service/grpc_status.h"
#include "service/token/field_validation.h"

namespace captoken::service {

namespace {

absl::Status Draining() {
  return absl::UnavailableError("server is shutting down; retry");
}

}  // namespace

bool TokenService::Admit() {
  last_call_nanos_.store(absl::ToUnixNanos(absl::Now()),
                         std::memory_order_relaxed);
  return accepting_.load(std::memory_order_relaxed);
}

grpc::ServerUnaryReactor* TokenService::MintCapabilityToken(
    grpc::CallbackServerContext* context, const v1::CapabilityRequest* request,
    v1::TokenResponse* response) {
  AuditRecord audit;
  audit.method = "MintCapabilityToken";
  absl::StatusOr<v1::TokenResponse> result =
      Admit() ? minter_->MintCapabilityToken(*request, &audit) : Draining();
  if (result.ok()) *response = *std::move(result);
  Audit(*context, audit, result.status());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(result.status()));
  return reactor;
}

grpc::ServerUnaryReactor* TokenService::VerifyToken(
    grpc::CallbackServerContext* context, const v1::VerifyTokenRequest* request,
    v1::VerifyTokenResponse* response) {
  AuditRecord audit;
  audit.method = "VerifyToken";
  absl::StatusOr<v1::VerifyTokenResponse> result =
      Admit() ? minter_->VerifyToken(*request, &audit) : Draining();
  if (result.ok()) *response = *std::move(result);
  Audit(*context, audit, result.status());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(result.status()));
  return reactor;
}

void TokenService::Audit(const grpc::CallbackServerContext& context,
                         const AuditRecord& record,
                         const absl::Status& status) {
  LogLine line(LogLevel::kInfo, "audit");
  line.Add("method", record.method)
      .Add("peer", context.peer())
      // Only a well-formed SID is logged: the field is caller input.
      .Add("account",
           token::IsSid("AC", record.account_sid)
               ? absl::string_view(record.account_sid)
               : absl::string_view(record.account_sid.empty() ? ""
                                                              : "(malformed)"))
      .Add("scope_kinds", record.scope_kinds)
      .Add("profile", record.profile)
      .Add("ttl_s", record.ttl_seconds)
      .Add("outcome", absl::StatusCodeToString(status.code()));
  if (!status.ok()) line.Add("reason", status.message());
  if (!record.verdict.empty()) line.Add("verdict", record.verdict);
  if (!record.token_fingerprint.empty()) {
    line.Add("token_fingerprint", record.token_fingerprint);
  }
  logger_->Write(std::move(line));
}

}  // namespace captoken::service
