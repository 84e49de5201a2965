#include "service/token/access_token_verifier.h"

#include <initializer_list>
#include <string>
#include <utility>

#include "service/token/field_validation.h"
#include "service/token/internal/time_claims.h"
#include "service/token/status_macros.h"
#include "service/token/verification_failure.h"

namespace captoken::token {
namespace {

constexpr absl::string_view kContentType = "twilio-fpa;v=1";

absl::Status Malformed(absl::string_view problem) {
  return VerificationError(VerificationFailure::kMalformed, problem);
}

// Reads the members of a grant object: `read` is called with each member's
// name and value and returns false for a name it does not know.
template <typename Read>
absl::Status ReadMembers(const JsonValue& object, Read read) {
  if (!object.is_object()) return Malformed("grant is not an object");
  for (size_t i = 0; i < object.member_names().size(); ++i) {
    CAPTOKEN_ASSIGN_OR_RETURN(
        bool known, read(object.member_names()[i], object.member_values()[i]));
    if (!known) return Malformed("unexpected grant member");
  }
  return absl::OkStatus();
}

// For a string member: stores it in `*out`, or fails.
absl::StatusOr<bool> Text(const JsonValue& value, std::string* out) {
  if (!value.is_string()) return Malformed("grant member is not a string");
  *out = value.text();
  return true;
}

absl::Status ReadOutgoing(const JsonValue& object, VoiceGrant* grant) {
  return ReadMembers(object,
                     [grant](const std::string& name,
                             const JsonValue& value) -> absl::StatusOr<bool> {
                       if (name == "application_sid") {
                         return Text(value, &grant->outgoing_application_sid);
                       }
                       if (name == "params") {
                         if (!value.is_object()) {
                           return Malformed("voice params is not an object");
                         }
                         grant->outgoing_application_params = value;
                         return true;
                       }
                       return false;
                     });
}

absl::StatusOr<VoiceGrant> ReadVoice(const JsonValue& object) {
  VoiceGrant grant;
  CAPTOKEN_RETURN_IF_ERROR(ReadMembers(
      object,
      [&grant](const std::string& name,
               const JsonValue& value) -> absl::StatusOr<bool> {
        if (name == "incoming") {
          const JsonValue* allow = value.Find("allow");
          if (!value.is_object() || value.member_names().size() != 1 ||
              allow == nullptr || !allow->is_bool()) {
            return Malformed("voice incoming is not {\"allow\": boolean}");
          }
          grant.incoming_allow = allow->bool_value();
          return true;
        }
        if (name == "outgoing") {
          if (absl::Status s = ReadOutgoing(value, &grant); !s.ok()) return s;
          return true;
        }
        if (name == "push_credential_sid") {
          return Text(value, &grant.push_credential_sid);
        }
        if (name == "endpoint_id") return Text(value, &grant.endpoint_id);
        return false;
      }));
  return grant;
}

// A grant member that holds text, and the grant field it fills.
template <typename Grant>
struct TextMember {
  absl::string_view name;
  std::string Grant::*field;
};

// Reads a grant whose members are all text (chat, video, data_sync,
// task_router): each member must be one of `members`.
template <typename Grant>
absl::StatusOr<Grant> ReadTextGrant(
    const JsonValue& object, std::initializer_list<TextMember<Grant>> members) {
  Grant grant;
  CAPTOKEN_RETURN_IF_ERROR(ReadMembers(
      object,
      [&grant, members](const std::string& name,
                        const JsonValue& value) -> absl::StatusOr<bool> {
        for (const TextMember<Grant>& member : members) {
          if (name == member.name) return Text(value, &(grant.*member.field));
        }
        return false;
      }));
  return grant;
}

absl::StatusOr<ChatGrant> ReadChat(const JsonValue& object) {
  return ReadTextGrant<ChatGrant>(
      object, {{"service_sid", &ChatGrant::service_sid},
               {"endpoint_id", &ChatGrant::endpoint_id},
               {"deployment_role_sid", &ChatGrant::deployment_role_sid},
               {"push_credential_sid", &ChatGrant::push_credential_sid}});
}

absl::StatusOr<VideoGrant> ReadVideo(const JsonValue& object) {
  return ReadTextGrant<VideoGrant>(
      object,
      {{"room", &VideoGrant::room},
       {"configuration_profile_sid", &VideoGrant::configuration_profile_sid}});
}

absl::StatusOr<SyncGrant> ReadSync(const JsonValue& object) {
  return ReadTextGrant<SyncGrant>(object,
                                  {{"service_sid", &SyncGrant::service_sid},
                                   {"endpoint_id", &SyncGrant::endpoint_id}});
}

absl::StatusOr<TaskRouterGrant> ReadTaskRouter(const JsonValue& object) {
  return ReadTextGrant<TaskRouterGrant>(
      object, {{"workspace_sid", &TaskRouterGrant::workspace_sid},
               {"worker_sid", &TaskRouterGrant::worker_sid},
               {"role", &TaskRouterGrant::role}});
}

absl::Status ReadGrants(const JsonValue& grants, AccessTokenClaims* claims) {
  if (!grants.is_object()) return Malformed("grants is not an object");
  for (size_t i = 0; i < grants.member_names().size(); ++i) {
    const std::string& key = grants.member_names()[i];
    const JsonValue& value = grants.member_values()[i];
    if (key == "identity") {
      if (!value.is_string()) return Malformed("identity is not a string");
      claims->identity = value.text();
    } else if (key == "voice") {
      CAPTOKEN_ASSIGN_OR_RETURN(VoiceGrant grant, ReadVoice(value));
      claims->grants.push_back(std::move(grant));
    } else if (key == "chat") {
      CAPTOKEN_ASSIGN_OR_RETURN(ChatGrant grant, ReadChat(value));
      claims->grants.push_back(std::move(grant));
    } else if (key == "video") {
      CAPTOKEN_ASSIGN_OR_RETURN(VideoGrant grant, ReadVideo(value));
      claims->grants.push_back(std::move(grant));
    } else if (key == "data_sync") {
      CAPTOKEN_ASSIGN_OR_RETURN(SyncGrant grant, ReadSync(value));
      claims->grants.push_back(std::move(grant));
    } else if (key == "task_router") {
      CAPTOKEN_ASSIGN_OR_RETURN(TaskRouterGrant grant, ReadTaskRouter(value));
      claims->grants.push_back(std::move(grant));
    } else if (key == "player") {
      if (!value.is_object()) return Malformed("grant is not an object");
      claims->grants.push_back(PlaybackGrant{value});
    } else if (key == "ip_messaging" || key == "rtc") {
      if (!value.is_object()) return Malformed("grant is not an object");
      claims->legacy_grants.push_back({key, value});
    } else {
      return Malformed("unexpected grant");
    }
  }
  return absl::OkStatus();
}

// Reads the header members besides alg and typ, which the JWT layer
// checked.
absl::Status ReadHeader(absl::string_view header_json,
                        AccessTokenClaims* claims) {
  absl::StatusOr<JsonValue> header = ParseJson(header_json);
  if (!header.ok()) return Malformed("header: not JSON");
  const JsonValue* cty = header->Find("cty");
  if (cty == nullptr || !cty->is_string() || cty->text() != kContentType) {
    return VerificationError(VerificationFailure::kUnsupportedHeader,
                             "header: cty is not twilio-fpa;v=1");
  }
  if (const JsonValue* twr = header->Find("twr"); twr != nullptr) {
    if (!twr->is_string()) {
      return VerificationError(VerificationFailure::kUnsupportedHeader,
                               "header: twr is not a string");
    }
    claims->region = twr->text();
  }
  return absl::OkStatus();
}

absl::StatusOr<AccessTokenClaims> ReadAccessTokenClaims(
    const VerifiedJwt& jwt) {
  AccessTokenClaims claims;
  claims.expire_time = jwt.times.expire_time;
  claims.issue_time = jwt.times.issue_time;
  claims.not_before = jwt.times.not_before;
  CAPTOKEN_RETURN_IF_ERROR(ReadHeader(jwt.jwt.header_json, &claims));

  const JsonValue& payload = jwt.jwt.payload;
  bool has_jti = false;
  bool has_grants = false;
  for (size_t i = 0; i < payload.member_names().size(); ++i) {
    const std::string& name = payload.member_names()[i];
    const JsonValue& value = payload.member_values()[i];
    if (name == "jti") {
      if (!value.is_string()) return Malformed("jti is not a string");
      claims.token_id = value.text();
      has_jti = true;
    } else if (name == "iss") {
      if (!value.is_string() || !IsSid("SK", value.text())) {
        return Malformed("iss is not an API key SID");
      }
      claims.api_key_sid = value.text();
    } else if (name == "sub") {
      if (!value.is_string() || !IsSid("AC", value.text())) {
        return Malformed("sub is not an account SID");
      }
      claims.account_sid = value.text();
    } else if (name == "grants") {
      CAPTOKEN_RETURN_IF_ERROR(ReadGrants(value, &claims));
      has_grants = true;
    } else if (!internal::IsTimeClaim(name)) {
      return Malformed("unexpected claim");
    }
  }
  if (!has_jti) return Malformed("no jti claim");
  if (claims.api_key_sid.empty()) return Malformed("no iss claim");
  if (claims.account_sid.empty()) return Malformed("no sub claim");
  if (!has_grants) return Malformed("no grants claim");
  return claims;
}

}  // namespace

absl::StatusOr<AccessTokenVerifier> AccessTokenVerifier::Create(
    Options options) {
  CAPTOKEN_ASSIGN_OR_RETURN(
      JwtVerifier jwt_verifier,
      JwtVerifier::CreateForAccount(options.jwt, options.expected_account_sid));
  return AccessTokenVerifier(std::move(jwt_verifier),
                             std::move(options.expected_account_sid));
}

absl::StatusOr<VerifiedAccessToken> AccessTokenVerifier::Verify(
    absl::string_view token, absl::Span<const ApiKey* const> keys,
    AccessTokenClaims* authenticated_claims) const {
  // Each key is tried on its own so that we know which one matched: iss
  // must name it. Everything before the MAC check is the same for every
  // key, so only a bad signature moves on to the next key.
  absl::StatusOr<VerifiedJwt> jwt = VerificationError(
      VerificationFailure::kBadSignature, "signature does not match");
  const ApiKey* matched = nullptr;
  for (const ApiKey* key : keys) {
    const HmacSha256Key* hmac_keys[] = {&key->hmac_key()};
    jwt = jwt_verifier_.Authenticate(token, hmac_keys, kTwilioHeaderExtras);
    if (jwt.ok()) {
      matched = key;
      break;
    }
    if (VerificationFailureOf(jwt.status()) !=
        VerificationFailure::kBadSignature) {
      break;
    }
  }
  if (!jwt.ok()) return jwt.status();
  CAPTOKEN_ASSIGN_OR_RETURN(AccessTokenClaims claims,
                            ReadAccessTokenClaims(*jwt));
  if (claims.api_key_sid != matched->sid()) {
    return VerificationError(VerificationFailure::kBadSignature,
                             "iss is not the key that signed the token");
  }
  if (authenticated_claims != nullptr) *authenticated_claims = claims;

  if (!expected_account_sid_.empty() &&
      claims.account_sid != expected_account_sid_) {
    return VerificationError(VerificationFailure::kWrongAccount,
                             "sub is not the expected account");
  }
  CAPTOKEN_RETURN_IF_ERROR(jwt_verifier_.CheckTimes(jwt->times));
  return VerifiedAccessToken(std::move(claims));
}

}  // namespace captoken::token
