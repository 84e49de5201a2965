#include "service/convert/access_grant.h"

#include <string>
#include <variant>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "service/convert/json_text.h"
#include "service/token/status_macros.h"

namespace captoken::convert {
namespace {

absl::StatusOr<token::VoiceGrant> VoiceFromProto(absl::string_view field,
                                                 const v1::VoiceGrant& voice) {
  token::VoiceGrant converted;
  converted.incoming_allow = voice.incoming_allow();
  converted.outgoing_application_sid = voice.outgoing_application_sid();
  // Empty text means no parameters, as an unset field does elsewhere.
  if (!voice.outgoing_application_params_json().empty()) {
    CAPTOKEN_ASSIGN_OR_RETURN(
        converted.outgoing_application_params,
        JsonFromText(
            absl::StrCat(field, ".voice.outgoing_application_params_json"),
            voice.outgoing_application_params_json()));
  }
  converted.push_credential_sid = voice.push_credential_sid();
  converted.endpoint_id = voice.endpoint_id();
  return converted;
}

absl::StatusOr<token::PlaybackGrant> PlaybackFromProto(
    absl::string_view field, const v1::PlaybackGrant& playback) {
  const std::string json_field = absl::StrCat(field, ".playback.grant_json");
  if (playback.grant_json().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(json_field, ": required"));
  }
  CAPTOKEN_ASSIGN_OR_RETURN(token::JsonValue grant,
                            JsonFromText(json_field, playback.grant_json()));
  return token::PlaybackGrant{std::move(grant)};
}

// Writes one library grant into the wire message; one overload per kind.
struct ToProto {
  v1::AccessGrant* out;

  void operator()(const token::VoiceGrant& grant) const {
    v1::VoiceGrant* voice = out->mutable_voice();
    voice->set_incoming_allow(grant.incoming_allow);
    voice->set_outgoing_application_sid(grant.outgoing_application_sid);
    if (grant.outgoing_application_params.has_value()) {
      voice->set_outgoing_application_params_json(
          JsonToText(*grant.outgoing_application_params));
    }
    voice->set_push_credential_sid(grant.push_credential_sid);
    voice->set_endpoint_id(grant.endpoint_id);
  }
  void operator()(const token::ChatGrant& grant) const {
    v1::ChatGrant* chat = out->mutable_chat();
    chat->set_service_sid(grant.service_sid);
    chat->set_endpoint_id(grant.endpoint_id);
    chat->set_deployment_role_sid(grant.deployment_role_sid);
    chat->set_push_credential_sid(grant.push_credential_sid);
  }
  void operator()(const token::VideoGrant& grant) const {
    v1::VideoGrant* video = out->mutable_video();
    video->set_room(grant.room);
    video->set_configuration_profile_sid(grant.configuration_profile_sid);
  }
  void operator()(const token::SyncGrant& grant) const {
    v1::SyncGrant* sync = out->mutable_sync();
    sync->set_service_sid(grant.service_sid);
    sync->set_endpoint_id(grant.endpoint_id);
  }
  void operator()(const token::TaskRouterGrant& grant) const {
    v1::TaskRouterGrant* task_router = out->mutable_task_router();
    task_router->set_workspace_sid(grant.workspace_sid);
    task_router->set_worker_sid(grant.worker_sid);
    task_router->set_role(grant.role);
  }
  void operator()(const token::PlaybackGrant& grant) const {
    out->mutable_playback()->set_grant_json(JsonToText(grant.grant));
  }
};

// The caller-policy kind of each grant; a new grant kind fails to compile
// here until it has one.
struct KindOf {
  v1::GrantKind operator()(const token::VoiceGrant&) const {
    return v1::GRANT_KIND_VOICE;
  }
  v1::GrantKind operator()(const token::ChatGrant&) const {
    return v1::GRANT_KIND_CHAT;
  }
  v1::GrantKind operator()(const token::VideoGrant&) const {
    return v1::GRANT_KIND_VIDEO;
  }
  v1::GrantKind operator()(const token::SyncGrant&) const {
    return v1::GRANT_KIND_SYNC;
  }
  v1::GrantKind operator()(const token::TaskRouterGrant&) const {
    return v1::GRANT_KIND_TASK_ROUTER;
  }
  v1::GrantKind operator()(const token::PlaybackGrant&) const {
    return v1::GRANT_KIND_PLAYBACK;
  }
};

}  // namespace

absl::StatusOr<token::AccessGrant> GrantFromProto(
    absl::string_view field, const v1::AccessGrant& grant) {
  switch (grant.grant_case()) {
    case v1::AccessGrant::kVoice: {
      CAPTOKEN_ASSIGN_OR_RETURN(token::VoiceGrant voice,
                                VoiceFromProto(field, grant.voice()));
      return voice;
    }
    case v1::AccessGrant::kChat:
      return token::ChatGrant{grant.chat().service_sid(),
                              grant.chat().endpoint_id(),
                              grant.chat().deployment_role_sid(),
                              grant.chat().push_credential_sid()};
    case v1::AccessGrant::kVideo:
      return token::VideoGrant{grant.video().room(),
                               grant.video().configuration_profile_sid()};
    case v1::AccessGrant::kSync:
      return token::SyncGrant{grant.sync().service_sid(),
                              grant.sync().endpoint_id()};
    case v1::AccessGrant::kTaskRouter:
      return token::TaskRouterGrant{grant.task_router().workspace_sid(),
                                    grant.task_router().worker_sid(),
                                    grant.task_router().role()};
    case v1::AccessGrant::kPlayback: {
      CAPTOKEN_ASSIGN_OR_RETURN(token::PlaybackGrant playback,
                                PlaybackFromProto(field, grant.playback()));
      return playback;
    }
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": no grant kind set"));
  }
}

void GrantToProto(const token::AccessGrant& grant, v1::AccessGrant* out) {
  std::visit(ToProto{out}, grant);
}

v1::GrantKind GrantKindOf(const token::AccessGrant& grant) {
  return std::visit(KindOf(), grant);
}

}  // namespace captoken::convert
