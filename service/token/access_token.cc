#include "service/token/access_token.h"

#include <utility>

#include "service/token/access_token_signer.h"
#include "service/token/field_validation.h"
#include "service/token/status_macros.h"

namespace captoken::token {

absl::StatusOr<AccessToken> AccessToken::Create(
    absl::string_view account_sid, absl::string_view api_key_sid,
    absl::string_view api_key_secret, absl::string_view identity,
    Options options) {
  if (absl::Status s = CheckSid("AC", account_sid); !s.ok()) {
    return InField("account_sid", s);
  }
  CAPTOKEN_ASSIGN_OR_RETURN(ApiKey api_key,
                            ApiKey::Create(api_key_sid, api_key_secret));
  CAPTOKEN_RETURN_IF_ERROR(CheckIdentity(identity, options.limits));
  if (options.clock == nullptr) {
    return absl::InvalidArgumentError("clock: required");
  }
  AccessTokenSpec spec;
  spec.account_sid = std::string(account_sid);
  spec.identity = std::string(identity);
  spec.profile = options.profile;
  spec.ttl = options.ttl;
  spec.not_before = options.not_before;
  spec.omit_not_before = options.omit_not_before;
  spec.region = options.region;
  return AccessToken(std::move(spec), std::move(api_key), std::move(options));
}

AccessToken& AccessToken::AddGrant(AccessGrant grant) {
  spec_.grants.push_back(std::move(grant));
  return *this;
}

absl::StatusOr<std::string> AccessToken::ToJwt() const {
  return ToJwt(kAccessTokenAlgorithm);
}

absl::StatusOr<std::string> AccessToken::ToJwt(
    absl::string_view algorithm) const {
  AccessTokenSpec spec = spec_;
  spec.algorithm = std::string(algorithm);
  CAPTOKEN_ASSIGN_OR_RETURN(
      SignedToken signed_token,
      SignAccessToken(spec, api_key_, options_.clock->Now(), options_.limits));
  return std::move(signed_token.token);
}

}  // namespace captoken::token
