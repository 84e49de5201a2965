// Tests for profile.h.

#include "service/token/profile.h"

#include "gtest/gtest.h"

namespace captoken::token {
namespace {

TEST(ProfileName, NamesEachProfileAsTheApiSpellsIt) {
  EXPECT_EQ(ProfileName(Profile::kTwilioPython), "twilio-python");
  EXPECT_EQ(ProfileName(Profile::kTwilioNode), "twilio-node");
  EXPECT_EQ(ProfileName(Profile::kTwilioPython6), "twilio-python-6");
  EXPECT_EQ(ProfileName(Profile::kTwilioPython7), "twilio-python-7");
}

TEST(ProfileName, EveryProfileHasItsOwnName) {
  for (Profile a : kAllProfiles) {
    EXPECT_NE(ProfileName(a), "unknown");
    for (Profile b : kAllProfiles) {
      if (a != b) {
        EXPECT_NE(ProfileName(a), ProfileName(b));
      }
    }
  }
}

TEST(Profile, EveryPythonProfileHasPythonSemantics) {
  EXPECT_TRUE(IsPythonProfile(Profile::kTwilioPython));
  EXPECT_TRUE(IsPythonProfile(Profile::kTwilioPython6));
  EXPECT_TRUE(IsPythonProfile(Profile::kTwilioPython7));
  EXPECT_FALSE(IsPythonProfile(Profile::kTwilioNode));
}

// twilio-python 6+'s Jwt defaults nbf to now; 5.x and node write none.
TEST(Profile, OnlyPython6AndLaterWriteADefaultNotBefore) {
  EXPECT_FALSE(WritesDefaultNotBefore(Profile::kTwilioPython));
  EXPECT_FALSE(WritesDefaultNotBefore(Profile::kTwilioNode));
  EXPECT_TRUE(WritesDefaultNotBefore(Profile::kTwilioPython6));
  EXPECT_TRUE(WritesDefaultNotBefore(Profile::kTwilioPython7));
}

TEST(ProfileName, AnOutOfRangeValueIsUnknown) {
  EXPECT_EQ(ProfileName(static_cast<Profile>(7)), "unknown");
}

TEST(Profile, PythonIsTheDefault) {
  EXPECT_EQ(Profile(), Profile::kTwilioPython);
}

}  // namespace
}  // namespace captoken::token
