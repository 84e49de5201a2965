// File: capability_request.h
// -----------------------------------------------------------------------------
//
// Converts between the wire contract (captoken.v1 messages) and the token
// library's types. Only shape is checked here (a scope with no kind, an
// unknown profile, an out-of-range Duration); every value rule lives in the
// token library, so the CLI and the server refuse exactly the same requests.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(
//       token::CapabilitySpec spec,
//       CapabilitySpecFromProto(request, token::Profile::kTwilioPython));

#ifndef CAPTOKEN_SERVICE_CONVERT_CAPABILITY_REQUEST_H_
#define CAPTOKEN_SERVICE_CONVERT_CAPABILITY_REQUEST_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "captoken/v1/capability.pb.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "service/convert/fields.h"  // IWYU pragma: export
#include "service/token/capability_scope.h"
#include "service/token/capability_spec.h"

namespace captoken::convert {

// CapabilitySpecFromProto converts a request; PROFILE_UNSPECIFIED becomes
// `default_profile`.
//
// Fails with INVALID_ARGUMENT for a scope with no kind set, an unknown
// profile number, or a ttl / expire_time outside the range protobuf allows.
absl::StatusOr<token::CapabilitySpec> CapabilitySpecFromProto(
    const v1::CapabilityRequest& request, token::Profile default_profile);

// CapabilitySpecInto is CapabilitySpecFromProto into `*spec`, whatever it
// held: every field is set, and strings and vectors keep their room, so a
// spec converted into again and again (one per thread, as the minter keeps
// one) allocates nothing for requests no larger than those before. On
// failure `*spec` is partly converted and must not be used.
absl::Status CapabilitySpecInto(const v1::CapabilityRequest& request,
                                token::Profile default_profile,
                                token::CapabilitySpec* spec);

// ScopesToProto appends `scopes` to `out`, in order.
void ScopesToProto(
    absl::Span<const token::CapabilityScope> scopes,
    google::protobuf::RepeatedPtrField<v1::CapabilityScope>* out);

}  // namespace captoken::convert

#endif  // CAPTOKEN_SERVICE_CONVERT_CAPABILITY_REQUEST_H_
