#include "service/mint/token_minter.h"

#include <algorithm>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "service/convert/access_grant.h"
#include "service/convert/fields.h"
#include "service/convert/kind_names.h"
#include "service/convert/taskrouter_policy.h"
#include "service/convert/verify_response.h"
#include "service/convert/verify_token.h"
#include "service/mint/sign_request.h"
#include "service/token/access_token_signer.h"
#include "service/token/capability_signer.h"
#include "service/token/crypto.h"
#include "service/token/field_validation.h"
#include "service/token/status_macros.h"
#include "service/token/taskrouter_policies.h"
#include "service/token/taskrouter_signer.h"
#include "service/token/token_kind.h"
#include "service/token/verification_failure.h"

namespace captoken::mint {
namespace {

constexpr absl::string_view kRetryDelayPayload =
    "type.captoken.dev/captoken.service.RetryDelayMillis";

absl::Status AccountDenied() {
  return authz::WithRefusalReason(
      authz::RefusalReason::kAccount,
      absl::PermissionDeniedError(authz::kAccountDenied));
}

absl::Status RateLimited(absl::Duration wait) {
  const int64_t millis = absl::ToInt64Milliseconds(wait);
  absl::Status status = absl::ResourceExhaustedError(
      absl::StrCat("over this caller's rate; retry after ", millis, " ms"));
  status.SetPayload(kRetryDelayPayload, absl::Cord(absl::StrCat(millis)));
  return status;
}

void StartAudit(absl::string_view method, token::TokenKind kind,
                const authz::CallerIdentity& caller,
                absl::string_view account_sid, AuditRecord* audit) {
  audit->method = method;
  audit->kind = std::string(convert::KindLabel(kind));
  audit->caller = caller.identity;
  audit->account_sid = std::string(account_sid);
}

// A caller that presented an identity refused whatever the policies say
// (caller_identity.h) is refused before anything else, even a malformed
// request: the rejection is the first thing it needs to know, and no
// policy, not even open access, may let it through.
absl::Status RefuseRejected(const authz::CallerIdentity& caller) {
  if (caller.rejection.empty()) return absl::OkStatus();
  return authz::WithRefusalReason(authz::RefusalReason::kUnauthenticated,
                                  absl::UnauthenticatedError(caller.rejection));
}

std::string VerdictOf(const absl::Status& status) {
  return status.ok() ? "valid"
                     : std::string(token::VerificationFailureName(
                           token::VerificationFailureOf(status)));
}

}  // namespace

Fingerprint TokenFingerprint(absl::string_view token) {
  constexpr char kLowerHex[] = "0123456789abcdef";
  const token::Sha256Digest digest = token::Sha256(token);
  Fingerprint fingerprint;
  for (size_t i = 0; i < Fingerprint::kDigits / 2; ++i) {
    fingerprint.digits_[2 * i] = kLowerHex[digest[i] >> 4];
    fingerprint.digits_[2 * i + 1] = kLowerHex[digest[i] & 0xF];
  }
  fingerprint.size_ = Fingerprint::kDigits;
  return fingerprint;
}

absl::optional<absl::Duration> RetryDelay(const absl::Status& status) {
  const auto payload = status.GetPayload(kRetryDelayPayload);
  int64_t millis = 0;
  if (!payload.has_value() ||
      !absl::SimpleAtoi(std::string(*payload), &millis)) {
    return absl::nullopt;
  }
  return absl::Milliseconds(millis);
}

TokenMinter::TokenMinter(Options options,
                         std::shared_ptr<const ServingState> state)
    : options_(std::move(options)),
      state_(std::move(state)),
      rate_limiter_(options_.clock) {}

void TokenMinter::SetState(std::shared_ptr<const ServingState> state) {
  state_.Set(std::move(state));
}

absl::StatusOr<const authz::CallerPolicy*> TokenMinter::PolicyFor(
    const ServingState& state, const authz::CallerIdentity& caller) const {
  CAPTOKEN_RETURN_IF_ERROR(RefuseRejected(caller));
  if (state.callers->open()) return nullptr;
  if (caller.identity.empty()) {
    return absl::UnauthenticatedError(
        "no caller identity: present a client certificate");
  }
  const authz::CallerPolicy* policy = state.callers->Match(caller.identity);
  // Default deny, phrased like any other refused account (but counted
  // apart: an operator needs to see callers nobody configured).
  if (policy == nullptr) {
    return authz::WithRefusalReason(
        authz::RefusalReason::kUnknownCaller,
        absl::PermissionDeniedError(authz::kAccountDenied));
  }
  return policy;
}

TokenMinter::Call TokenMinter::NewCall(
    const authz::CallerIdentity& caller) const {
  std::shared_ptr<const ServingState> state = state_.Get();
  absl::StatusOr<const authz::CallerPolicy*> policy = PolicyFor(*state, caller);
  return {std::move(state), caller, std::move(policy)};
}

absl::StatusOr<const config::AccountKeys::Account*> TokenMinter::SigningAccount(
    const config::AccountKeys::Account* account) {
  if (account == nullptr || account->verify_only) return AccountDenied();
  return account;
}

token::SigningLimits TokenMinter::LimitsFor(
    const authz::CallerPolicy* policy) const {
  token::SigningLimits limits = options_.signing_limits;
  if (policy != nullptr && policy->max_ttl().has_value()) {
    limits.default_ttl = std::min(limits.default_ttl, *policy->max_ttl());
  }
  return limits;
}

absl::Status TokenMinter::TakeRate(const authz::CallerPolicy* policy,
                                   const authz::CallerIdentity& caller) const {
  if (policy == nullptr || !policy->rate_limited()) return absl::OkStatus();
  const absl::Duration wait = rate_limiter_.Acquire(
      caller.identity, policy->per_second(), policy->burst());
  if (wait > absl::ZeroDuration()) return RateLimited(wait);
  return absl::OkStatus();
}

void TokenMinter::FillResponse(token::SignedToken signed_token,
                               token::Profile profile, AuditRecord* audit,
                               v1::TokenResponse* response) {
  audit->token_fingerprint = TokenFingerprint(signed_token.token);
  response->set_token(std::move(signed_token.token));
  convert::TimeToProto(signed_token.expire_time,
                       response->mutable_expire_time());
  convert::TimeToProto(signed_token.issue_time, response->mutable_issue_time());
  response->set_profile(convert::ProfileToProto(profile));
  response->set_token_fingerprint(audit->token_fingerprint.view().data(),
                                  audit->token_fingerprint.view().size());
}

// ---- Minting ---------------------------------------------------------------
//
// Every kind runs the same steps, written once in Mint: identify the
// caller, then SignRequest (sign_request.h) counts what the request names
// against the limits, converts and checks it, and between the check and the
// signature the minter authorizes the caller, finds the key and takes the
// rate. Nothing is expanded or converted for a caller with no identity or
// no policy, or for a request over a count limit; authorization sees
// checked values, and only a request that would be signed takes a unit of
// the caller's rate. What differs for the server per kind is below, one
// entry or overload per kind.

namespace {

// The method a single call of each kind is audited under.
template <typename Request>
constexpr absl::string_view kMintMethod = "";
template <>
constexpr absl::string_view kMintMethod<v1::CapabilityRequest> =
    "MintCapabilityToken";
template <>
constexpr absl::string_view kMintMethod<v1::TaskRouterRequest> =
    "MintTaskRouterToken";
template <>
constexpr absl::string_view kMintMethod<v1::AccessTokenRequest> =
    "MintAccessToken";

// The caller-policy check of each kind's spec.
template <typename Spec>
constexpr auto kAuthorize = nullptr;
template <>
constexpr auto kAuthorize<token::CapabilitySpec> =
    &authz::CallerPolicy::AuthorizeMint;
template <>
constexpr auto kAuthorize<token::TaskRouterSpec> =
    &authz::CallerPolicy::AuthorizeTaskRouter;
template <>
constexpr auto kAuthorize<token::AccessTokenSpec> =
    &authz::CallerPolicy::AuthorizeAccessToken;

// AuditAsked records what the converted request asks for, refused or not.
void AuditAsked(const v1::CapabilityRequest& request,
                const token::CapabilitySpec& spec, AuditRecord* audit) {
  audit->scope_kinds.reserve(spec.scopes.size());
  for (const token::CapabilityScope& scope : spec.scopes) {
    audit->scope_kinds.push_back(token::ScopeKindName(scope));
  }
}

void AuditAsked(const v1::TaskRouterRequest& request,
                const token::TaskRouterSpec& spec, AuditRecord* audit) {
  audit->policy_sets.reserve(static_cast<size_t>(request.policy_sets_size()));
  for (int set : request.policy_sets()) {
    // Converted, so every set is known.
    audit->policy_sets.push_back(
        token::TaskRouterPolicySetName(*convert::PolicySetFromProto(
            "", static_cast<v1::TaskRouterPolicySet>(set))));
  }
}

void AuditAsked(const v1::AccessTokenRequest& request,
                const token::AccessTokenSpec& spec, AuditRecord* audit) {
  audit->grant_kinds.reserve(spec.grants.size());
  for (const token::AccessGrant& grant : spec.grants) {
    audit->grant_kinds.push_back(
        convert::GrantKindLabel(convert::GrantKindOf(grant)));
  }
}

// AuditNamedKey records the API key a checked request names, even if the
// caller may not use it. Only Access Token requests name one.
template <typename Request>
void AuditNamedKey(const Request& request, AuditRecord* audit) {}

void AuditNamedKey(const v1::AccessTokenRequest& request, AuditRecord* audit) {
  if (!request.api_key_sid().empty()) {
    audit->api_key_sid = request.api_key_sid();
  }
}

// SigningKey returns the account's key that signs the request: its auth
// token for capability and TaskRouter tokens...
template <typename Request>
absl::StatusOr<const token::HmacSha256Key*> SigningKey(
    const config::AccountKeys::Account& account, const Request& request,
    AuditRecord* audit) {
  return &account.auth_token;
}

// ...and for an Access Token the API key the request names, or the
// account's first that signs.
absl::StatusOr<const token::ApiKey*> SigningKey(
    const config::AccountKeys::Account& account,
    const v1::AccessTokenRequest& request, AuditRecord* audit) {
  const token::ApiKey* api_key = account.SigningApiKey(request.api_key_sid());
  if (api_key == nullptr) {
    // No key named: the account has none that signs, which the proto
    // promises looks like an unknown account.
    return request.api_key_sid().empty()
               ? AccountDenied()
               : authz::WithRefusalReason(
                     authz::RefusalReason::kApiKey,
                     absl::PermissionDeniedError(kApiKeyDenied));
  }
  audit->api_key_sid = api_key->sid();
  return api_key;
}

}  // namespace

template <typename Request>
absl::StatusOr<v1::TokenResponse> TokenMinter::MintOne(
    const Request& request, const authz::CallerIdentity& caller,
    AuditRecord* audit) const {
  v1::TokenResponse response;
  CAPTOKEN_RETURN_IF_ERROR(Mint(request, NewCall(caller), audit, &response));
  return response;
}

template <typename Request>
absl::Status TokenMinter::Mint(const Request& request, const Call& call,
                               AuditRecord* audit,
                               v1::TokenResponse* response) const {
  using Kind = RequestKind<Request>;
  StartAudit(kMintMethod<Request>, Kind::kKind, call.caller,
             request.account_sid(), audit);
  CAPTOKEN_RETURN_IF_ERROR(RefuseRejected(call.caller));
  // Who is asking, before any work.
  CAPTOKEN_ASSIGN_OR_RETURN(const authz::CallerPolicy* policy, call.policy);
  const SignOptions options = {.default_profile = options_.default_profile,
                               .limits = LimitsFor(policy),
                               .clock = options_.clock};
  auto key_for = [&](const typename Kind::Checked& checked)
      -> absl::StatusOr<const typename Kind::Key*> {
    AuditNamedKey(request, audit);
    audit->ttl_seconds = absl::ToInt64Seconds(checked.lifetime());
    // One lookup, whatever the number of accounts: the policy needs the
    // account's traits (its directory and labels) for its account sets.
    const config::AccountKeys::Account* held =
        call.state->accounts->Find(checked.spec().account_sid);
    if (policy != nullptr) {
      CAPTOKEN_RETURN_IF_ERROR((
          policy->*kAuthorize<
                       typename Kind::Spec>)(checked.spec(), checked.lifetime(),
                                             held != nullptr
                                                 ? held->traits()
                                                 : authz::AccountTraits{}));
    }
    CAPTOKEN_ASSIGN_OR_RETURN(const config::AccountKeys::Account* account,
                              SigningAccount(held));
    CAPTOKEN_ASSIGN_OR_RETURN(const typename Kind::Key* key,
                              SigningKey(*account, request, audit));
    CAPTOKEN_RETURN_IF_ERROR(TakeRate(policy, call.caller));
    return key;
  };
  auto on_converted = [&](const typename Kind::Spec& spec) {
    AuditAsked(request, spec, audit);
    audit->profile = std::string(token::ProfileName(spec.profile));
  };
  CAPTOKEN_ASSIGN_OR_RETURN(
      SignedRequest signed_request,
      SignRequest(request, options, key_for, on_converted));
  FillResponse(std::move(signed_request.token), signed_request.profile, audit,
               response);
  return absl::OkStatus();
}

absl::StatusOr<v1::TokenResponse> TokenMinter::MintCapabilityToken(
    const v1::CapabilityRequest& request, const authz::CallerIdentity& caller,
    AuditRecord* audit) const {
  return MintOne(request, caller, audit);
}

absl::StatusOr<v1::TokenResponse> TokenMinter::MintTaskRouterToken(
    const v1::TaskRouterRequest& request, const authz::CallerIdentity& caller,
    AuditRecord* audit) const {
  return MintOne(request, caller, audit);
}

absl::StatusOr<v1::TokenResponse> TokenMinter::MintAccessToken(
    const v1::AccessTokenRequest& request, const authz::CallerIdentity& caller,
    AuditRecord* audit) const {
  return MintOne(request, caller, audit);
}

// ---- BatchMint -------------------------------------------------------------

absl::Status TokenMinter::MintItem(const v1::MintRequest& request,
                                   const Call& call, AuditRecord* audit,
                                   v1::TokenResponse* response) const {
  switch (request.request_case()) {
    case v1::MintRequest::kCapability:
      return Mint(request.capability(), call, audit, response);
    case v1::MintRequest::kTaskrouter:
      return Mint(request.taskrouter(), call, audit, response);
    case v1::MintRequest::kAccess:
      return Mint(request.access(), call, audit, response);
    default:
      audit->caller = call.caller.identity;
      return absl::InvalidArgumentError(
          "request: set one of capability, taskrouter or access");
  }
}

absl::Status TokenMinter::BatchMint(const v1::BatchMintRequest& request,
                                    const authz::CallerIdentity& caller,
                                    v1::BatchMintResponse* response,
                                    BatchAudit* audit) const {
  response->Clear();
  audit->call.method = "BatchMint";
  audit->call.caller = caller.identity;
  audit->items.clear();
  audit->retry_delay.reset();
  CAPTOKEN_RETURN_IF_ERROR(RefuseRejected(caller));
  if (request.requests().empty()) {
    return absl::InvalidArgumentError("requests: at least one is required");
  }
  if (static_cast<size_t>(request.requests_size()) >
      options_.max_batch_requests) {
    return absl::InvalidArgumentError(absl::StrCat(
        "requests: more than ", options_.max_batch_requests, " in one batch"));
  }
  // One state for the whole batch: a reload never splits it.
  const Call call = NewCall(caller);
  if (!call.policy.ok()) return call.policy.status();

  // Each token is written where the response keeps it (on the call's
  // arena when gRPC's allocator provides one), never copied.
  audit->items.reserve(static_cast<size_t>(request.requests_size()));
  response->mutable_results()->Reserve(request.requests_size());
  for (int i = 0; i < request.requests_size(); ++i) {
    AuditRecord& item_audit = audit->items.emplace_back();
    v1::MintResult* result = response->add_results();
    const absl::Status minted = MintItem(request.requests(i), call, &item_audit,
                                         result->mutable_token());
    item_audit.method = "BatchMint";
    item_audit.batch_item = i;
    result->set_code(static_cast<int32_t>(minted.code()));
    if (minted.ok()) continue;
    item_audit.refusal = authz::RefusalReasonOf(minted);
    result->clear_token();
    result->set_message(std::string(minted.message()));
    if (!audit->retry_delay.has_value()) {
      audit->retry_delay = RetryDelay(minted);
    }
  }
  return absl::OkStatus();
}

// ---- VerifyToken -----------------------------------------------------------

absl::StatusOr<v1::VerifyTokenResponse> TokenMinter::VerifyToken(
    const v1::VerifyTokenRequest& request, const authz::CallerIdentity& caller,
    AuditRecord* audit) const {
  audit->method = "VerifyToken";
  audit->caller = caller.identity;
  CAPTOKEN_RETURN_IF_ERROR(RefuseRejected(caller));
  if (request.token().empty()) {
    return absl::InvalidArgumentError("token: required");
  }
  if (!request.account_sid().empty()) {
    if (absl::Status s = token::CheckSid("AC", request.account_sid());
        !s.ok()) {
      return token::InField("account_sid", s);
    }
  }
  const std::shared_ptr<const ServingState> held = state_.Get();
  const ServingState& state = *held;
  CAPTOKEN_ASSIGN_OR_RETURN(const authz::CallerPolicy* policy,
                            PolicyFor(state, caller));
  audit->token_fingerprint = TokenFingerprint(request.token());

  // The account whose keys verify: the one the request names (checked
  // before the token is even read), or else the one the token names.
  auto authorize_account = [&](absl::string_view account_sid)
      -> absl::StatusOr<const config::AccountKeys::Account*> {
    audit->account_sid = std::string(account_sid);
    const config::AccountKeys::Account* account =
        state.accounts->Find(account_sid);
    if (policy != nullptr) {
      CAPTOKEN_RETURN_IF_ERROR(policy->AuthorizeAccount(
          account_sid,
          account != nullptr ? account->traits() : authz::AccountTraits{}));
    }
    if (account == nullptr) return AccountDenied();
    return account;
  };
  const config::AccountKeys::Account* account = nullptr;
  if (!request.account_sid().empty()) {
    CAPTOKEN_ASSIGN_OR_RETURN(account,
                              authorize_account(request.account_sid()));
  }
  absl::StatusOr<token::UnverifiedRouting> routing =
      token::ReadUnverifiedRouting(request.token(),
                                   options_.max_verify_token_bytes);
  if (!routing.ok()) {
    audit->verdict = VerdictOf(routing.status());
    return convert::UnreadableTokenResponseFor(routing.status());
  }
  audit->kind = std::string(convert::KindLabel(routing->kind));
  if (account == nullptr) {
    CAPTOKEN_ASSIGN_OR_RETURN(account, authorize_account(routing->account_sid));
  }
  if (policy != nullptr) {
    CAPTOKEN_RETURN_IF_ERROR(policy->AuthorizeKind(routing->kind));
  }

  const std::vector<const token::HmacSha256Key*> auth_tokens =
      account->VerificationKeys();
  convert::VerificationKeys keys{.auth_tokens = auth_tokens};
  if (routing->kind == token::TokenKind::kAccessToken) {
    audit->api_key_sid = routing->api_key_sid;
    keys.api_key = account->VerificationApiKey(routing->api_key_sid);
  }
  CAPTOKEN_ASSIGN_OR_RETURN(
      convert::TokenVerification verification,
      convert::VerifyTokenOfKind(
          request.token(), routing->kind,
          {.clock = options_.clock,
           .max_token_bytes = options_.max_verify_token_bytes},
          request.account_sid(), keys));
  audit->verdict = VerdictOf(verification.status);
  return std::move(verification.response);
}

absl::StatusOr<v1::GetCallerPolicyResponse> TokenMinter::GetCallerPolicy(
    const authz::CallerIdentity& caller) const {
  CAPTOKEN_RETURN_IF_ERROR(RefuseRejected(caller));
  v1::GetCallerPolicyResponse response;
  response.set_identity(caller.identity);
  response.set_identity_source(caller.source);
  const std::shared_ptr<const ServingState> held = state_.Get();
  const ServingState& state = *held;
  response.set_open_access(state.callers->open());
  if (!state.callers->open() && !caller.identity.empty()) {
    if (const authz::CallerPolicy* policy =
            state.callers->Match(caller.identity)) {
      response.set_matched(true);
      *response.mutable_policy() = policy->config();
    }
  }
  return response;
}

}  // namespace captoken::mint
