#include "service/token_service.h"

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "service/grpc_status.h"
#include "service/refusal_reason.h"
#include "service/token/field_validation.h"

namespace captoken::service {

namespace {

absl::Status Draining() {
  return absl::UnavailableError("server is shutting down; retry");
}

absl::Status Overloaded() {
  return WithRefusalReason(
      RefusalReason::kOverloaded,
      absl::ResourceExhaustedError(
          "server is holding too many responses that were not read; retry "
          "later"));
}

// BatchTally adds up a batch's items by status code and by refusal reason,
// so that each series is updated once per batch rather than once per item
// (a label lookup under the family's lock each, for codes).
class BatchTally {
 public:
  void Add(absl::StatusCode code, RefusalReason refusal) {
    const size_t index = static_cast<size_t>(code);
    if (index < codes_.size()) {
      ++codes_[index];
    } else {
      ++unknown_;  // Not an absl::StatusCode: counted as UNKNOWN.
    }
    const size_t reason = static_cast<size_t>(refusal);
    ++refusals_[reason < kRefusalReasonCount
                    ? reason
                    : static_cast<size_t>(RefusalReason::kOther)];
  }

  void Record(ServerMetrics* metrics) const {
    for (size_t code = 0; code < codes_.size(); ++code) {
      if (codes_[code] > 0) {
        metrics->RecordBatchItem(static_cast<absl::StatusCode>(code),
                                 codes_[code]);
      }
    }
    if (unknown_ > 0) {
      metrics->RecordBatchItem(absl::StatusCode::kUnknown, unknown_);
    }
    for (RefusalReason reason : kAllRefusalReasons) {
      const int64_t count = refusals_[static_cast<size_t>(reason)];
      if (count > 0) metrics->RecordRefusal(reason, count);
    }
  }

