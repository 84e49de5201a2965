// Tests for access_grant.h: each grant kind converts field for field in
// both directions, JSON travels as text with its order kept, shape problems
// name the field, and each grant has its caller-policy kind.

#include "service/convert/access_grant.h"

#include <string>
#include <variant>

#include "absl/status/status.h"
#include "captoken/v1/access_token.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/access_grant.h"
#include "service/token/json_value.h"
#include "tests/testing/status_matchers.h"

namespace captoken::convert {
namespace {

using ::captoken::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::StartsWith;

constexpr char kAppSid[] = "AP0123456789abcdef0123456789abcdef";
constexpr char kCredentialSid[] = "CR0123456789abcdef0123456789abcdef";
constexpr char kServiceSid[] = "IS0123456789abcdef0123456789abcdef";
constexpr char kRoleSid[] = "RL0123456789abcdef0123456789abcdef";
constexpr char kProfileSid[] = "VS0123456789abcdef0123456789abcdef";
constexpr char kWorkspaceSid[] = "WS0123456789abcdef0123456789abcdef";
constexpr char kWorkerSid[] = "WK0123456789abcdef0123456789abcdef";

// One grant of every kind, every field set.
std::vector<v1::AccessGrant> EveryGrant() {
  std::vector<v1::AccessGrant> grants(6);
  v1::VoiceGrant* voice = grants[0].mutable_voice();
  voice->set_incoming_allow(true);
  voice->set_outgoing_application_sid(kAppSid);
  voice->set_outgoing_application_params_json(R"({"To":"+1555","n":2})");
  voice->set_push_credential_sid(kCredentialSid);
  voice->set_endpoint_id("endpoint-1");
  v1::ChatGrant* chat = grants[1].mutable_chat();
  chat->set_service_sid(kServiceSid);
  chat->set_endpoint_id("chat-endpoint");
  chat->set_deployment_role_sid(kRoleSid);
  chat->set_push_credential_sid(kCredentialSid);
  v1::VideoGrant* video = grants[2].mutable_video();
  video->set_room("standup");
  video->set_configuration_profile_sid(kProfileSid);
  v1::SyncGrant* sync = grants[3].mutable_sync();
  sync->set_service_sid(kServiceSid);
  sync->set_endpoint_id("sync-endpoint");
  v1::TaskRouterGrant* task_router = grants[4].mutable_task_router();
  task_router->set_workspace_sid(kWorkspaceSid);
  task_router->set_worker_sid(kWorkerSid);
  task_router->set_role("worker");
  grants[5].mutable_playback()->set_grant_json(
      R"({"requestCredentials":null,"playbackUrl":"https://x","playerStreamerSid":"VJ1"})");
  return grants;
}

TEST(GrantFromProto, VoiceGrantConverts) {
  ASSERT_OK_AND_ASSIGN(token::AccessGrant grant,
                       GrantFromProto("grants[0]", EveryGrant()[0]));
  const auto* voice = std::get_if<token::VoiceGrant>(&grant);
  ASSERT_NE(voice, nullptr);
  EXPECT_TRUE(voice->incoming_allow);
  EXPECT_EQ(voice->outgoing_application_sid, kAppSid);
  ASSERT_TRUE(voice->outgoing_application_params.has_value());
  EXPECT_THAT(voice->outgoing_application_params->member_names(),
              ElementsAre("To", "n"));
  EXPECT_EQ(voice->push_credential_sid, kCredentialSid);
  EXPECT_EQ(voice->endpoint_id, "endpoint-1");
}

TEST(GrantFromProto, VoiceWithoutParamsHasNone) {
  v1::AccessGrant wire;
  wire.mutable_voice()->set_incoming_allow(true);
  ASSERT_OK_AND_ASSIGN(token::AccessGrant grant, GrantFromProto("g", wire));
  EXPECT_FALSE(std::get<token::VoiceGrant>(grant)
                   .outgoing_application_params.has_value());
}

TEST(GrantFromProto, OtherKindsConvert) {
  const std::vector<v1::AccessGrant> wire = EveryGrant();
  ASSERT_OK_AND_ASSIGN(token::AccessGrant chat, GrantFromProto("g", wire[1]));
  EXPECT_EQ(chat, token::AccessGrant(token::ChatGrant{
                      kServiceSid, "chat-endpoint", kRoleSid, kCredentialSid}));
  ASSERT_OK_AND_ASSIGN(token::AccessGrant video, GrantFromProto("g", wire[2]));
  EXPECT_EQ(video,
            token::AccessGrant(token::VideoGrant{"standup", kProfileSid}));
  ASSERT_OK_AND_ASSIGN(token::AccessGrant sync, GrantFromProto("g", wire[3]));
  EXPECT_EQ(sync,
            token::AccessGrant(token::SyncGrant{kServiceSid, "sync-endpoint"}));
  ASSERT_OK_AND_ASSIGN(token::AccessGrant task_router,
                       GrantFromProto("g", wire[4]));
  EXPECT_EQ(task_router, token::AccessGrant(token::TaskRouterGrant{
                             kWorkspaceSid, kWorkerSid, "worker"}));
  ASSERT_OK_AND_ASSIGN(token::AccessGrant playback,
                       GrantFromProto("g", wire[5]));
  EXPECT_THAT(
      std::get<token::PlaybackGrant>(playback).grant.member_names(),
      ElementsAre("requestCredentials", "playbackUrl", "playerStreamerSid"));
}

TEST(GrantFromProto, AnEmptyVideoGrantIsAGrant) {
  v1::AccessGrant wire;
  wire.mutable_video();
  ASSERT_OK_AND_ASSIGN(token::AccessGrant grant, GrantFromProto("g", wire));
  EXPECT_EQ(grant, token::AccessGrant(token::VideoGrant{}));
}

TEST(GrantFromProto, NoKindIsRefusedNamingTheGrant) {
  EXPECT_THAT(GrantFromProto("grants[4]", v1::AccessGrant()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("grants[4]: no grant kind set")));
}

TEST(GrantFromProto, JsonThatIsNotJsonIsRefusedNamingTheField) {
  v1::AccessGrant voice;
  voice.mutable_voice()->set_outgoing_application_sid(kAppSid);
  voice.mutable_voice()->set_outgoing_application_params_json("{To:1}");
  EXPECT_THAT(
      GrantFromProto("grants[0]", voice),
      StatusIs(
          absl::StatusCode::kInvalidArgument,
          StartsWith(
              "grants[0].voice.outgoing_application_params_json: JSON: ")));
  v1::AccessGrant playback;
  playback.mutable_playback()->set_grant_json("[");
  EXPECT_THAT(GrantFromProto("grants[2]", playback),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith("grants[2].playback.grant_json: JSON: ")));
}

TEST(GrantFromProto, AnEmptyPlaybackGrantIsRefused) {
  v1::AccessGrant playback;
  playback.mutable_playback();
  EXPECT_THAT(GrantFromProto("grants[1]", playback),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("grants[1].playback.grant_json: required")));
}

TEST(GrantToProto, RoundTripsEveryKind) {
  for (const v1::AccessGrant& wire : EveryGrant()) {
    ASSERT_OK_AND_ASSIGN(token::AccessGrant grant, GrantFromProto("g", wire));
    v1::AccessGrant back;
    GrantToProto(grant, &back);
    EXPECT_EQ(back.SerializeAsString(), wire.SerializeAsString())
        << back.DebugString();
  }
}

TEST(GrantToProto, JsonIsWrittenCompactly) {
  token::VoiceGrant voice;
  voice.outgoing_application_sid = kAppSid;
  voice.outgoing_application_params = token::JsonValue::Object(
      {{"b", token::JsonValue::Int(1)}, {"a", token::JsonValue::String("x")}});
  v1::AccessGrant out;
  GrantToProto(voice, &out);
  EXPECT_EQ(out.voice().outgoing_application_params_json(),
            R"({"b":1,"a":"x"})");
}

TEST(GrantKindOf, NamesEachKind) {
  const std::vector<v1::AccessGrant> wire = EveryGrant();
  const v1::GrantKind expected[] = {
      v1::GRANT_KIND_VOICE,       v1::GRANT_KIND_CHAT,
      v1::GRANT_KIND_VIDEO,       v1::GRANT_KIND_SYNC,
      v1::GRANT_KIND_TASK_ROUTER, v1::GRANT_KIND_PLAYBACK};
  for (size_t i = 0; i < wire.size(); ++i) {
    ASSERT_OK_AND_ASSIGN(token::AccessGrant grant,
                         GrantFromProto("g", wire[i]));
    EXPECT_EQ(GrantKindOf(grant), expected[i]) << i;
  }
}

}  // namespace
}  // namespace captoken::convert
