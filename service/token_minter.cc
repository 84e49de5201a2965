#include "service/token_minter.h"

#include <utility>

#include "absl/strings/escaping.h"
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

absl::Status AccountDenied() {
  return absl::PermissionDeniedError(kAccountDenied);
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

TokenMinter::TokenMinter(Options options,
                         std::shared_ptr<const AccountKeys> accounts)
    : options_(std::move(options)), accounts_(std::move(accounts)) {}

void TokenMinter::SetAccounts(std::shared_ptr<const AccountKeys> accounts) {
  accounts_.Set(std::move(accounts));
}

absl::StatusOr<v1::TokenResponse> TokenMinter::MintCapabilityToken(
    const v1::CapabilityRequest& request, AuditRecord* audit) const {
  audit->method = "MintCapabilityToken";
  audit->account_sid = request.account_sid();
  CAPTOKEN_ASSIGN_OR_RETURN(
      token::CapabilitySpec spec,
      convert::CapabilitySpecFromProto(request, options_.default_profile));
  for (const token::CapabilityScope& scope : spec.scopes) {
    audit->scope_kinds.push_back(token::ScopeKindName(scope));
  }
  audit->profile = std::string(token::ProfileName(spec.profile));
  if (absl::Status s = token::CheckSid("AC", spec.account_sid); !s.ok()) {
    return token::InField("account_sid", s);
  }

  const AccountKeys::Account* account = accounts_.Get().Find(spec.account_sid);
  if (account == nullptr || account->verify_only) return AccountDenied();

  CAPTOKEN_ASSIGN_OR_RETURN(
      token::SignedToken signed_token,
      token::SignCapabilityToken(spec, account->auth_token,
                                 options_.clock->Now(),
                                 options_.signing_limits));
  audit->ttl_seconds =
      absl::ToInt64Seconds(signed_token.expire_time - signed_token.issue_time);
  audit->token_fingerprint = TokenFingerprint(signed_token.token);

  v1::TokenResponse response;
  response.set_token(std::move(signed_token.token));
  *response.mutable_expire_time() =
      convert::TimeToProto(signed_token.expire_time);
  *response.mutable_issue_time() =
      convert::TimeToProto(signed_token.issue_time);
  response.set_profile(convert::ProfileToProto(spec.profile));
  response.set_token_fingerprint(audit->token_fingerprint);
  return response;
}

absl::StatusOr<v1::VerifyTokenResponse> TokenMinter::VerifyToken(
    const v1::VerifyTokenRequest& request, AuditRecord* audit) const {
  audit->method = "VerifyToken";
  if (request.token().empty()) {
    return absl::InvalidArgumentError("token: required");
  }
  if (!request.account_sid().empty()) {
    if (absl::Status s = token::CheckSid("AC", request.account_sid());
        !s.ok()) {
      return token::InField("account_sid", s);
    }
  }
  audit->token_fingerprint = TokenFingerprint(request.token());

  token::CapabilityVerifier::Options verifier_options;
  verifier_options.jwt.clock = options_.clock;
  verifier_options.jwt.max_token_bytes = options_.max_verify_token_bytes;
  verifier_options.expected_account_sid = request.account_sid();
  CAPTOKEN_ASSIGN_OR_RETURN(
      token::CapabilityVerifier verifier,
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

  const AccountKeys::Account* account = accounts_.Get().Find(account_sid);
  if (account == nullptr) return AccountDenied();

  token::CapabilityClaims claims;
  claims.expire_time = absl::InfinitePast();
  absl::StatusOr<token::VerifiedCapabilityToken> verified =
      verifier.Verify(request.token(), account->auth_token, &claims);
  audit->verdict = verified.ok()
                       ? "valid"
                       : std::string(token::VerificationFailureName(
                             token::VerificationFailureOf(verified.status())));
  const bool authenticated = claims.expire_time != absl::InfinitePast();
  return convert::VerifyResponseFor(verified.status(),
                                    authenticated ? &claims : nullptr);
}

}  // namespace captoken::service
