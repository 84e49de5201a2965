#include "service/convert/capability_request.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace captoken::convert {
namespace {

// The range google.protobuf.Duration and Timestamp document.
constexpr int64_t kMaxDurationSeconds = 315576000000;
constexpr int64_t kMinTimestampSeconds = -62135596800;  // 0001-01-01
constexpr int64_t kMaxTimestampSeconds = 253402300799;  // 9999-12-31
constexpr int32_t kMaxNanos = 999999999;

std::vector<token::Param> ParamsFromProto(
    const google::protobuf::RepeatedPtrField<v1::Param>& params) {
  std::vector<token::Param> converted;
  converted.reserve(params.size());
  for (const v1::Param& param : params) {
    converted.push_back({param.key(), param.value()});
  }
  return converted;
}

void ParamsToProto(const std::vector<token::Param>& params,
                   google::protobuf::RepeatedPtrField<v1::Param>* out) {
  for (const token::Param& param : params) {
    v1::Param* converted = out->Add();
    converted->set_key(param.key);
    converted->set_value(param.value);
  }
}

absl::StatusOr<token::Profile> ProfileFromProto(
    v1::Profile profile, token::Profile default_profile) {
  switch (profile) {
    case v1::PROFILE_UNSPECIFIED:
      return default_profile;
    case v1::PROFILE_TWILIO_PYTHON:
      return token::Profile::kTwilioPython;
    case v1::PROFILE_TWILIO_NODE:
      return token::Profile::kTwilioNode;
    default:
      return absl::InvalidArgumentError("profile: unknown value");
  }
}

}  // namespace

absl::StatusOr<token::CapabilitySpec> CapabilitySpecFromProto(
    const v1::CapabilityRequest& request, token::Profile default_profile) {
  token::CapabilitySpec spec;
  spec.account_sid = request.account_sid();
  absl::StatusOr<token::Profile> profile =
      ProfileFromProto(request.profile(), default_profile);
  if (!profile.ok()) return profile.status();
  spec.profile = *profile;

  spec.scopes.reserve(request.scopes_size());
  for (int i = 0; i < request.scopes_size(); ++i) {
    const v1::CapabilityScope& scope = request.scopes(i);
    switch (scope.scope_case()) {
      case v1::CapabilityScope::kClientIncoming:
        spec.scopes.push_back(
            token::ClientIncomingScope{scope.client_incoming().client_name()});
        break;
      case v1::CapabilityScope::kClientOutgoing: {
        const v1::ClientOutgoing& outgoing = scope.client_outgoing();
        spec.scopes.push_back(token::ClientOutgoingScope{
            outgoing.application_sid(), ParamsFromProto(outgoing.params()),
            outgoing.client_name()});
        break;
      }
      case v1::CapabilityScope::kEventStream:
        spec.scopes.push_back(token::EventStreamScope{
            ParamsFromProto(scope.event_stream().filters())});
        break;
      default:
        return absl::InvalidArgumentError(
            absl::StrCat("scopes[", i, "]: no scope kind set"));
    }
  }

  if (request.has_ttl()) {
    const google::protobuf::Duration& ttl = request.ttl();
    if (ttl.seconds() < -kMaxDurationSeconds ||
        ttl.seconds() > kMaxDurationSeconds || ttl.nanos() < -kMaxNanos ||
        ttl.nanos() > kMaxNanos) {
      return absl::InvalidArgumentError("ttl: out of range");
    }
    spec.ttl = absl::Seconds(ttl.seconds()) + absl::Nanoseconds(ttl.nanos());
  }
  if (request.has_expire_time()) {
    const google::protobuf::Timestamp& expire = request.expire_time();
    if (expire.seconds() < kMinTimestampSeconds ||
        expire.seconds() > kMaxTimestampSeconds || expire.nanos() < 0 ||
        expire.nanos() > kMaxNanos) {
      return absl::InvalidArgumentError("expire_time: out of range");
    }
    spec.expire_time = absl::FromUnixSeconds(expire.seconds()) +
                       absl::Nanoseconds(expire.nanos());
  }
  return spec;
}

v1::Profile ProfileToProto(token::Profile profile) {
  return profile == token::Profile::kTwilioNode ? v1::PROFILE_TWILIO_NODE
                                                : v1::PROFILE_TWILIO_PYTHON;
}

void ScopesToProto(
    absl::Span<const token::CapabilityScope> scopes,
    google::protobuf::RepeatedPtrField<v1::CapabilityScope>* out) {
  for (const token::CapabilityScope& scope : scopes) {
    v1::CapabilityScope* converted = out->Add();
    if (const auto* incoming =
            std::get_if<token::ClientIncomingScope>(&scope)) {
      converted->mutable_client_incoming()->set_client_name(
          incoming->client_name);
    } else if (const auto* outgoing =
                   std::get_if<token::ClientOutgoingScope>(&scope)) {
      v1::ClientOutgoing* out_outgoing = converted->mutable_client_outgoing();
      out_outgoing->set_application_sid(outgoing->application_sid);
      out_outgoing->set_client_name(outgoing->client_name);
      ParamsToProto(outgoing->params, out_outgoing->mutable_params());
    } else {
      ParamsToProto(std::get<token::EventStreamScope>(scope).filters,
                    converted->mutable_event_stream()->mutable_filters());
    }
  }
}

google::protobuf::Timestamp TimeToProto(absl::Time time) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(absl::ToUnixSeconds(time));
  return timestamp;
}

}  // namespace captoken::convert
