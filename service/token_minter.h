// File: token_minter.h
// -----------------------------------------------------------------------------
//
// TokenMinter is the server's core, with no gRPC in it: it turns a request
// and the caller's identity into a response or a status, using the token
// library, the account keys and the caller policies. The gRPC layer
// (token_service.h) only adapts.
//
// Every status it returns has a fixed, secret-free message and the code the
// API documents:
//   INVALID_ARGUMENT    a malformed request (the message names the field);
//   UNAUTHENTICATED     caller policies are configured and the caller has no
//                       identity;
//   PERMISSION_DENIED   an account that is unknown, verify-only or not the
//                       caller's (all three alike: kAccountDenied), or a
//                       scope kind, client name or lifetime the caller's
//                       policy does not allow;
//   RESOURCE_EXHAUSTED  over the caller's rate; RetryDelay() says how long
//                       to wait.
//
// It never blocks: secrets and policies are in memory, read through a
// Snapshot that reloads swap atomically.
//
// Example:
//
//   TokenMinter minter(options, std::move(state));
//   AuditRecord audit;
//   absl::StatusOr<v1::TokenResponse> response =
//       minter.MintCapabilityToken(request, caller, &audit);

#ifndef CAPTOKEN_SERVICE_TOKEN_MINTER_H_
#define CAPTOKEN_SERVICE_TOKEN_MINTER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "captoken/v1/capability.pb.h"
#include "captoken/v1/token_service.pb.h"
#include "service/account_keys.h"
#include "service/caller_identity.h"
#include "service/caller_policy.h"
#include "service/rate_limiter.h"
#include "service/snapshot.h"
#include "service/token/capability_scope.h"
#include "service/token/capability_spec.h"
#include "service/token/clock.h"

namespace captoken::service {

// ServingState is what reloads replace, all at once: the accounts with their
// keys, and the caller policies.
struct ServingState {
  std::shared_ptr<const AccountKeys> accounts;
  std::shared_ptr<const CallerPolicies> callers;
};

// AuditRecord is what one call leaves in the audit log: never a token, a
// secret, a client name or a parameter.
struct AuditRecord {
  std::string method;
  std::string caller;
  std::string account_sid;
  std::vector<absl::string_view> scope_kinds;
  std::string profile;
  int64_t ttl_seconds = 0;
  // Set when a token was minted: the first 16 hex digits of its SHA-256.
  std::string token_fingerprint;
  // Set by VerifyToken: "valid" or the failure name.
  std::string verdict;
};

// TokenFingerprint returns the first 16 hex digits of SHA-256(token): enough
// to match a token with its audit line, useless for recovering it.
std::string TokenFingerprint(absl::string_view token);

// RetryDelay returns the delay a RESOURCE_EXHAUSTED status from the minter
// asks the caller to wait, if it carries one.
absl::optional<absl::Duration> RetryDelay(const absl::Status& status);

class TokenMinter {
 public:
  struct Options {
    token::Profile default_profile = token::Profile::kTwilioPython;
    token::SigningLimits signing_limits;
    size_t max_verify_token_bytes = 16 * 1024;
    // Must outlive the minter.
    const token::Clock* clock = &token::Clock::Real();
  };

  TokenMinter(Options options, std::shared_ptr<const ServingState> state);

  // MintCapabilityToken signs the requested token with the account's auth
  // token, if `caller` may. `audit` receives what the call should log,
  // success or not.
  absl::StatusOr<v1::TokenResponse> MintCapabilityToken(
      const v1::CapabilityRequest& request, const CallerIdentity& caller,
      AuditRecord* audit) const;

  // VerifyToken checks a token with the keys of the account it names (or of
  // request.account_sid), if `caller` may use that account. A token that
  // fails verification is an OK result with `valid` false.
  absl::StatusOr<v1::VerifyTokenResponse> VerifyToken(
      const v1::VerifyTokenRequest& request, const CallerIdentity& caller,
      AuditRecord* audit) const;

  // GetCallerPolicy describes `caller` as the server sees it.
  v1::GetCallerPolicyResponse GetCallerPolicy(const CallerIdentity& caller) const;

  // SetState replaces the accounts and policies atomically (reload).
  void SetState(std::shared_ptr<const ServingState> state);

 private:
  // The policy that governs `caller`: nullptr with OK for open access;
  // UNAUTHENTICATED or PERMISSION_DENIED if the caller may do nothing.
  absl::StatusOr<const CallerPolicy*> PolicyFor(
      const ServingState& state, const CallerIdentity& caller) const;

  Options options_;
  Snapshot<ServingState> state_;
  mutable RateLimiter rate_limiter_;
};

}  // namespace captoken::service

#endif  // CAPTOKEN_SERVICE_TOKEN_MINTER_H_
