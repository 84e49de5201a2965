#include "service/token_minter.h"

#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "service/convert/capability_request.h"
#include "service/convert/verify_response.h"
#include "service/token/capability_signer.h"
#include "service/token/capability_verifier.h"
#include "service/token/crypto.h"
#include "service/token/field_validation.h"
#include "service/token/jwt.h"
#include "service/token/status_macros.h"
#include "service/token/verification_failure.h"

namespace captoken::service {
namespace {

constexpr absl::string_view kRetryDelayPayload =
    "type.captoken.dev/captoken.service.RetryDelayMillis";

absl::Status AccountDenied() {
  return absl::PermissionDeniedError(kAccountDenied);
}

absl::Status RateLimited(absl::Duration wait) {
  const int64_t millis = absl::ToInt64Milliseconds(wait);
  absl::Status status = absl::ResourceExhaustedError(
      absl::StrCat("over this caller's rate; retry after ", millis, " ms"));
  status.SetPayload(kRetryDelayPayload, absl::Cord(absl::StrCat(millis)));
  return status;
}

// The account a token names in `iss`, read before verification only to pick
// the key; the MAC check then proves it. Fails with the verification failure
// (too large, malformed) if the token cannot name one.
absl::StatusOr<std::string> UnverifiedIssuer(absl::string_view token,
                                             size_t max_bytes) {
  CAPTOKEN_ASSIGN_OR_RETURN(token::JwtSegments segments,
                            token::SplitCompactJwt(token, max_bytes));
  CAPTOKEN_ASSIGN_OR_RETURN(token::DecodedJwt jwt, token::DecodeJwt(segments));
  const token::JsonValue* iss = jwt.payload.Find("iss");
  if (iss == nullptr || !iss->is_string() || !token::IsSid("AC", iss->text())) {
    return token::VerificationError(token::VerificationFailure::kMalformed,
                                    "iss is not an account SID");
  }
  return iss->text();
}

}  // namespace

std::string TokenFingerprint(absl::string_view token) {
  const token::Sha256Digest digest = token::Sha256(token);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), 8));
}

