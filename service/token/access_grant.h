// File: access_grant.h
// -----------------------------------------------------------------------------
//
// The grants an Access Token can carry (spec §4.2). Each is a plain struct
// whose empty fields are left out of the token, as the SDKs leave out falsy
// options; its key in the token's `grants` claim is fixed:
//
//   VoiceGrant       "voice"         incoming, outgoing (application and
//                                    parameters), push credential, endpoint
//   ChatGrant        "chat"          service, endpoint, role, push credential
//   VideoGrant       "video"         room (no room: {})
//   SyncGrant        "data_sync"     service, endpoint
//   TaskRouterGrant  "task_router"   workspace, worker, role
//   PlaybackGrant    "player"        an object copied verbatim
//
// Example:
//
//   VoiceGrant voice;
//   voice.incoming_allow = true;
//   voice.outgoing_application_sid = "AP89abcdef0123456789abcdef01234567";
//   voice.outgoing_application_params =
//       JsonValue::Object({{"To", JsonValue::String("+15551234567")}});
//   spec.grants.push_back(voice);

#ifndef CAPTOKEN_SERVICE_TOKEN_ACCESS_GRANT_H_
#define CAPTOKEN_SERVICE_TOKEN_ACCESS_GRANT_H_

#include <optional>
#include <ostream>
#include <string>
#include <variant>

#include "absl/strings/string_view.h"
#include "service/token/json_value.h"

namespace captoken::token {

// VoiceGrant: Programmable Voice.
struct VoiceGrant {
  // Receive calls as the token's identity: {"incoming":{"allow":true}}.
  bool incoming_allow = false;
  // "AP" + 32 hex digits: the TwiML application outgoing calls go through.
  std::string outgoing_application_sid;
  // A JSON object handed to the application, copied verbatim (not URL
  // encoded). Needs outgoing_application_sid. twilio-node writes an empty
  // object as "params":{}; twilio-python leaves an empty one out.
  std::optional<JsonValue> outgoing_application_params;
  // "CR" + 32 hex digits.
  std::string push_credential_sid;
  std::string endpoint_id;

  friend bool operator==(const VoiceGrant& a, const VoiceGrant& b) {
    return a.incoming_allow == b.incoming_allow &&
           a.outgoing_application_sid == b.outgoing_application_sid &&
           a.outgoing_application_params == b.outgoing_application_params &&
           a.push_credential_sid == b.push_credential_sid &&
           a.endpoint_id == b.endpoint_id;
  }
};

// ChatGrant: Conversations / Programmable Chat.
struct ChatGrant {
  std::string service_sid;  // "IS" + 32 hex digits
  std::string endpoint_id;
  std::string deployment_role_sid;  // "RL" + 32 hex digits
  std::string push_credential_sid;  // "CR" + 32 hex digits

  friend bool operator==(const ChatGrant& a, const ChatGrant& b) {
    return a.service_sid == b.service_sid && a.endpoint_id == b.endpoint_id &&
           a.deployment_role_sid == b.deployment_role_sid &&
           a.push_credential_sid == b.push_credential_sid;
  }
};

// VideoGrant: Programmable Video. With neither field the grant is {},
// which allows any room.
struct VideoGrant {
  std::string room;
  // "VS" + 32 hex digits: the pre-2017 Video configuration profile, which
  // twilio-python 5.x wrote instead of a room. Legacy; written after room.
  std::string configuration_profile_sid;

  friend bool operator==(const VideoGrant& a, const VideoGrant& b) {
    return a.room == b.room &&
           a.configuration_profile_sid == b.configuration_profile_sid;
  }
};

// SyncGrant: Sync.
struct SyncGrant {
  std::string service_sid;  // "IS" + 32 hex digits
  std::string endpoint_id;

  friend bool operator==(const SyncGrant& a, const SyncGrant& b) {
    return a.service_sid == b.service_sid && a.endpoint_id == b.endpoint_id;
  }
};

// TaskRouterGrant: TaskRouter from an Access Token.
struct TaskRouterGrant {
  std::string workspace_sid;  // "WS" + 32 hex digits
  std::string worker_sid;     // "WK" + 32 hex digits
  std::string role;

  friend bool operator==(const TaskRouterGrant& a, const TaskRouterGrant& b) {
    return a.workspace_sid == b.workspace_sid && a.worker_sid == b.worker_sid &&
           a.role == b.role;
  }
};

// PlaybackGrant: Live playback. `grant` is the JSON object Twilio's
// PlaybackGrant API returned (requestCredentials, playbackUrl,
// playerStreamerSid), copied verbatim.
struct PlaybackGrant {
  JsonValue grant;

  friend bool operator==(const PlaybackGrant& a, const PlaybackGrant& b) {
    return a.grant == b.grant;
  }
};

using AccessGrant = std::variant<VoiceGrant, ChatGrant, VideoGrant, SyncGrant,
                                 TaskRouterGrant, PlaybackGrant>;

// GrantKey returns the grant's member name in the `grants` claim: "voice",
// "chat", "video", "data_sync", "task_router" or "player".
absl::string_view GrantKey(const AccessGrant& grant);

// For test failure messages: prints the grant's key only, since its fields
// are the caller's data.
std::ostream& operator<<(std::ostream& os, const AccessGrant& grant);

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_ACCESS_GRANT_H_
