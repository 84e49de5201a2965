// File: fields.h
// -----------------------------------------------------------------------------
//
// Conversions every request and response of captoken.v1 shares: the
// profile, lifetimes (google.protobuf.Duration) and times
// (google.protobuf.Timestamp). Shape only, as everywhere in convert/: a
// Duration or Timestamp outside the range protobuf documents is refused
// here; whether a lifetime is allowed is the token library's rule.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(spec.profile,
//                             ProfileFromProto(request.profile(), fallback));
//   if (request.has_ttl()) {
//     CAPTOKEN_ASSIGN_OR_RETURN(spec.ttl,
//                               DurationFromProto("ttl", request.ttl()));
//   }

#ifndef CAPTOKEN_SERVICE_CONVERT_FIELDS_H_
#define CAPTOKEN_SERVICE_CONVERT_FIELDS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "captoken/v1/capability.pb.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "service/token/profile.h"

namespace captoken::convert {

// ProfileFromProto returns the library's profile for `profile`;
// PROFILE_UNSPECIFIED becomes `default_profile`.
//
// Fails with INVALID_ARGUMENT ("profile: unknown value") for a number the
// enum does not define.
absl::StatusOr<token::Profile> ProfileFromProto(v1::Profile profile,
                                                token::Profile default_profile);

// ProfileToProto returns the enum value for `profile`.
v1::Profile ProfileToProto(token::Profile profile);

// DurationFromProto converts `duration`, nanoseconds included (the library
// refuses fractions, naming the field).
//
// Fails with INVALID_ARGUMENT ("<field>: out of range") outside the range
// google.protobuf.Duration documents.
absl::StatusOr<absl::Duration> DurationFromProto(
    absl::string_view field, const google::protobuf::Duration& duration);

// TimeFromProto converts `timestamp`, nanoseconds included.
//
// Fails with INVALID_ARGUMENT ("<field>: out of range") outside the range
// google.protobuf.Timestamp documents.
absl::StatusOr<absl::Time> TimeFromProto(
    absl::string_view field, const google::protobuf::Timestamp& timestamp);

// TimeToProto writes whole seconds (token times have no fractions) into
// `timestamp`, in place: a response's timestamps are set where they lie, not
// built and copied in (a BatchMint response has two per token).
void TimeToProto(absl::Time time, google::protobuf::Timestamp* timestamp);

// LifetimeFromProto copies a request's `ttl` and `expire_time`, each only if
// set, into a spec's optional fields of the same names. Every request kind
// has both; whether they may both be set is the library's rule.
//
// Fails as DurationFromProto and TimeFromProto do.
template <typename Request, typename Spec>
absl::Status LifetimeFromProto(const Request& request, Spec* spec) {
  if (request.has_ttl()) {
    absl::StatusOr<absl::Duration> ttl =
        DurationFromProto("ttl", request.ttl());
    if (!ttl.ok()) return ttl.status();
    spec->ttl = *ttl;
  }
  if (request.has_expire_time()) {
    absl::StatusOr<absl::Time> expire_time =
        TimeFromProto("expire_time", request.expire_time());
    if (!expire_time.ok()) return expire_time.status();
    spec->expire_time = *expire_time;
  }
  return absl::OkStatus();
}

}  // namespace captoken::convert

#endif  // CAPTOKEN_SERVICE_CONVERT_FIELDS_H_