absl::optional<absl::Duration> RetryDelay(const absl::Status& status) {
  const auto payload = status.GetPayload(kRetryDelayPayload);
  int64_t millis = 0;
  if (!payload.has_value() || !absl::SimpleAtoi(std::string(*payload), &millis)) {
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

absl::StatusOr<const CallerPolicy*> TokenMinter::PolicyFor(
    const ServingState& state, const CallerIdentity& caller) const {
  if (state.callers->open()) return nullptr;
  if (caller.identity.empty()) {
    return absl::UnauthenticatedError(
        "no caller identity: present a client certificate");
  }
  const CallerPolicy* policy = state.callers->Match(caller.identity);
  // Default deny, phrased like any other refused account.
  if (policy == nullptr) return AccountDenied();
  return policy;
}

absl::StatusOr<v1::TokenResponse> TokenMinter::MintCapabilityToken(
    const v1::CapabilityRequest& request, const CallerIdentity& caller,
    AuditRecord* audit) const {
  audit->method = "MintCapabilityToken";
  audit->caller = caller.identity;
  audit->account_sid = request.account_sid();
  CAPTOKEN_ASSIGN_OR_RETURN(
      token::CapabilitySpec spec,
      convert::CapabilitySpecFromProto(request, options_.default_profile));
  for (const token::CapabilityScope& scope : spec.scopes) {
    audit->scope_kinds.push_back(token::ScopeKindName(scope));
  }
  audit->profile = std::string(token::ProfileName(spec.profile));

  // Validate the request, then authorize it, then sign: a malformed request
  // is told so whoever sends it, and authorization sees checked values.
  const absl::Time now = options_.clock->Now();
  const ServingState& state = state_.Get();
  CAPTOKEN_ASSIGN_OR_RETURN(const CallerPolicy* policy,
                            PolicyFor(state, caller));
  token::SigningLimits limits = options_.signing_limits;
  if (policy != nullptr && policy->max_ttl().has_value()) {
    // A request without a lifetime gets the default, shortened to fit.
    limits.default_ttl = std::min(limits.default_ttl, *policy->max_ttl());
  }
  CAPTOKEN_ASSIGN_OR_RETURN(token::CheckedCapability checked,
                            token::CheckCapability(spec, now, limits));
  audit->ttl_seconds = absl::ToInt64Seconds(checked.lifetime());

  if (policy != nullptr) {
    CAPTOKEN_RETURN_IF_ERROR(policy->AuthorizeMint(spec, checked.lifetime()));
  }
  const AccountKeys::Account* account = state.accounts->Find(spec.account_sid);
  if (account == nullptr || account->verify_only) return AccountDenied();
  if (policy != nullptr && policy->rate_limited()) {
    const absl::Duration wait = rate_limiter_.Acquire(
        caller.identity, policy->per_second(), policy->burst());
    if (wait > absl::ZeroDuration()) return RateLimited(wait);
  }

  CAPTOKEN_ASSIGN_OR_RETURN(
      token::SignedToken signed_token,
      token::SignCheckedCapability(checked, account->auth_token, limits));
  audit->token_fingerprint = TokenFingerprint(signed_token.token);

  v1::TokenResponse response;
  response.set_token(std::move(signed_token.token));
  *response.mutable_expire_time() =
      convert::TimeToProto(signed_token.expire_time);
  *response.mutable_issue_time() = convert::TimeToProto(signed_token.issue_time);
  response.set_profile(convert::ProfileToProto(spec.profile));
  response.set_token_fingerprint(audit->token_fingerprint);
  return response;
}

absl::StatusOr<v1::VerifyTokenResponse> TokenMinter::VerifyToken(
    const v1::VerifyTokenRequest& request, const CallerIdentity& caller,
    AuditRecord* audit) const {
  audit->method = "VerifyToken";
  audit->caller = caller.identity;
  if (request.token().empty()) {
    return absl::InvalidArgumentError("token: required");
  }
  if (!request.account_sid().empty()) {
    if (absl::Status s = token::CheckSid("AC", request.account_sid());
        !s.ok()) {
      return token::InField("account_sid", s);
    }
  }
  const ServingState& state = state_.Get();
  CAPTOKEN_ASSIGN_OR_RETURN(const CallerPolicy* policy,
                            PolicyFor(state, caller));
  audit->token_fingerprint = TokenFingerprint(request.token());

  token::CapabilityVerifier::Options verifier_options;
  verifier_options.jwt.clock = options_.clock;
  verifier_options.jwt.max_token_bytes = options_.max_verify_token_bytes;
  verifier_options.expected_account_sid = request.account_sid();
  CAPTOKEN_ASSIGN_OR_RETURN(token::CapabilityVerifier verifier,
                            token::CapabilityVerifier::Create(verifier_options));

  // The key comes from the requested account, or else from the account the
  // token names.
  std::string account_sid = request.account_sid();
  if (account_sid.empty()) {
    absl::StatusOr<std::string> issuer =
        UnverifiedIssuer(request.token(), options_.max_verify_token_bytes);
    if (!issuer.ok()) {
      audit->verdict = std::string(token::VerificationFailureName(
          token::VerificationFailureOf(issuer.status())));
      return convert::VerifyResponseFor(issuer.status(), nullptr);
    }
    account_sid = *std::move(issuer);
  }
  audit->account_sid = account_sid;

  if (policy != nullptr) {
    CAPTOKEN_RETURN_IF_ERROR(policy->AuthorizeAccount(account_sid));
  }
  const AccountKeys::Account* account = state.accounts->Find(account_sid);
  if (account == nullptr) return AccountDenied();

  token::CapabilityClaims claims;
  claims.expire_time = absl::InfinitePast();
  absl::StatusOr<token::VerifiedCapabilityToken> verified =
      verifier.Verify(request.token(), account->VerificationKeys(), &claims);
  audit->verdict =
      verified.ok() ? "valid"
                    : std::string(token::VerificationFailureName(
                          token::VerificationFailureOf(verified.status())));
  const bool authenticated = claims.expire_time != absl::InfinitePast();
  return convert::VerifyResponseFor(verified.status(),
                                    authenticated ? &claims : nullptr);
}

v1::GetCallerPolicyResponse TokenMinter::GetCallerPolicy(
    const CallerIdentity& caller) const {
  v1::GetCallerPolicyResponse response;
  response.set_identity(caller.identity);
  response.set_identity_source(caller.source);
  const ServingState& state = state_.Get();
  response.set_open_access(state.callers->open());
  if (!state.callers->open() && !caller.identity.empty()) {
    if (const CallerPolicy* policy = state.callers->Match(caller.identity)) {
      response.set_matched(true);
      *response.mutable_policy() = policy->config();
    }
  }
  return response;
}

}  // namespace captoken::service
