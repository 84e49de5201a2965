// File: token_minter.h
// -----------------------------------------------------------------------------
//
// TokenMinter is the server's core, with no gRPC in it: it turns a request
// into a response or a status, using the token library and the account keys
// loaded at start-up. The gRPC layer (token_service.h) only adapts.
//
// Every status it returns has a fixed, secret-free message and the code the
// API documents:
//   INVALID_ARGUMENT   a malformed request (the message names the field);
//   PERMISSION_DENIED  an unknown account, or one this server may not mint
//                      for (verify-only) — deliberately the same message.
//
// It never blocks: secrets are already in memory, and the only shared state
// (the account set) is read through a Snapshot.
//
// Example:
//
//   TokenMinter minter(options, std::move(account_keys));
//   AuditRecord audit;
//   absl::StatusOr<v1::TokenResponse> response =
//       minter.MintCapabilityToken(request, &audit);

#ifndef CAPTOKEN_SERVICE_TOKEN_MINTER_H_
#define CAPTOKEN_SERVICE_TOKEN_MINTER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "captoken/v1/capability.pb.h"
#include "captoken/v1/token_service.pb.h"
#include "service/account_keys.h"
#include "service/snapshot.h"
#include "service/token/capability_scope.h"
#include "service/token/capability_spec.h"
#include "service/token/clock.h"

namespace captoken::service {

// The message of every PERMISSION_DENIED about an account.
inline constexpr absl::string_view kAccountDenied =
    "not permitted for this account, or the account does not exist";

// AuditRecord is what one call leaves in the audit log: never a token, a
// secret, a client name or a parameter.
struct AuditRecord {
  std::string method;
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

class TokenMinter {
 public:
  struct Options {
    token::Profile default_profile = token::Profile::kTwilioPython;
    token::SigningLimits signing_limits;
    size_t max_verify_token_bytes = 16 * 1024;
    // Must outlive the minter.
    const token::Clock* clock = &token::Clock::Real();
  };

  TokenMinter(Options options, std::shared_ptr<const AccountKeys> accounts);

  // MintCapabilityToken signs the requested token with the account's auth
  // token. `audit` receives what the call should log, success or not.
  absl::StatusOr<v1::TokenResponse> MintCapabilityToken(
      const v1::CapabilityRequest& request, AuditRecord* audit) const;

  // VerifyToken checks a token with the key of the account it names (or of
  // request.account_sid). A token that fails verification is an OK result
  // with `valid` false; only a malformed request or a forbidden account is
  // an error.
  absl::StatusOr<v1::VerifyTokenResponse> VerifyToken(
      const v1::VerifyTokenRequest& request, AuditRecord* audit) const;

  // SetAccounts replaces the account set atomically (reload).
  void SetAccounts(std::shared_ptr<const AccountKeys> accounts);

 private:
  Options options_;
  Snapshot<AccountKeys> accounts_;
};

}  // namespace captoken::service

#endif  // CAPTOKEN_SERVICE_TOKEN_MINTER_H_
