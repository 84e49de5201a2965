#include "service/token/access_token_signer.h"

#include <string>
#include <variant>

#include "absl/strings/str_cat.h"
#include "service/token/internal/base64url.h"
#include "service/token/internal/json_writer.h"
#include "service/token/internal/verbatim_json.h"
#include "service/token/jwt.h"
#include "service/token/status_macros.h"

namespace captoken::token {
namespace {

constexpr absl::string_view kContentType = "twilio-fpa;v=1";

// Writes `key`: `value` unless `value` is empty (the SDKs leave out falsy
// options).
void OptionalMember(absl::string_view key, absl::string_view value,
                    internal::JsonWriter* writer) {
  if (value.empty()) return;
  writer->Key(key);
  writer->String(value);
}

class GrantWriter {
 public:
  GrantWriter(bool node, internal::JsonWriter* writer)
      : node_(node), writer_(writer) {}

  void operator()(const VoiceGrant& grant) const {
    writer_->BeginObject();
    if (grant.incoming_allow) {
      writer_->Key("incoming");
      writer_->BeginObject();
      writer_->Key("allow");
      writer_->Bool(true);
      writer_->EndObject();
    }
    if (!grant.outgoing_application_sid.empty()) {
      writer_->Key("outgoing");
      writer_->BeginObject();
      writer_->Key("application_sid");
      writer_->String(grant.outgoing_application_sid);
      // Node copies any params object it is given; python tests the dict's
      // truth, so an empty one is left out.
      if (grant.outgoing_application_params.has_value() &&
          (node_ ||
           !grant.outgoing_application_params->member_names().empty())) {
        writer_->Key("params");
        internal::AppendVerbatimJson(*grant.outgoing_application_params,
                                     writer_);
      }
      writer_->EndObject();
    }
    OptionalMember("push_credential_sid", grant.push_credential_sid, writer_);
    OptionalMember("endpoint_id", grant.endpoint_id, writer_);
    writer_->EndObject();
  }

  void operator()(const ChatGrant& grant) const {
    writer_->BeginObject();
    OptionalMember("service_sid", grant.service_sid, writer_);
    OptionalMember("endpoint_id", grant.endpoint_id, writer_);
    OptionalMember("deployment_role_sid", grant.deployment_role_sid, writer_);
    OptionalMember("push_credential_sid", grant.push_credential_sid, writer_);
    writer_->EndObject();
  }

  void operator()(const VideoGrant& grant) const {
    writer_->BeginObject();
    OptionalMember("room", grant.room, writer_);
    OptionalMember("configuration_profile_sid", grant.configuration_profile_sid,
                   writer_);
    writer_->EndObject();
  }

  void operator()(const SyncGrant& grant) const {
    writer_->BeginObject();
    OptionalMember("service_sid", grant.service_sid, writer_);
    OptionalMember("endpoint_id", grant.endpoint_id, writer_);
    writer_->EndObject();
  }

  void operator()(const TaskRouterGrant& grant) const {
    writer_->BeginObject();
    OptionalMember("workspace_sid", grant.workspace_sid, writer_);
    OptionalMember("worker_sid", grant.worker_sid, writer_);
    OptionalMember("role", grant.role, writer_);
    writer_->EndObject();
  }

  void operator()(const PlaybackGrant& grant) const {
    internal::AppendVerbatimJson(grant.grant, writer_);
  }

