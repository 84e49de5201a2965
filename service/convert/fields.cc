#include "service/convert/fields.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace captoken::convert {
namespace {

// The range google.protobuf.Duration and Timestamp document.
constexpr int64_t kMaxDurationSeconds = 315576000000;
constexpr int64_t kMinTimestampSeconds = -62135596800;  // 0001-01-01
constexpr int64_t kMaxTimestampSeconds = 253402300799;  // 9999-12-31
constexpr int32_t kMaxNanos = 999999999;

absl::Status OutOfRange(absl::string_view field) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": out of range"));
}

}  // namespace

absl::StatusOr<token::Profile> ProfileFromProto(
    v1::Profile profile, token::Profile default_profile) {
  switch (profile) {
    case v1::PROFILE_UNSPECIFIED:
      return default_profile;
    case v1::PROFILE_TWILIO_PYTHON:
      return token::Profile::kTwilioPython;
    case v1::PROFILE_TWILIO_NODE:
      return token::Profile::kTwilioNode;
    case v1::PROFILE_TWILIO_PYTHON_6:
      return token::Profile::kTwilioPython6;
    case v1::PROFILE_TWILIO_PYTHON_7:
      return token::Profile::kTwilioPython7;
    default:
      return absl::InvalidArgumentError("profile: unknown value");
  }
}

v1::Profile ProfileToProto(token::Profile profile) {
  switch (profile) {
    case token::Profile::kTwilioPython:
      break;
    case token::Profile::kTwilioNode:
      return v1::PROFILE_TWILIO_NODE;
    case token::Profile::kTwilioPython6:
      return v1::PROFILE_TWILIO_PYTHON_6;
    case token::Profile::kTwilioPython7:
      return v1::PROFILE_TWILIO_PYTHON_7;
  }
  return v1::PROFILE_TWILIO_PYTHON;
}

absl::StatusOr<absl::Duration> DurationFromProto(
    absl::string_view field, const google::protobuf::Duration& duration) {
  if (duration.seconds() < -kMaxDurationSeconds ||
      duration.seconds() > kMaxDurationSeconds ||
      duration.nanos() < -kMaxNanos || duration.nanos() > kMaxNanos) {
    return OutOfRange(field);
  }
  return absl::Seconds(duration.seconds()) +
         absl::Nanoseconds(duration.nanos());
}

absl::StatusOr<absl::Time> TimeFromProto(
    absl::string_view field, const google::protobuf::Timestamp& timestamp) {
  if (timestamp.seconds() < kMinTimestampSeconds ||
      timestamp.seconds() > kMaxTimestampSeconds || timestamp.nanos() < 0 ||
      timestamp.nanos() > kMaxNanos) {
    return OutOfRange(field);
  }
  return absl::FromUnixSeconds(timestamp.seconds()) +
         absl::Nanoseconds(timestamp.nanos());
}

void TimeToProto(absl::Time time, google::protobuf::Timestamp* timestamp) {
  timestamp->set_seconds(absl::ToUnixSeconds(time));
  timestamp->set_nanos(0);
}

}  // namespace captoken::convert
