#include "service/rpc/token_service.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "service/authz/refusal_reason.h"
#include "service/rpc/grpc_status.h"
#include "service/rpc/request_codec.h"
#include "service/token/field_validation.h"

namespace captoken::rpc {

namespace {

absl::Status Draining() {
  return absl::UnavailableError("server is shutting down; retry");
}

// A token whose audit line cannot be written is a token not issued.
absl::Status AuditUnavailable() {
  return absl::UnavailableError(
      "the audit log is not keeping up: no token was issued; retry");
}

absl::Status Overloaded() {
  return authz::WithRefusalReason(
      authz::RefusalReason::kOverloaded,
      absl::ResourceExhaustedError(
          "server is holding too many responses that were not read; retry "
          "later"));
}

// BatchTally adds up a batch's items by status code and by refusal reason,
// so that each series is updated once per batch rather than once per item
// (a label lookup under the family's lock each, for codes).
class BatchTally {
 public:
  void Add(absl::StatusCode code, authz::RefusalReason refusal) {
    const size_t index = static_cast<size_t>(code);
    if (index < codes_.size()) {
      ++codes_[index];
    } else {
      ++unknown_;  // Not an absl::StatusCode: counted as UNKNOWN.
    }
    const size_t reason = static_cast<size_t>(refusal);
    ++refusals_[reason < authz::kRefusalReasonCount
                    ? reason
                    : static_cast<size_t>(authz::RefusalReason::kOther)];
  }

  void Record(observe::ServerMetrics* metrics) const {
    for (size_t code = 0; code < codes_.size(); ++code) {
      if (codes_[code] > 0) {
        metrics->RecordBatchItem(static_cast<absl::StatusCode>(code),
                                 codes_[code]);
      }
    }
    if (unknown_ > 0) {
      metrics->RecordBatchItem(absl::StatusCode::kUnknown, unknown_);
    }
    for (authz::RefusalReason reason : authz::kAllRefusalReasons) {
      const int64_t count = refusals_[static_cast<size_t>(reason)];
      if (count > 0) metrics->RecordRefusal(reason, count);
    }
  }

