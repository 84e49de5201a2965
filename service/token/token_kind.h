// File: token_kind.h
// -----------------------------------------------------------------------------
//
// Which kind of Twilio token a string is, and the SIDs that pick the keys to
// verify it with, read WITHOUT verifying it. A server that verifies every
// kind (VerifyToken) needs both before it can choose a verifier and look up
// an auth token or API key; nothing read here may be trusted until that
// verifier has passed.
//
//   kind          told by                          routing SIDs
//   access token  header has `cty`                 sub (account), iss (key)
//   capability    claims have `scope`              iss (account)
//   TaskRouter    claims have `policies`           iss (account)
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(
//       UnverifiedRouting routing,
//       ReadUnverifiedRouting(token, kMaxVerifyTokenBytes));
//   switch (routing.kind) {
//     case TokenKind::kAccessToken:
//       keys = accounts.ApiKeys(routing.account_sid, routing.api_key_sid);
//       ...

#ifndef CAPTOKEN_SERVICE_TOKEN_TOKEN_KIND_H_
#define CAPTOKEN_SERVICE_TOKEN_TOKEN_KIND_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace captoken::token {

enum class TokenKind {
  kCapability,
  kTaskRouter,
  kAccessToken,
};

// UnverifiedRouting is what a token says about itself before it is
// verified.
struct UnverifiedRouting {
  TokenKind kind = TokenKind::kCapability;
  // The account: iss of capability and TaskRouter tokens, sub of Access
  // Tokens. Always "AC" + 32 hex digits.
  std::string account_sid;
  // The API key (iss) of an Access Token, "SK" + 32 hex digits; empty for
  // the other kinds.
  std::string api_key_sid;
};

// ReadUnverifiedRouting decodes `token` without checking its MAC and
// returns its kind and routing SIDs.
//
// Fails (see verification_failure.h) with kTooLarge if `token` is longer
// than `max_token_bytes`, and kMalformed if it does not decode, is of no
// kind above, or lacks a well-formed routing SID.
absl::StatusOr<UnverifiedRouting> ReadUnverifiedRouting(absl::string_view token,
                                                        size_t max_token_bytes);

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_TOKEN_KIND_H_
