// Tests for profile.h.

#include "service/token/profile.h"

#include "gtest/gtest.h"

namespace captoken::token {
namespace {

TEST(ProfileName, NamesEachProfileAsTheApiSpellsIt) {
  EXPECT_EQ(ProfileName(Profile::kTwilioPython), "twilio-python");
  EXPECT_EQ(ProfileName(Profile::kTwilioNode), "twilio-node");
}

TEST(ProfileName, AnOutOfRangeValueIsUnknown) {
  EXPECT_EQ(ProfileName(static_cast<Profile>(7)), "unknown");
}

TEST(Profile, PythonIsTheDefault) {
  EXPECT_EQ(Profile(), Profile::kTwilioPython);
}

}  // namespace
}  // namespace captoken::token
