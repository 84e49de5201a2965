// File: taskrouter_verifier.h
// -----------------------------------------------------------------------------
//
// TaskRouterVerifier checks a TaskRouter capability token and returns its
// claims, policies included.
//
// The order of checks is fixed, and the first failure wins:
//
//   1. size and shape (three base64url segments)     kTooLarge, kMalformed
//   2. the MAC, in constant time, before anything is parsed  kBadSignature
//   3. the header: alg HS256, typ JWT, nothing else          kUnsupportedHeader
//   4. the claims: iss and account_sid (the same account SID),
//      workspace_sid, channel, version, policies, integer exp;
//      optional friendly_name, worker_sid / taskqueue_sid
//      (equal to the channel), integer iat and nbf; nothing
//      else. Each policy has url, method and allow, and
//      optional query_filter and post_filter objects          kMalformed
//   5. the account is the expected one (if one is set)       kWrongAccount
//   6. exp > now - leeway                                    kExpired
//   7. nbf <= now + leeway                                   kNotYetValid
//
// Tokens from any SDK verify: twilio-node's, twilio-python 5.x's (spaced),
// and twilio-python 6+'s (account_sid first, iss and nbf last).
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(TaskRouterVerifier verifier,
//                             TaskRouterVerifier::Create({}));
//   absl::StatusOr<VerifiedTaskRouterToken> verified =
//       verifier.Verify(token, auth_token_key);
//   for (const TaskRouterPolicy& policy : verified->claims().policies) ...

#ifndef CAPTOKEN_SERVICE_TOKEN_TASKROUTER_VERIFIER_H_
#define CAPTOKEN_SERVICE_TOKEN_TASKROUTER_VERIFIER_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "service/token/crypto.h"
#include "service/token/jwt_verifier.h"
#include "service/token/taskrouter_spec.h"

namespace captoken::token {

// TaskRouterClaims are the claims of a TaskRouter token whose MAC verified.
struct TaskRouterClaims {
  std::string account_sid;                   // iss and account_sid
  std::string workspace_sid;                 // workspace_sid
  std::string channel_id;                    // channel
  std::string version;                       // version
  std::optional<std::string> friendly_name;  // friendly_name
  std::vector<TaskRouterPolicy> policies;    // policies, in token order
  std::string worker_sid;                    // worker_sid, or empty
  std::string taskqueue_sid;                 // taskqueue_sid, or empty
  absl::Time expire_time;                    // exp
  std::optional<absl::Time> issue_time;      // iat
  std::optional<absl::Time> not_before;      // nbf
};

// VerifiedTaskRouterToken is a token that passed every check.
class VerifiedTaskRouterToken {
 public:
  const TaskRouterClaims& claims() const { return claims_; }

 private:
  friend class TaskRouterVerifier;
  explicit VerifiedTaskRouterToken(TaskRouterClaims claims)
      : claims_(std::move(claims)) {}

  TaskRouterClaims claims_;
};

class TaskRouterVerifier {
 public:
  struct Options {
    // Clock, leeway and size limit, as for any JWT.
    JwtVerifier::Options jwt;
    // If set, the token's account must equal it.
    std::string expected_account_sid;
  };

  // Create checks `options`.
  //
  // Fails with INVALID_ARGUMENT for invalid JWT options (see
  // JwtVerifier::Create) or an expected_account_sid that is not an account
  // SID.
  static absl::StatusOr<TaskRouterVerifier> Create(Options options);

  // Verify checks `token` against each of `keys` (an account's current and
  // previous auth tokens, say) and returns it if it passes every check.
  //
  // On failure the status carries a VerificationFailure. If the MAC
  // verified but a later check failed (an expired token, say) and
  // `authenticated_claims` is not null, the claims are stored there.
  absl::StatusOr<VerifiedTaskRouterToken> Verify(
      absl::string_view token, absl::Span<const HmacSha256Key* const> keys,
      TaskRouterClaims* authenticated_claims = nullptr) const;

  // Verify with a single key.
  absl::StatusOr<VerifiedTaskRouterToken> Verify(
      absl::string_view token, const HmacSha256Key& key,
      TaskRouterClaims* authenticated_claims = nullptr) const {
    const HmacSha256Key* keys[] = {&key};
    return Verify(token, keys, authenticated_claims);
  }

 private:
  TaskRouterVerifier(JwtVerifier jwt_verifier, std::string expected_account_sid)
      : jwt_verifier_(std::move(jwt_verifier)),
        expected_account_sid_(std::move(expected_account_sid)) {}

  JwtVerifier jwt_verifier_;
  std::string expected_account_sid_;
};

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_TASKROUTER_VERIFIER_H_
