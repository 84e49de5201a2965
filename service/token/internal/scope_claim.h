// File: scope_claim.h
// -----------------------------------------------------------------------------
//
// The `scope` claim of a capability token: scopes rendered to the exact
// string each SDK profile writes (spec §2.3 for node, §2.4 for python), and
// parsed back from a string either profile (or another SDK) wrote.
//
// Profiles differ in semantics as well as bytes:
//
//   twilio-node    one scope string per requested scope, in request order,
//                  repeats kept; an outgoing scope carries clientName only
//                  if it was given one.
//   twilio-python  one scope per kind: a later scope of a kind replaces the
//                  earlier one in the earlier one's position (python keeps
//                  them in a dict); the incoming client name is copied into
//                  the outgoing scope whatever the order. An outgoing
//                  client_name that differs from the incoming one is refused
//                  rather than silently overwritten.
//
// Example:
//
//   std::string claim;
//   CAPTOKEN_RETURN_IF_ERROR(
//       AppendScopeClaim(Profile::kTwilioNode, spec.scopes, &claim));
//   // claim == "scope:client:incoming?clientName=alice"

#ifndef CAPTOKEN_SERVICE_TOKEN_INTERNAL_SCOPE_CLAIM_H_
#define CAPTOKEN_SERVICE_TOKEN_INTERNAL_SCOPE_CLAIM_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "service/token/capability_scope.h"

namespace captoken::token::internal {

// AppendScopeClaim appends the scope claim for `scopes` in `profile` to
// `out`. The scopes must already be valid (ValidateCapabilitySpec).
//
// Whatever the scopes hold, the claim is printable ASCII without '"' or
// '\\': every piece of text in it is percent-encoded. JSON of either style
// writes it unchanged, so the signer puts it into the payload as it is.
//
// Fails with INVALID_ARGUMENT only for the twilio-python client-name
// conflict described above.
absl::Status AppendScopeClaim(Profile profile,
                              absl::Span<const CapabilityScope> scopes,
                              std::string* out);

// ParseScopeClaim reads a scope claim written by either profile: scope
// strings separated by single spaces, each
// "scope:<service>:<privilege>?<form-encoded query>". It understands the
// node (`appParams`, literal path) and python (`params`, encoded path)
// spellings of the event stream.
//
// Fails with INVALID_ARGUMENT on an unknown scope, an unknown or repeated
// parameter, a missing required parameter, or undecodable text.
absl::StatusOr<std::vector<CapabilityScope>> ParseScopeClaim(
    absl::string_view claim);

}  // namespace captoken::token::internal

#endif  // CAPTOKEN_SERVICE_TOKEN_INTERNAL_SCOPE_CLAIM_H_
