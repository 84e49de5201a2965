// Tests for fields.h: profiles map both ways, and lifetimes and times
// convert with their nanoseconds, refused only outside protobuf's range and
// then naming the field they came from.

#include "service/convert/fields.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "captoken/v1/capability.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace captoken::convert {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::Eq;

google::protobuf::Duration Duration(int64_t seconds, int32_t nanos = 0) {
  google::protobuf::Duration duration;
  duration.set_seconds(seconds);
  duration.set_nanos(nanos);
  return duration;
}

google::protobuf::Timestamp Timestamp(int64_t seconds, int32_t nanos = 0) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(seconds);
  timestamp.set_nanos(nanos);
  return timestamp;
}

TEST(ProfileFromProto, UnspecifiedIsTheDefault) {
  EXPECT_EQ(
      *ProfileFromProto(v1::PROFILE_UNSPECIFIED, token::Profile::kTwilioNode),
      token::Profile::kTwilioNode);
  EXPECT_EQ(
      *ProfileFromProto(v1::PROFILE_UNSPECIFIED, token::Profile::kTwilioPython),
      token::Profile::kTwilioPython);
}

TEST(ProfileFromProto, ExplicitProfilesIgnoreTheDefault) {
  EXPECT_EQ(
      *ProfileFromProto(v1::PROFILE_TWILIO_PYTHON, token::Profile::kTwilioNode),
      token::Profile::kTwilioPython);
  EXPECT_EQ(
      *ProfileFromProto(v1::PROFILE_TWILIO_NODE, token::Profile::kTwilioPython),
      token::Profile::kTwilioNode);
  EXPECT_EQ(*ProfileFromProto(v1::PROFILE_TWILIO_PYTHON_6,
                              token::Profile::kTwilioPython),
            token::Profile::kTwilioPython6);
  EXPECT_EQ(*ProfileFromProto(v1::PROFILE_TWILIO_PYTHON_7,
                              token::Profile::kTwilioPython),
            token::Profile::kTwilioPython7);
}

TEST(ProfileFromProto, UnknownNumberIsRefused) {
  EXPECT_THAT(ProfileFromProto(static_cast<v1::Profile>(7),
                               token::Profile::kTwilioPython),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("profile: unknown value")));
}

TEST(ProfileToProto, RoundTrips) {
  for (token::Profile profile : token::kAllProfiles) {
    EXPECT_EQ(*ProfileFromProto(ProfileToProto(profile),
                                token::Profile::kTwilioPython),
              profile);
  }
}

// Every value of the wire enum is a profile: a value appended to the proto
// without a mapping would be refused as unknown.
TEST(ProfileFromProto, EveryWireValueMaps) {
  const google::protobuf::EnumDescriptor* profiles = v1::Profile_descriptor();
  for (int i = 0; i < profiles->value_count(); ++i) {
    const auto value = static_cast<v1::Profile>(profiles->value(i)->number());
    SCOPED_TRACE(profiles->value(i)->name());
    ASSERT_THAT(ProfileFromProto(value, token::Profile::kTwilioNode), IsOk());
    if (value != v1::PROFILE_UNSPECIFIED) {
      EXPECT_EQ(
          ProfileToProto(*ProfileFromProto(value, token::Profile::kTwilioNode)),
          value);
    }
  }
}

TEST(DurationFromProto, KeepsSecondsAndNanos) {
  EXPECT_EQ(*DurationFromProto("ttl", Duration(600)), absl::Seconds(600));
  EXPECT_EQ(*DurationFromProto("ttl", Duration(1, 500000000)),
            absl::Milliseconds(1500));
  EXPECT_EQ(*DurationFromProto("ttl", Duration(-5)), absl::Seconds(-5));
}

TEST(DurationFromProto, OutOfRangeNamesTheField) {
  EXPECT_THAT(
      DurationFromProto("ttl", Duration(315576000001)),
      StatusIs(absl::StatusCode::kInvalidArgument, Eq("ttl: out of range")));
  EXPECT_THAT(DurationFromProto("max_age", Duration(0, 1000000000)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("max_age: out of range")));
  EXPECT_THAT(DurationFromProto("ttl", Duration(315576000000, 999999999)),
              IsOk());
}

TEST(TimeFromProto, KeepsSecondsAndNanos) {
  EXPECT_EQ(*TimeFromProto("not_before", Timestamp(1700000000)),
            absl::FromUnixSeconds(1700000000));
  EXPECT_EQ(*TimeFromProto("not_before", Timestamp(1700000000, 250000000)),
            absl::FromUnixMillis(1700000000250));
}

TEST(TimeFromProto, OutOfRangeNamesTheField) {
  EXPECT_THAT(TimeFromProto("not_before", Timestamp(253402300800)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("not_before: out of range")));
  EXPECT_THAT(TimeFromProto("expire_time", Timestamp(0, -1)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("expire_time: out of range")));
  EXPECT_THAT(TimeFromProto("expire_time", Timestamp(-62135596801)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("expire_time: out of range")));
}

// The seconds of `time`, written over a timestamp that held other values.
google::protobuf::Timestamp Written(absl::Time time) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(42);
  timestamp.set_nanos(7);
  TimeToProto(time, &timestamp);
  return timestamp;
}

TEST(TimeToProto, WritesWholeSeconds) {
  const google::protobuf::Timestamp timestamp =
      Written(absl::FromUnixSeconds(1700000000));
  EXPECT_EQ(timestamp.seconds(), 1700000000);
  EXPECT_EQ(timestamp.nanos(), 0);
}

TEST(TimeToProto, DropsFractions) {
  const google::protobuf::Timestamp timestamp =
      Written(absl::FromUnixSeconds(1700000000) + absl::Milliseconds(999));
  EXPECT_EQ(timestamp.seconds(), 1700000000);
  EXPECT_EQ(timestamp.nanos(), 0);
}

TEST(TimeToProto, WritesTheEpochAndTimesBeforeIt) {
  EXPECT_EQ(Written(absl::UnixEpoch()).seconds(), 0);
  EXPECT_EQ(Written(absl::FromUnixSeconds(-86400)).seconds(), -86400);
}

}  // namespace
}  // namespace captoken::convert
