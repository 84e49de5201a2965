#include "service/token/access_token_spec.h"

#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "service/token/field_validation.h"
#include "service/token/internal/verbatim_json.h"

namespace captoken::token {
namespace {

constexpr size_t kMaxRegionBytes = 64;

// Each check below returns the problem with a field path relative to the
// grant, for example "voice.push_credential_sid: ...". Paths are only
// formatted on failure.

absl::Status OptionalSid(absl::string_view field, absl::string_view prefix,
                         absl::string_view value) {
  if (value.empty()) return absl::OkStatus();
  if (absl::Status s = CheckSid(prefix, value); !s.ok()) {
    return InField(field, s);
  }
  return absl::OkStatus();
}

absl::Status OptionalText(absl::string_view field, absl::string_view value,
                          const SigningLimits& limits) {
  if (absl::Status s = CheckText(
          value, {.max_bytes = limits.max_text_bytes, .required = false});
      !s.ok()) {
    return InField(field, s);
  }
  return absl::OkStatus();
}

absl::Status CheckObject(absl::string_view field, const JsonValue& value,
                         const SigningLimits& limits) {
  if (!value.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must be a JSON object"));
  }
  return internal::CheckVerbatimJson(field, value,
                                     internal::VerbatimJsonRules::From(limits));
}

// Returns the first non-OK status of `statuses`, in order.
absl::Status First(std::initializer_list<absl::Status> statuses) {
  for (const absl::Status& status : statuses) {
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status CheckGrant(const VoiceGrant& grant, const SigningLimits& limits) {
  if (absl::Status s = OptionalSid("voice.outgoing_application_sid", "AP",
                                   grant.outgoing_application_sid);
      !s.ok()) {
    return s;
  }
  if (grant.outgoing_application_params.has_value()) {
    if (grant.outgoing_application_sid.empty()) {
      return absl::InvalidArgumentError(
          "voice.outgoing_application_sid: required with "
          "outgoing_application_params");
    }
    if (absl::Status s =
            CheckObject("voice.outgoing_application_params",
                        *grant.outgoing_application_params, limits);
        !s.ok()) {
      return s;
    }
  }
  return First({OptionalSid("voice.push_credential_sid", "CR",
                            grant.push_credential_sid),
                OptionalText("voice.endpoint_id", grant.endpoint_id, limits)});
}

absl::Status CheckGrant(const ChatGrant& grant, const SigningLimits& limits) {
  return First(
      {OptionalSid("chat.service_sid", "IS", grant.service_sid),
       OptionalText("chat.endpoint_id", grant.endpoint_id, limits),
       OptionalSid("chat.deployment_role_sid", "RL", grant.deployment_role_sid),
       OptionalSid("chat.push_credential_sid", "CR",
                   grant.push_credential_sid)});
}

absl::Status CheckGrant(const VideoGrant& grant, const SigningLimits& limits) {
  return First({OptionalText("video.room", grant.room, limits),
                OptionalSid("video.configuration_profile_sid", "VS",
                            grant.configuration_profile_sid)});
}

absl::Status CheckGrant(const SyncGrant& grant, const SigningLimits& limits) {
  return First(
      {OptionalSid("data_sync.service_sid", "IS", grant.service_sid),
       OptionalText("data_sync.endpoint_id", grant.endpoint_id, limits)});
}

absl::Status CheckGrant(const TaskRouterGrant& grant,
                        const SigningLimits& limits) {
  return First(
      {OptionalSid("task_router.workspace_sid", "WS", grant.workspace_sid),
       OptionalSid("task_router.worker_sid", "WK", grant.worker_sid),
       OptionalText("task_router.role", grant.role, limits)});
}

absl::Status CheckGrant(const PlaybackGrant& grant,
                        const SigningLimits& limits) {
  return CheckObject("player.grant", grant.grant, limits);
}

absl::Status CheckRegion(absl::string_view region) {
  if (region.empty()) return absl::OkStatus();
  if (region.size() > kMaxRegionBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("region: longer than ", kMaxRegionBytes, " bytes"));
  }
  for (char c : region) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' &&
        c != '_' && c != '.') {
      // twilio-node writes the header with a Latin-1 encoder, so anything
      // else is not even safe to pass through (vector at22).
      return absl::InvalidArgumentError(
          "region: must be ASCII letters, digits, '-', '_' or '.'");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckIdentity(absl::string_view identity,
                           const SigningLimits& limits) {
  if (absl::Status s = CheckText(
          identity, {.max_bytes = limits.max_text_bytes, .required = true});
      !s.ok()) {
    return InField("identity", s);
  }
  return absl::OkStatus();
}

absl::Status ValidateAccessTokenSpec(const AccessTokenSpec& spec,
                                     const SigningLimits& limits) {
  if (absl::Status s = CheckSid("AC", spec.account_sid); !s.ok()) {
    return InField("account_sid", s);
  }
  if (absl::Status s = CheckIdentity(spec.identity, limits); !s.ok()) return s;
  if (spec.grants.size() > limits.max_grants) {
    return absl::InvalidArgumentError(
        absl::StrCat("grants: more than ", limits.max_grants, " grants"));
  }
  for (size_t i = 0; i < spec.grants.size(); ++i) {
    absl::Status s = std::visit(
        [&limits](const auto& grant) { return CheckGrant(grant, limits); },
        spec.grants[i]);
    if (!s.ok()) {
      // CheckGrant's path continues this one: "grants[1].voice...".
      return absl::InvalidArgumentError(
          absl::StrCat("grants[", i, "].", s.message()));
    }
  }
  if (spec.not_before.has_value() &&
      *spec.not_before !=
          absl::FromUnixSeconds(absl::ToUnixSeconds(*spec.not_before))) {
    return absl::InvalidArgumentError(
        "not_before: must be a whole number of seconds");
  }
  if (spec.not_before.has_value() && spec.omit_not_before) {
    // Contradictory: an nbf, and none.
    return absl::InvalidArgumentError(
        "omit_not_before: set together with not_before");
  }
  if (absl::Status s = CheckRegion(spec.region); !s.ok()) return s;
  if (!spec.algorithm.empty() && spec.algorithm != kAccessTokenAlgorithm) {
    return absl::InvalidArgumentError("algorithm: only HS256 is supported");
  }
  return CheckLifetimeSetAtMostOnce(spec.ttl, spec.expire_time);
}

}  // namespace captoken::token
