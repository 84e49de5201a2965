// File: access_grant.h
// -----------------------------------------------------------------------------
//
// Converts Access Token grants between the wire contract
// (captoken.v1.AccessGrant) and the token library (token::AccessGrant), in
// both directions: requests carry grants in, and VerifyToken hands a
// verified token's grants back. JSON the token copies verbatim (voice
// parameters, the playback grant) travels as text.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(token::AccessGrant grant,
//                             GrantFromProto("grants[0]", request.grants(0)));
//   GrantToProto(claims.grants[0], response.add_grants());

#ifndef CAPTOKEN_SERVICE_CONVERT_ACCESS_GRANT_H_
#define CAPTOKEN_SERVICE_CONVERT_ACCESS_GRANT_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "captoken/v1/access_token.pb.h"
#include "captoken/v1/config.pb.h"
#include "service/token/access_grant.h"

namespace captoken::convert {

// GrantFromProto converts one grant; `field` names it in errors
// ("grants[1]").
//
// Fails with INVALID_ARGUMENT for a grant with no kind set, voice
// parameters or a playback grant that are not JSON, or an empty playback
// grant. Whether the JSON is an object the token may carry is the
// library's rule.
absl::StatusOr<token::AccessGrant> GrantFromProto(absl::string_view field,
                                                  const v1::AccessGrant& grant);

// GrantToProto writes `grant` into `out`.
void GrantToProto(const token::AccessGrant& grant, v1::AccessGrant* out);

// GrantKindOf returns the caller-policy kind of `grant`.
v1::GrantKind GrantKindOf(const token::AccessGrant& grant);

}  // namespace captoken::convert

#endif  // CAPTOKEN_SERVICE_CONVERT_ACCESS_GRANT_H_
