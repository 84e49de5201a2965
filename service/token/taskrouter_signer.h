// File: taskrouter_signer.h
// -----------------------------------------------------------------------------
//
// SignTaskRouterToken turns a TaskRouterSpec into a signed TaskRouter
// capability token whose bytes equal the chosen SDK profile's (spec §3):
//
//   twilio-node    header {"alg":"HS256","typ":"JWT"}
//                  claims iss, exp, version, [friendly_name], account_sid,
//                         channel, workspace_sid, policies,
//                         [worker_sid | taskqueue_sid], iat     (compact)
//                  policy url, method, query_filter, post_filter, allow
//   twilio-python  header {"typ": "JWT", "alg": "HS256"}
//                  claims iss, exp, version, friendly_name, policies,
//                         account_sid, workspace_sid, channel,
//                         [worker_sid | taskqueue_sid]          (spaced)
//                  policy url, method, allow, query_filter, post_filter
//
// twilio-node leaves friendly_name out when none is given; twilio-python
// writes the given name, or the channel id. worker_sid (taskqueue_sid) is
// the channel id of a "WK" ("WQ") channel. The key is the account's auth
// token, as for capability tokens.
//
// The clock is read once by the caller and passed in as `now`; every claim
// uses that one value, truncated to whole seconds (spec §1.4).
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(
//       SignedToken signed_token,
//       SignTaskRouterToken(spec, auth_token_key, clock.Now(), limits));

#ifndef CAPTOKEN_SERVICE_TOKEN_TASKROUTER_SIGNER_H_
#define CAPTOKEN_SERVICE_TOKEN_TASKROUTER_SIGNER_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/token/crypto.h"
#include "service/token/signed_token.h"
#include "service/token/signing_limits.h"
#include "service/token/taskrouter_spec.h"

namespace captoken::token {

// CheckedTaskRouter is a spec that passed ValidateTaskRouterSpec, with its
// lifetime resolved. Only CheckTaskRouter makes one, so holding one proves
// the checks ran; callers may look at it (to authorize the request, say)
// before signing it. It refers to the spec, which must outlive it.
class CheckedTaskRouter {
 public:
  const TaskRouterSpec& spec() const { return *spec_; }
  absl::Time issue_time() const { return issue_time_; }
  absl::Time expire_time() const { return expire_time_; }
  absl::Duration lifetime() const { return expire_time_ - issue_time_; }

 private:
  friend absl::StatusOr<CheckedTaskRouter> CheckTaskRouter(
      const TaskRouterSpec& spec, absl::Time now, const SigningLimits& limits);
  CheckedTaskRouter(const TaskRouterSpec* spec, absl::Time issue_time,
                    absl::Time expire_time)
      : spec_(spec), issue_time_(issue_time), expire_time_(expire_time) {}

  const TaskRouterSpec* spec_;
  absl::Time issue_time_;
  absl::Time expire_time_;
};

// CheckTaskRouter validates `spec` against `limits` (ValidateTaskRouterSpec)
// and resolves its lifetime as of `now` (ResolveLifetime).
//
// Fails with INVALID_ARGUMENT naming the offending field.
absl::StatusOr<CheckedTaskRouter> CheckTaskRouter(const TaskRouterSpec& spec,
                                                  absl::Time now,
                                                  const SigningLimits& limits);

// SignCheckedTaskRouter renders the checked spec's claims in its profile
// and signs them with `key` (the account's auth token).
//
// Fails with INVALID_ARGUMENT for a token longer than
// `limits.max_token_bytes`.
absl::StatusOr<SignedToken> SignCheckedTaskRouter(
    const CheckedTaskRouter& checked, const HmacSha256Key& key,
    const SigningLimits& limits);

// SignTaskRouterToken is CheckTaskRouter followed by SignCheckedTaskRouter.
absl::StatusOr<SignedToken> SignTaskRouterToken(const TaskRouterSpec& spec,
                                                const HmacSha256Key& key,
                                                absl::Time now,
                                                const SigningLimits& limits);

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_TASKROUTER_SIGNER_H_