 private:
  // Indexed by absl::StatusCode (0 to 16).
  std::array<int64_t, 17> codes_{};
  int64_t unknown_ = 0;
  // Indexed by RefusalReason.
  std::array<int64_t, authz::kRefusalReasonCount> refusals_{};
};

}  // namespace

authz::CallerIdentity TokenService::Caller(
    const grpc::CallbackServerContext& context) const {
  // Every XFCC header, not just the first: more than one is refused, since
  // which one the sidecar appended to is then uncertain.
  absl::InlinedVector<absl::string_view, 1> forwarded;
  const auto [begin, end] =
      context.client_metadata().equal_range("x-forwarded-client-cert");
  for (auto it = begin; it != end; ++it) {
    forwarded.emplace_back(it->second.data(), it->second.size());
  }
  return authz::IdentityFromConnection(*context.auth_context(), context.peer(),
                                       forwarded, trust_forwarded_client_cert_);
}

grpc::ServerUnaryReactor* TokenService::Finish(
    grpc::CallbackServerContext* context, const absl::Status& status,
    const grpc::ByteBuffer& response,
    absl::optional<absl::Duration> retry_delay) {
  if (absl::optional<absl::Duration> delay =
          retry_delay.has_value() ? retry_delay : mint::RetryDelay(status)) {
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

absl::Status TokenService::Accept(const grpc::CallbackServerContext& context,
                                  const grpc::ByteBuffer& bytes,
                                  google::protobuf::MessageLite* request,
                                  mint::AuditRecord* audit) {
  if (absl::Status admitted = Admit(); !admitted.ok()) return admitted;
  absl::Status parsed = ParseRequest(bytes, request);
  // The minter, which names the caller for the audit line, never sees this
  // call: name it here (empty for a refused identity, as on every line).
  if (!parsed.ok()) audit->caller = Caller(context).identity;
  return parsed;
}

template <typename Request>
grpc::ServerUnaryReactor* TokenService::Mint(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer& request,
    grpc::ByteBuffer* response, absl::string_view method,
    absl::StatusOr<v1::TokenResponse> (mint::TokenMinter::*mint)(
        const Request&, const authz::CallerIdentity&, mint::AuditRecord*)
        const) {
  const absl::Time started = absl::Now();
  mint::AuditRecord audit;
  audit.method = method;
  Request parsed;
  absl::Status status = Accept(*context, request, &parsed, &audit);
  if (status.ok()) {
    absl::StatusOr<v1::TokenResponse> result =
        (minter_->*mint)(parsed, Caller(*context), &audit);
    status =
        result.ok() ? SerializeResponse(*result, response) : result.status();
  }
  // The token leaves only if its audit line was accepted.
  Record(*context, &audit, &status, started, /*issues_token=*/true);
  if (status.ok()) {
    metrics_->RecordMint(audit.kind, audit.profile);
  } else {
    response->Clear();
  }
  return Finish(context, status, *response);
}

grpc::ServerUnaryReactor* TokenService::MintCapabilityToken(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Mint<v1::CapabilityRequest>(context, *request, response,
                                     "MintCapabilityToken",
                                     &mint::TokenMinter::MintCapabilityToken);
}

grpc::ServerUnaryReactor* TokenService::MintTaskRouterToken(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Mint<v1::TaskRouterRequest>(context, *request, response,
                                     "MintTaskRouterToken",
                                     &mint::TokenMinter::MintTaskRouterToken);
}

grpc::ServerUnaryReactor* TokenService::MintAccessToken(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Mint<v1::AccessTokenRequest>(context, *request, response,
                                      "MintAccessToken",
                                      &mint::TokenMinter::MintAccessToken);
}

grpc::ServerUnaryReactor* TokenService::BatchMint(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request_bytes,
    grpc::ByteBuffer* response_bytes) {
  const absl::Time started = absl::Now();
  mint::BatchAudit audit;
  audit.call.method = "BatchMint";
  // The request and the response on an arena of their own, freed on
  // return: by then the response is bytes.
  const std::unique_ptr<BatchMessages, ReleaseMessages> messages(
      batch_allocator_.AllocateMessages());
  const v1::BatchMintRequest* request = messages->request();
  v1::BatchMintResponse* response = messages->response();
  absl::Status status =
      Accept(*context, *request_bytes, messages->request(), &audit.call);
  if (status.ok()) {
    audit.call.batch_size = request->requests_size();
    // Minted in place, into the response on that arena.
    status = minter_->BatchMint(*request, Caller(*context), response, &audit);
    if (status.ok()) status = SerializeResponse(*response, response_bytes);
  }
  audit.call.refusal = authz::RefusalReasonOf(status);
  // One audit line per item, then one for the call. Every line of the call
  // shares its method, peer, caller and time (the items' records carry the
  // call's method and caller), so those fields are written once and each
  // line is built on them; the lines are queued together.
  const std::string peer = context->peer();
  observe::LogLine line =
      AuditLineStart(audit.call.method, peer, audit.call.caller, absl::Now());
  const size_t shared = line.size();
  observe::LogBatch lines(observe::LogLevel::kInfo);
  BatchTally tally;
  int issued = 0;
  if (status.ok()) {
    // An item's own fields (account, kind, scopes, profile, fingerprint...)
    // take about 250 bytes after the shared ones.
    constexpr size_t kItemFieldsBytes = 320;
    lines.Reserve(static_cast<size_t>(response->results_size() + 1) *
                  (shared + kItemFieldsBytes));
    for (int i = 0; i < response->results_size(); ++i) {
      const v1::MintResult& item = response->results(i);
      const mint::AuditRecord& item_audit = audit.items[static_cast<size_t>(i)];
      const absl::StatusCode code = static_cast<absl::StatusCode>(item.code());
      tally.Add(code, item_audit.refusal);
      if (code == absl::StatusCode::kOk) ++issued;
      line.Truncate(shared);
      AddAuditFields(item_audit, absl::Status(code, item.message()), &line);
      lines.Add(line);
    }
  }
  line.Truncate(shared);
  AddAuditFields(audit.call, status, &line);
  lines.Add(line);
  if (!Audit(std::move(lines), issued > 0)) {
    // None of the batch's tokens leaves the server: their lines were not
    // accepted. The refusal's own line is queued if there is room.
    status = AuditUnavailable();
    response_bytes->Clear();
    observe::LogBatch refusal(observe::LogLevel::kInfo);
    line.Truncate(shared);
    AddAuditFields(audit.call, status, &line);
    refusal.Add(line);
    Audit(std::move(refusal), /*issues_tokens=*/false);
  } else if (status.ok()) {
    // Each item is counted as its own token would be, each run of items of
    // one kind and profile (most often the whole batch) in one increment;
    // the codes are added up per batch.
    const mint::AuditRecord* run = nullptr;
    int64_t run_length = 0;
    for (int i = 0; i < response->results_size(); ++i) {
      if (response->results(i).code() != 0) continue;
      const mint::AuditRecord& item_audit = audit.items[static_cast<size_t>(i)];
      if (run != nullptr && item_audit.kind == run->kind &&
          item_audit.profile == run->profile) {
        ++run_length;
        continue;
      }
      if (run != nullptr) {
        metrics_->RecordMint(run->kind, run->profile, run_length);
      }
      run = &item_audit;
      run_length = 1;
    }
    if (run != nullptr) {
      metrics_->RecordMint(run->kind, run->profile, run_length);
    }
    tally.Record(metrics_);
  }
  metrics_->RecordCall(audit.call.method, status, absl::Now() - started);
  return Finish(context, status, *response_bytes, audit.retry_delay);
}

grpc::ServerUnaryReactor* TokenService::VerifyToken(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  const absl::Time started = absl::Now();
  mint::AuditRecord audit;
  audit.method = "VerifyToken";
  v1::VerifyTokenRequest parsed;
  absl::Status status = Accept(*context, *request, &parsed, &audit);
  if (status.ok()) {
    absl::StatusOr<v1::VerifyTokenResponse> result =
        minter_->VerifyToken(parsed, Caller(*context), &audit);
    status =
        result.ok() ? SerializeResponse(*result, response) : result.status();
  }
  Record(*context, &audit, &status, started, /*issues_token=*/false);
  return Finish(context, status, *response);
}

grpc::ServerUnaryReactor* TokenService::GetCallerPolicy(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  const absl::Time started = absl::Now();
  mint::AuditRecord audit;
  audit.method = "GetCallerPolicy";
  // The request has no fields, but bytes that are no message at all are
  // refused as for every other method.
  v1::GetCallerPolicyRequest parsed;
  absl::Status status = Accept(*context, *request, &parsed, &audit);
  if (status.ok()) {
    const authz::CallerIdentity caller = Caller(*context);
    audit.caller = caller.identity;
    absl::StatusOr<v1::GetCallerPolicyResponse> described =
        minter_->GetCallerPolicy(caller);
    status = described.ok() ? SerializeResponse(*described, response)
                            : described.status();
  }
  // Every call is audited, including who asked what they may do.
  Record(*context, &audit, &status, started, /*issues_token=*/false);
  return Finish(context, status, *response);
}

void TokenService::Record(const grpc::CallbackServerContext& context,
                          mint::AuditRecord* record, absl::Status* status,
                          absl::Time started, bool issues_token) {
  record->refusal = authz::RefusalReasonOf(*status);
  const std::string peer = context.peer();
  observe::LogLine line =
      AuditLineStart(record->method, peer, record->caller, absl::Now());
  const size_t shared = line.size();
  AddAuditFields(*record, *status, &line);
  observe::LogBatch lines(observe::LogLevel::kInfo);
  lines.Add(line);
  if (!Audit(std::move(lines), issues_token && status->ok())) {
    *status = AuditUnavailable();
    record->refusal = authz::RefusalReasonOf(*status);
    record->token_fingerprint.clear();
    line.Truncate(shared);
    AddAuditFields(*record, *status, &line);
    observe::LogBatch refusal(observe::LogLevel::kInfo);
    refusal.Add(line);
    Audit(std::move(refusal), /*issues_tokens=*/false);
  }
  metrics_->RecordCall(record->method, *status, absl::Now() - started);
}

bool TokenService::Audit(observe::LogBatch lines, bool issues_tokens) {
  const size_t count = lines.lines();
  if (issues_tokens && !audit_.drop_when_full) {
    if (logger_->WriteOrRefuse(std::move(lines), audit_.wait)) return true;
    metrics_->RecordAuditRefusal();
    return false;
  }
  if (!logger_->Write(std::move(lines))) {
    metrics_->RecordAuditDropped(static_cast<int64_t>(count));
  }
  return true;
}

observe::LogLine TokenService::AuditLineStart(absl::string_view method,
                                              absl::string_view peer,
                                              absl::string_view caller,
                                              absl::Time time) {
  observe::LogLine line(observe::LogLevel::kInfo, "audit", time);
  line.Add("method", method).Add("peer", peer).Add("caller", caller);
  return line;
}

void TokenService::AddAuditFields(const mint::AuditRecord& record,
                                  const absl::Status& status,
                                  observe::LogLine* line) {
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
  if (absl::string_view(record.kind) == "access") {
    line->Add("grant_kinds", record.grant_kinds);
  }
  // Set only from a checked SID, or the key that signed.
  if (!record.api_key_sid.empty()) line->Add("api_key", record.api_key_sid);
  line->Add("profile", record.profile)
      .Add("ttl_s", record.ttl_seconds)
      .Add("outcome", StatusCodeName(status.code()));
  if (!status.ok()) line->Add("reason", status.message());
  if (record.refusal != authz::RefusalReason::kNone) {
    line->Add("refusal", authz::RefusalReasonLabel(record.refusal));
  }
  if (!record.verdict.empty()) line->Add("verdict", record.verdict);
  if (!record.token_fingerprint.empty()) {
    line->Add("token_fingerprint", record.token_fingerprint);
  }
}

}  // namespace captoken::rpc