 private:
  bool node_;
  internal::JsonWriter* writer_;
};

// {"identity": ..., then one member per grant kind in order of first
// appearance, holding the kind's last grant}: an object assignment in both
// JavaScript and Python. twilio-python 6+ builds the grants by a dict
// comprehension and only then sets the identity, so it comes last there.
void WriteGrants(const AccessTokenSpec& spec, internal::JsonWriter* writer) {
  const bool node = spec.profile == Profile::kTwilioNode;
  const bool identity_last = WritesDefaultNotBefore(spec.profile);
  writer->BeginObject();
  if (!identity_last) {
    writer->Key("identity");
    writer->String(spec.identity);
  }
  const std::vector<AccessGrant>& grants = spec.grants;
  for (size_t i = 0; i < grants.size(); ++i) {
    bool seen = false;
    for (size_t j = 0; j < i && !seen; ++j) {
      seen = grants[j].index() == grants[i].index();
    }
    if (seen) continue;
    size_t last = i;
    for (size_t j = i + 1; j < grants.size(); ++j) {
      if (grants[j].index() == grants[i].index()) last = j;
    }
    writer->Key(GrantKey(grants[last]));
    std::visit(GrantWriter(node, writer), grants[last]);
  }
  if (identity_last) {
    writer->Key("identity");
    writer->String(spec.identity);
  }
  writer->EndObject();
}

// The JSON style of a profile's header and claims.
internal::JsonStyle StyleOf(Profile profile) {
  switch (profile) {
    case Profile::kTwilioNode:
      return internal::JsonStyle::kJavaScript;
    case Profile::kTwilioPython:
      return internal::JsonStyle::kPythonDumps;
    case Profile::kTwilioPython6:
    case Profile::kTwilioPython7:
      break;
  }
  return internal::JsonStyle::kPythonCompact;
}

std::string EncodedHeader(const AccessTokenSpec& spec) {
  std::string json;
  internal::JsonWriter writer(StyleOf(spec.profile), &json);
  writer.BeginObject();
  if (spec.profile == Profile::kTwilioPython7) {
    // PyJWT 2.5+ sorts the header keys.
    writer.Key("alg");
    writer.String(kAccessTokenAlgorithm);
    writer.Key("cty");
    writer.String(kContentType);
    OptionalMember("twr", spec.region, &writer);
    writer.Key("typ");
    writer.String("JWT");
    writer.EndObject();
  } else {
    // jsonwebtoken puts alg first; twilio-python 5.x's encoder and PyJWT
    // 1.x (twilio-python 6.x) start from {"typ": "JWT", "alg": ...} and
    // update() it with the token's own headers.
    if (spec.profile == Profile::kTwilioNode) {
      writer.Key("alg");
      writer.String(kAccessTokenAlgorithm);
      writer.Key("typ");
      writer.String("JWT");
    } else {
      writer.Key("typ");
      writer.String("JWT");
      writer.Key("alg");
      writer.String(kAccessTokenAlgorithm);
    }
    writer.Key("cty");
    writer.String(kContentType);
    OptionalMember("twr", spec.region, &writer);
    writer.EndObject();
  }
  std::string encoded;
  internal::AppendBase64Url(json, &encoded);
  return encoded;
}

void WriteNodeClaims(const CheckedAccessToken& checked, absl::string_view jti,
                     absl::string_view key_sid, internal::JsonWriter* writer) {
  const AccessTokenSpec& spec = checked.spec();
  writer->BeginObject();
  writer->Key("jti");
  writer->String(jti);
  writer->Key("grants");
  WriteGrants(spec, writer);
  if (spec.not_before.has_value()) {
    writer->Key("nbf");
    writer->Int(absl::ToUnixSeconds(*spec.not_before));
  }
  writer->Key("iat");
  writer->Int(absl::ToUnixSeconds(checked.issue_time()));
  writer->Key("exp");
  writer->Int(absl::ToUnixSeconds(checked.expire_time()));
  writer->Key("iss");
  writer->String(key_sid);
  writer->Key("sub");
  writer->String(spec.account_sid);
  writer->EndObject();
}

void WritePythonClaims(const CheckedAccessToken& checked, absl::string_view jti,
                       absl::string_view key_sid,
                       internal::JsonWriter* writer) {
  const AccessTokenSpec& spec = checked.spec();
  writer->BeginObject();
  writer->Key("jti");
  writer->String(jti);
  writer->Key("iss");
  writer->String(key_sid);
  writer->Key("sub");
  writer->String(spec.account_sid);
  writer->Key("exp");
  writer->Int(absl::ToUnixSeconds(checked.expire_time()));
  writer->Key("grants");
  WriteGrants(spec, writer);
  if (spec.not_before.has_value()) {
    writer->Key("nbf");
    writer->Int(absl::ToUnixSeconds(*spec.not_before));
  }
  writer->EndObject();
}

// twilio-python 6+'s AccessToken payload {jti, grants}, to which its Jwt
// adds iss, exp, nbf (the signing time unless given or turned off) and sub.
void WritePython6Claims(const CheckedAccessToken& checked,
                        absl::string_view jti, absl::string_view key_sid,
                        internal::JsonWriter* writer) {
  const AccessTokenSpec& spec = checked.spec();
  writer->BeginObject();
  writer->Key("jti");
  writer->String(jti);
  writer->Key("grants");
  WriteGrants(spec, writer);
  writer->Key("iss");
  writer->String(key_sid);
  writer->Key("exp");
  writer->Int(absl::ToUnixSeconds(checked.expire_time()));
  if (spec.not_before.has_value()) {
    writer->Key("nbf");
    writer->Int(absl::ToUnixSeconds(*spec.not_before));
  } else if (!spec.omit_not_before) {
    writer->Key("nbf");
    writer->Int(absl::ToUnixSeconds(checked.issue_time()));
  }
  writer->Key("sub");
  writer->String(spec.account_sid);
  writer->EndObject();
}

}  // namespace

absl::StatusOr<CheckedAccessToken> CheckAccessToken(
    const AccessTokenSpec& spec, absl::Time now, const SigningLimits& limits) {
  CAPTOKEN_RETURN_IF_ERROR(ValidateAccessTokenSpec(spec, limits));
  CAPTOKEN_ASSIGN_OR_RETURN(
      absl::Time expire_time,
      ResolveLifetime(spec.ttl, spec.expire_time, now, limits));
  if (spec.not_before.has_value() && *spec.not_before >= expire_time) {
    // The token would never be valid.
    return absl::InvalidArgumentError("not_before: must be before the expiry");
  }
  return CheckedAccessToken(
      &spec, absl::FromUnixSeconds(absl::ToUnixSeconds(now)), expire_time);
}

absl::StatusOr<SignedToken> SignCheckedAccessToken(
    const CheckedAccessToken& checked, const ApiKey& api_key,
    const SigningLimits& limits) {
  const AccessTokenSpec& spec = checked.spec();
  const std::string jti = absl::StrCat(
      api_key.sid(), "-", absl::ToUnixSeconds(checked.issue_time()));
  std::string payload;
  internal::JsonWriter writer(StyleOf(spec.profile), &payload);
  switch (spec.profile) {
    case Profile::kTwilioNode:
      WriteNodeClaims(checked, jti, api_key.sid(), &writer);
      break;
    case Profile::kTwilioPython:
      WritePythonClaims(checked, jti, api_key.sid(), &writer);
      break;
    case Profile::kTwilioPython6:
    case Profile::kTwilioPython7:
      WritePython6Claims(checked, jti, api_key.sid(), &writer);
      break;
  }
  SignedToken signed_token{
      .token = SignHs256Jwt(EncodedHeader(spec), payload, api_key.hmac_key()),
      .issue_time = checked.issue_time(),
      .expire_time = checked.expire_time(),
  };
  CAPTOKEN_RETURN_IF_ERROR(
      CheckTokenSize(signed_token.token, "grants", limits));
  return signed_token;
}

absl::StatusOr<SignedToken> SignAccessToken(const AccessTokenSpec& spec,
                                            const ApiKey& api_key,
                                            absl::Time now,
                                            const SigningLimits& limits) {
  CAPTOKEN_ASSIGN_OR_RETURN(CheckedAccessToken checked,
                            CheckAccessToken(spec, now, limits));
  return SignCheckedAccessToken(checked, api_key, limits);
}

}  // namespace captoken::token
