#include "service/token/api_key.h"

#include "service/token/field_validation.h"
#include "service/token/status_macros.h"

namespace captoken::token {

absl::StatusOr<ApiKey> ApiKey::Create(absl::string_view sid,
                                      absl::string_view secret) {
  if (absl::Status s = CheckSid("SK", sid); !s.ok()) {
    return InField("api_key_sid", s);
  }
  if (secret.empty()) {
    return absl::InvalidArgumentError("api_key_secret: required");
  }
  CAPTOKEN_ASSIGN_OR_RETURN(HmacSha256Key hmac_key,
                            HmacSha256Key::Create(secret));
  return ApiKey(std::string(sid), std::move(hmac_key));
}

}  // namespace captoken::token
