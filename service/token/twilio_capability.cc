#include "service/token/twilio_capability.h"

#include <utility>

#include "service/token/capability_signer.h"
#include "service/token/field_validation.h"
#include "service/token/status_macros.h"

namespace captoken::token {

absl::StatusOr<TwilioCapability> TwilioCapability::Create(
    absl::string_view account_sid, absl::string_view auth_token,
    Options options) {
  if (absl::Status s = CheckSid("AC", account_sid); !s.ok()) {
    return InField("account_sid", s);
  }
  if (auth_token.empty()) {
    return absl::InvalidArgumentError("auth_token: required");
  }
  if (options.clock == nullptr) {
    return absl::InvalidArgumentError("clock: required");
  }
  CAPTOKEN_ASSIGN_OR_RETURN(HmacSha256Key key,
                            HmacSha256Key::Create(auth_token));
  return TwilioCapability(std::string(account_sid), std::move(key),
                          std::move(options));
}

TwilioCapability::TwilioCapability(std::string account_sid, HmacSha256Key key,
                                   Options options)
    : key_(std::move(key)), options_(std::move(options)) {
  spec_.account_sid = std::move(account_sid);
  spec_.profile = options_.profile;
  spec_.omit_not_before = options_.omit_not_before;
}

TwilioCapability& TwilioCapability::AllowClientIncoming(
    absl::string_view client_name) {
  spec_.scopes.push_back(ClientIncomingScope{std::string(client_name)});
  return *this;
}

TwilioCapability& TwilioCapability::AllowClientOutgoing(
    absl::string_view application_sid, std::vector<Param> params) {
  return AllowClientOutgoing(
      ClientOutgoingScope{std::string(application_sid), std::move(params), ""});
}

TwilioCapability& TwilioCapability::AllowClientOutgoing(
    ClientOutgoingScope scope) {
  spec_.scopes.push_back(std::move(scope));
  return *this;
}

TwilioCapability& TwilioCapability::AllowEventStream(
    std::vector<Param> filters) {
  spec_.scopes.push_back(EventStreamScope{std::move(filters)});
  return *this;
}

absl::StatusOr<std::string> TwilioCapability::Generate() const {
  return Sign(spec_);
}

absl::StatusOr<std::string> TwilioCapability::Generate(
    absl::Duration ttl) const {
  CapabilitySpec spec = spec_;
  spec.ttl = ttl;
  return Sign(std::move(spec));
}

absl::StatusOr<std::string> TwilioCapability::GenerateUntil(
    absl::Time expire_time) const {
  CapabilitySpec spec = spec_;
  spec.expire_time = expire_time;
  return Sign(std::move(spec));
}

absl::StatusOr<std::string> TwilioCapability::Sign(CapabilitySpec spec) const {
  CAPTOKEN_ASSIGN_OR_RETURN(
      SignedToken signed_token,
      SignCapabilityToken(spec, key_, options_.clock->Now(), options_.limits));
  return std::move(signed_token.token);
}

}  // namespace captoken::token