 private:
  // Indexed by absl::StatusCode (0 to 16).
  std::array<int64_t, 17> codes_{};
  int64_t unknown_ = 0;
  // Indexed by RefusalReason.
  std::array<int64_t, kRefusalReasonCount> refusals_{};
};

}  // namespace

CallerIdentity TokenService::Caller(
    const grpc::CallbackServerContext& context) const {
  // Every XFCC header, not just the first: more than one is refused, since
  // which one the sidecar appended to is then uncertain.
  absl::InlinedVector<absl::string_view, 1> forwarded;
  const auto [begin, end] =
      context.client_metadata().equal_range("x-forwarded-client-cert");
  for (auto it = begin; it != end; ++it) {
    forwarded.emplace_back(it->second.data(), it->second.size());
  }
  return IdentityFromConnection(*context.auth_context(), context.peer(),
                                forwarded, trust_forwarded_client_cert_);
}

grpc::ServerUnaryReactor* TokenService::Finish(
    grpc::CallbackServerContext* context, const absl::Status& status,
    const google::protobuf::MessageLite& response,
    absl::optional<absl::Duration> retry_delay) {
  if (absl::optional<absl::Duration> delay =
          retry_delay.has_value() ? retry_delay : RetryDelay(status)) {
    context->AddTrailingMetadata(
        "retry-after-ms", absl::StrCat(absl::ToInt64Milliseconds(*delay)));
  }
  // Not DefaultReactor(): the budget must hear when gRPC is done with the
  // call, which for a client that does not read is when its connection
  // goes. A refused call sends no response but is charged its overhead.
  grpc::ServerUnaryReactor* reactor = new ChargedReactor(
      &response_budget_, status.ok() ? ResponseBudget::CostOf(response)
                                     : ResponseBudget::kCallOverheadBytes);
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

absl::Status TokenService::Admit() {
  last_call_nanos_.store(absl::ToUnixNanos(absl::Now()),
                         std::memory_order_relaxed);
  if (!accepting_.load(std::memory_order_relaxed)) return Draining();
  if (!response_budget_.HasRoom()) return Overloaded();
  return absl::OkStatus();
}

template <typename Request>
grpc::ServerUnaryReactor* TokenService::Mint(
    grpc::CallbackServerContext* context, const Request& request,
    v1::TokenResponse* response, absl::string_view method,
    absl::StatusOr<v1::TokenResponse> (TokenMinter::*mint)(
        const Request&, const CallerIdentity&, AuditRecord*) const) {
  const absl::Time started = absl::Now();
  AuditRecord audit;
  audit.method = std::string(method);
  const absl::Status admitted = Admit();
  absl::StatusOr<v1::TokenResponse> result =
      admitted.ok() ? (minter_->*mint)(request, Caller(*context), &audit)
                    : admitted;
  if (result.ok()) {
    *response = *std::move(result);
    metrics_->RecordMint(audit.kind, audit.profile);
  }
  Record(*context, &audit, result.status(), started);
  return Finish(context, result.status(), *response);
}

grpc::ServerUnaryReactor* TokenService::MintCapabilityToken(
    grpc::CallbackServerContext* context, const v1::CapabilityRequest* request,
    v1::TokenResponse* response) {
  return Mint(context, *request, response, "MintCapabilityToken",
              &TokenMinter::MintCapabilityToken);
}

grpc::ServerUnaryReactor* TokenService::MintTaskRouterToken(
    grpc::CallbackServerContext* context, const v1::TaskRouterRequest* request,
    v1::TokenResponse* response) {
  return Mint(context, *request, response, "MintTaskRouterToken",
              &TokenMinter::MintTaskRouterToken);
}

grpc::ServerUnaryReactor* TokenService::MintAccessToken(
    grpc::CallbackServerContext* context, const v1::AccessTokenRequest* request,
    v1::TokenResponse* response) {
  return Mint(context, *request, response, "MintAccessToken",
              &TokenMinter::MintAccessToken);
}

grpc::ServerUnaryReactor* TokenService::BatchMint(
    grpc::CallbackServerContext* context, const v1::BatchMintRequest* request,
    v1::BatchMintResponse* response) {
  const absl::Time started = absl::Now();
  BatchAudit audit;
  audit.call.method = "BatchMint";
  // Minted in place, into the response on the call's arena.
  const absl::Status admitted = Admit();
  const absl::Status status =
      admitted.ok()
          ? minter_->BatchMint(*request, Caller(*context), response, &audit)
          : admitted;
  audit.call.batch_size = request->requests_size();
  audit.call.refusal = RefusalReasonOf(status);
  // One audit line per item, then one for the call. Every line of the call
  // shares its method, peer, caller and time (the items' records carry the
  // call's method and caller), so those fields are written once and each
  // line is built on them; the lines are queued together.
  const std::string peer = context->peer();
  LogLine line =
      AuditLineStart(audit.call.method, peer, audit.call.caller, absl::Now());
  const size_t shared = line.size();
  LogBatch lines(LogLevel::kInfo);
  if (status.ok()) {
    // Each item is counted as its own token would be; the codes are added
    // up per batch.
    BatchTally tally;
    for (int i = 0; i < response->results_size(); ++i) {
      const v1::MintResult& item = response->results(i);
      const AuditRecord& item_audit = audit.items[static_cast<size_t>(i)];
      const absl::StatusCode code = static_cast<absl::StatusCode>(item.code());
      tally.Add(code, item_audit.refusal);
      if (code == absl::StatusCode::kOk) {
        metrics_->RecordMint(item_audit.kind, item_audit.profile);
      }
      line.Truncate(shared);
      AddAuditFields(item_audit, absl::Status(code, item.message()), &line);
      lines.Add(line);
    }
    tally.Record(metrics_);
  }
  metrics_->RecordCall(audit.call.method, status, absl::Now() - started);
  line.Truncate(shared);
  AddAuditFields(audit.call, status, &line);
  lines.Add(line);
  logger_->Write(std::move(lines));
  return Finish(context, status, *response, audit.retry_delay);
}

grpc::ServerUnaryReactor* TokenService::VerifyToken(
    grpc::CallbackServerContext* context, const v1::VerifyTokenRequest* request,
    v1::VerifyTokenResponse* response) {
  const absl::Time started = absl::Now();
  AuditRecord audit;
  audit.method = "VerifyToken";
  const absl::Status admitted = Admit();
  absl::StatusOr<v1::VerifyTokenResponse> result =
      admitted.ok() ? minter_->VerifyToken(*request, Caller(*context), &audit)
                    : admitted;
  if (result.ok()) *response = *std::move(result);
  Record(*context, &audit, result.status(), started);
  return Finish(context, result.status(), *response);
}

grpc::ServerUnaryReactor* TokenService::GetCallerPolicy(
    grpc::CallbackServerContext* context,
    const v1::GetCallerPolicyRequest* request,
    v1::GetCallerPolicyResponse* response) {
  const absl::Time started = absl::Now();
  AuditRecord audit;
  audit.method = "GetCallerPolicy";
  absl::Status status = Admit();
  if (status.ok()) {
    const CallerIdentity caller = Caller(*context);
    audit.caller = caller.identity;
    absl::StatusOr<v1::GetCallerPolicyResponse> described =
        minter_->GetCallerPolicy(caller);
    if (described.ok()) {
      *response = *std::move(described);
    } else {
      status = described.status();
    }
  }
  // Every call is audited, including who asked what they may do.
  Record(*context, &audit, status, started);
  return Finish(context, status, *response);
}

void TokenService::Record(const grpc::CallbackServerContext& context,
                          AuditRecord* record, const absl::Status& status,
                          absl::Time started) {
  metrics_->RecordCall(record->method, status, absl::Now() - started);
  record->refusal = RefusalReasonOf(status);
  LogLine line = AuditLineStart(record->method, context.peer(), record->caller,
                                absl::Now());
  AddAuditFields(*record, status, &line);
  logger_->Write(std::move(line));
}

LogLine TokenService::AuditLineStart(absl::string_view method,
                                     absl::string_view peer,
                                     absl::string_view caller,
                                     absl::Time time) {
  LogLine line(LogLevel::kInfo, "audit", time);
  line.Add("method", method).Add("peer", peer).Add("caller", caller);
  return line;
}

void TokenService::AddAuditFields(const AuditRecord& record,
                                  const absl::Status& status, LogLine* line) {
  // Only a well-formed SID is logged: the field is caller input.
  line->Add(
      "account",
      token::IsSid("AC", record.account_sid)
          ? absl::string_view(record.account_sid)
          : absl::string_view(record.account_sid.empty() ? "" : "(malformed)"));
  if (!record.kind.empty()) line->Add("kind", record.kind);
  if (record.batch_item >= 0) line->Add("batch_item", record.batch_item);
  if (record.batch_size >= 0) line->Add("batch_size", record.batch_size);
  line->Add("scope_kinds", record.scope_kinds);
  if (!record.policy_sets.empty()) {
    line->Add("policy_sets", record.policy_sets);
  }
  if (record.kind == "access") line->Add("grant_kinds", record.grant_kinds);
  // Set only from a checked SID, or the key that signed.
  if (!record.api_key_sid.empty()) line->Add("api_key", record.api_key_sid);
  line->Add("profile", record.profile)
      .Add("ttl_s", record.ttl_seconds)
      .Add("outcome", absl::StatusCodeToString(status.code()));
  if (!status.ok()) line->Add("reason", status.message());
  if (record.refusal != RefusalReason::kNone) {
    line->Add("refusal", RefusalReasonLabel(record.refusal));
  }
  if (!record.verdict.empty()) line->Add("verdict", record.verdict);
  if (!record.token_fingerprint.empty()) {
    line->Add("token_fingerprint", record.token_fingerprint);
  }
}

}  // namespace captoken::service
