// File: access_token_request.h
// -----------------------------------------------------------------------------
//
// Converts a captoken.v1.AccessTokenRequest into the token library's
// AccessTokenSpec. The API key that signs is not part of the spec: the
// request's api_key_sid picks it from the account's configured keys (the
// server) or names the key whose secret the caller holds (the CLI). Only
// shape is checked here; every value rule is the library's, so the CLI and
// the server refuse exactly the same requests.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(
//       token::AccessTokenSpec spec,
//       AccessTokenSpecFromProto(request, token::Profile::kTwilioPython));
//   absl::StatusOr<token::CheckedAccessToken> checked =
//       token::CheckAccessToken(spec, now, limits);
//   if (!checked.ok()) return
//   AccessTokenStatusInRequestTerms(checked.status());

#ifndef CAPTOKEN_SERVICE_CONVERT_ACCESS_TOKEN_REQUEST_H_
#define CAPTOKEN_SERVICE_CONVERT_ACCESS_TOKEN_REQUEST_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "captoken/v1/access_token.pb.h"
#include "service/token/access_token_spec.h"
#include "service/token/profile.h"

namespace captoken::convert {

// AccessTokenSpecFromProto converts `request` (all but api_key_sid);
// PROFILE_UNSPECIFIED becomes `default_profile`.
//
// Fails with INVALID_ARGUMENT naming the field for: a grant with no kind,
// voice parameters or a playback grant that are not JSON (see
// access_grant.h), an unknown profile, a ttl, expire_time or not_before
// outside protobuf's range.
absl::StatusOr<token::AccessTokenSpec> AccessTokenSpecFromProto(
    const v1::AccessTokenRequest& request, token::Profile default_profile);

// AccessTokenStatusInRequestTerms rewrites a library error (from
// CheckAccessToken) so that it names the request's fields: the library
// names grants by their key in the token ("data_sync", "player.grant",
// "voice.outgoing_application_params"), the request by its proto fields
// ("sync", "playback.grant_json", "voice.outgoing_application_params_json").
// Other statuses are returned unchanged.
absl::Status AccessTokenStatusInRequestTerms(const absl::Status& status);

}  // namespace captoken::convert

#endif  // CAPTOKEN_SERVICE_CONVERT_ACCESS_TOKEN_REQUEST_H_
