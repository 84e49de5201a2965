// Tests for access_grant.h.

#include "service/token/access_grant.h"

#include <sstream>

#include "gtest/gtest.h"
#include "service/token/json_value.h"

namespace captoken::token {
namespace {

TEST(GrantKey, IsTheMemberNameEachSdkWrites) {
  EXPECT_EQ(GrantKey(VoiceGrant()), "voice");
  EXPECT_EQ(GrantKey(ChatGrant()), "chat");
  EXPECT_EQ(GrantKey(VideoGrant()), "video");
  EXPECT_EQ(GrantKey(SyncGrant()), "data_sync");
  EXPECT_EQ(GrantKey(TaskRouterGrant()), "task_router");
  EXPECT_EQ(GrantKey(PlaybackGrant()), "player");
}

TEST(AccessGrant, PrintsOnlyItsKey) {
  VideoGrant video;
  video.room = "secret room";
  std::ostringstream out;
  out << AccessGrant(video);
  EXPECT_EQ(out.str(), "video");
}

TEST(AccessGrant, DefaultsAreEmpty) {
  const VoiceGrant voice;
  EXPECT_FALSE(voice.incoming_allow);
  EXPECT_FALSE(voice.outgoing_application_params.has_value());
  EXPECT_TRUE(voice.outgoing_application_sid.empty());
  EXPECT_TRUE(PlaybackGrant().grant.is_null());
}

TEST(AccessGrant, EqualityComparesEveryField) {
  VoiceGrant a;
  VoiceGrant b;
  EXPECT_EQ(a, b);
  b.outgoing_application_params = JsonValue::Object({});
  EXPECT_FALSE(a == b);
  EXPECT_FALSE(
      (ChatGrant{"IS1", "", "", ""} == ChatGrant{"IS1", "", "", "CR1"}));
  EXPECT_FALSE((VideoGrant{"r", ""} == VideoGrant{"r", "VS1"}));
  EXPECT_FALSE((SyncGrant{"IS1", "e"} == SyncGrant{"IS1", ""}));
  EXPECT_FALSE((TaskRouterGrant{"WS1", "WK1", "worker"} ==
                TaskRouterGrant{"WS1", "WK1", ""}));
  EXPECT_FALSE((PlaybackGrant{JsonValue::Object({})} == PlaybackGrant{}));
  EXPECT_FALSE(AccessGrant(VideoGrant()) == AccessGrant(SyncGrant()));
}

}  // namespace
}  // namespace captoken::token
