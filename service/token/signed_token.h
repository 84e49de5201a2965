// File: signed_token.h
// -----------------------------------------------------------------------------
//
// SignedToken is what every signer returns: the compact token and the times
// it carries, so callers can report them without decoding the token.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(SignedToken signed_token,
//                             SignAccessToken(spec, api_key, now, limits));
//   response.set_token(signed_token.token);

#ifndef CAPTOKEN_SERVICE_TOKEN_SIGNED_TOKEN_H_
#define CAPTOKEN_SERVICE_TOKEN_SIGNED_TOKEN_H_

#include <string>

#include "absl/time/time.h"

namespace captoken::token {

// SignedToken is a token and the times it carries.
struct SignedToken {
  std::string token;
  absl::Time issue_time;
  absl::Time expire_time;
};

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_SIGNED_TOKEN_H_
