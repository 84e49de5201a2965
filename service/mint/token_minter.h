// File: token_minter.h
// -----------------------------------------------------------------------------
//
// TokenMinter is the server's core, with no gRPC in it: it turns a request
// and the caller's identity into a response or a status, using the token
// library, the account keys and the caller policies, for every kind of
// token (capability, TaskRouter, Access Token) and for batches of them. The
// gRPC layer (token_service.h) only adapts.
//
// Every status it returns has a fixed, secret-free message and the code the
// API documents:
//   INVALID_ARGUMENT    a malformed request (the message names the field);
//   UNAUTHENTICATED     the caller presented an identity that is refused
//                       whatever the policies (CallerIdentity::rejection;
//                       the message is the rejection's fixed phrase), or
//                       caller policies are configured and the caller has
//                       no identity;
//   PERMISSION_DENIED   an account that is unknown, verify-only or not the
//                       caller's (all three alike: kAccountDenied), an API
//                       key that is unknown or verify-only (kApiKeyDenied),
//                       or a token kind, scope kind, client name, grant
//                       kind, identity or lifetime the caller's policy does
//                       not allow;
//   RESOURCE_EXHAUSTED  over the caller's rate; RetryDelay() says how long
//                       to wait.
// Each refusal also carries its RefusalReason (refusal_reason.h), which
// tells apart what one code and one message cover.
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

#ifndef CAPTOKEN_SERVICE_MINT_TOKEN_MINTER_H_
#define CAPTOKEN_SERVICE_MINT_TOKEN_MINTER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "captoken/v1/access_token.pb.h"
#include "captoken/v1/capability.pb.h"
#include "captoken/v1/taskrouter.pb.h"
#include "captoken/v1/token_service.pb.h"
#include "service/authz/caller_identity.h"
#include "service/authz/caller_policy.h"
#include "service/authz/rate_limiter.h"
#include "service/authz/refusal_reason.h"
#include "service/config/account_keys.h"
#include "service/config/snapshot.h"
#include "service/token/capability_scope.h"
#include "service/token/capability_spec.h"
#include "service/token/clock.h"
#include "service/token/jwt_verifier.h"
#include "service/token/signed_token.h"

namespace captoken::mint {

// The message of every PERMISSION_DENIED about an API key: the same whether
// the key is unknown, verify-only or another account's.
inline constexpr absl::string_view kApiKeyDenied =
    "not permitted for this API key, or the key does not exist";

// ServingState is what reloads replace, all at once: the accounts with their
// keys, and the caller policies.
struct ServingState {
  std::shared_ptr<const config::AccountKeys> accounts;
  std::shared_ptr<const authz::CallerPolicies> callers;
};

// NameList holds the names an audit record lists (scope kinds, policy
// sets, grant kinds): constants, and mostly few, so kept inline rather than
// allocated for every token.
using NameList = absl::InlinedVector<absl::string_view, 4>;

// AuditRecord is what one call (or one item of a batch) leaves in the audit
// log: never a token, a secret, a client name, an identity or a parameter.
// Fingerprint holds a token's fingerprint (TokenFingerprint), or nothing.
// Inline: sixteen characters are one more than a std::string keeps without
// allocating, and every token minted has a fingerprint in its audit record.
class Fingerprint {
 public:
  static constexpr size_t kDigits = 16;

  Fingerprint() = default;

  bool empty() const { return size_ == 0; }
  void clear() { size_ = 0; }
  absl::string_view view() const { return absl::string_view(digits_, size_); }
  operator absl::string_view() const { return view(); }  // NOLINT: a view.

  friend bool operator==(const Fingerprint& a, const Fingerprint& b) {
    return a.view() == b.view();
  }
  friend bool operator==(const Fingerprint& a, absl::string_view b) {
    return a.view() == b;
  }
  friend bool operator==(absl::string_view a, const Fingerprint& b) {
    return a == b.view();
  }
  friend std::ostream& operator<<(std::ostream& out, const Fingerprint& f) {
    return out << f.view();
  }

 private:
  friend Fingerprint TokenFingerprint(absl::string_view token);

  char digits_[kDigits] = {};
  uint8_t size_ = 0;
};

struct AuditRecord {
  // The method's name: always a constant, so a view of it.
  absl::string_view method;
  std::string caller;
  std::string account_sid;
  // "capability", "taskrouter" or "access" (kind_names.h); empty while the
  // kind is unknown.
  std::string kind;
  // The item's index in its BatchMint; -1 for a single call.
  int64_t batch_item = -1;
  // A BatchMint call's number of requests; -1 for anything else.
  int64_t batch_size = -1;
  NameList scope_kinds;
  // TaskRouter: the standard policy sets asked for, in order.
  NameList policy_sets;
  // Access Tokens: the grants' kinds, in order.
  NameList grant_kinds;
  // Access Tokens: the API key that signed, or was named.
  std::string api_key_sid;
  std::string profile;
  int64_t ttl_seconds = 0;
  // Set when a token was minted: the first 16 hex digits of its SHA-256.
  Fingerprint token_fingerprint;
  // Set by VerifyToken: "valid" or the failure name.
  std::string verdict;
  // Why the call (or item) was refused; kNone if it was not. Set by the
  // minter for batch items, whose statuses it turns into codes and
  // messages, and by the gRPC layer for whole calls.
  authz::RefusalReason refusal = authz::RefusalReason::kNone;
};

// BatchAudit is what a BatchMint leaves behind: a record for the call, one
// per item (each with its batch_item index), and, if any item was refused
// for the caller's rate, the delay the first such item was told to wait.
struct BatchAudit {
  AuditRecord call;
  std::vector<AuditRecord> items;
  absl::optional<absl::Duration> retry_delay;
};

// TokenFingerprint returns the first 16 hex digits of SHA-256(token): enough
// to match a token with its audit line, useless for recovering it.
Fingerprint TokenFingerprint(absl::string_view token);

// RetryDelay returns the delay a RESOURCE_EXHAUSTED status from the minter
// asks the caller to wait, if it carries one.
absl::optional<absl::Duration> RetryDelay(const absl::Status& status);

class TokenMinter {
 public:
  struct Options {
    token::Profile default_profile = token::Profile::kTwilioPython;
    token::SigningLimits signing_limits;
    size_t max_verify_token_bytes = token::kMaxVerifyTokenBytes;
    size_t max_batch_requests = 100;
    // Must outlive the minter.
    const token::Clock* clock = &token::Clock::Real();
  };

  TokenMinter(Options options, std::shared_ptr<const ServingState> state);

  // MintCapabilityToken signs the requested token with the account's auth
  // token, if `caller` may. `audit` receives what the call should log,
  // success or not.
  absl::StatusOr<v1::TokenResponse> MintCapabilityToken(
      const v1::CapabilityRequest& request, const authz::CallerIdentity& caller,
      AuditRecord* audit) const;

  // MintTaskRouterToken signs a TaskRouter token with the account's auth
  // token, if `caller` may. A deny policy under the twilio-node profile is
  // INVALID_ARGUMENT (that SDK cannot write one).
  absl::StatusOr<v1::TokenResponse> MintTaskRouterToken(
      const v1::TaskRouterRequest& request, const authz::CallerIdentity& caller,
      AuditRecord* audit) const;

  // MintAccessToken signs an Access Token with the API key the request
  // names (or the account's first key that may sign), if `caller` may. An
  // account without a key that may sign is refused like an unknown account.
  absl::StatusOr<v1::TokenResponse> MintAccessToken(
      const v1::AccessTokenRequest& request,
      const authz::CallerIdentity& caller, AuditRecord* audit) const;

  // BatchMint signs each request of `request` as the single call of its
  // kind would, in order, and returns one MintResult per request: one
  // item's failure never fails another, and each item that reaches the
  // rate limit takes one unit of the caller's rate. `audit` receives a
  // record for the call and one per item (none if the call fails).
  //
  // Fails as a whole with INVALID_ARGUMENT for no requests or more than
  // `max_batch_requests`, UNAUTHENTICATED for a caller without an identity
  // when policies are configured, and PERMISSION_DENIED (kAccountDenied)
  // for a caller no policy names.
  //
  // The results are written into `response` (cleared first, and left empty
  // if the call fails), so that a response on a protobuf arena is filled in
  // place, with no copy.
  absl::Status BatchMint(const v1::BatchMintRequest& request,
                         const authz::CallerIdentity& caller,
                         v1::BatchMintResponse* response,
                         BatchAudit* audit) const;

  // VerifyToken checks a token of any kind with the keys of the account it
  // names (or of request.account_sid), if `caller` may use that account and
  // that kind: an account's auth tokens for capability and TaskRouter
  // tokens, the account's API key named in `iss` for Access Tokens. A token
  // that fails verification is an OK result with `valid` false.
  absl::StatusOr<v1::VerifyTokenResponse> VerifyToken(
      const v1::VerifyTokenRequest& request,
      const authz::CallerIdentity& caller, AuditRecord* audit) const;

  // GetCallerPolicy describes `caller` as the server sees it.
  //
  // Fails with UNAUTHENTICATED for a caller whose identity is refused
  // (CallerIdentity::rejection).
  absl::StatusOr<v1::GetCallerPolicyResponse> GetCallerPolicy(
      const authz::CallerIdentity& caller) const;

  // SetState replaces the accounts and policies atomically (reload).
  void SetState(std::shared_ptr<const ServingState> state);

  // state returns the accounts and policies served now, for a reload that
  // replaces only part of them (account_changes.h).
  std::shared_ptr<const ServingState> state() const { return state_.Get(); }

 private:
  // The policy that governs `caller`: nullptr with OK for open access;
  // UNAUTHENTICATED (a refused identity first, even under open access) or
  // PERMISSION_DENIED if the caller may do nothing.
  absl::StatusOr<const authz::CallerPolicy*> PolicyFor(
      const ServingState& state, const authz::CallerIdentity& caller) const;

  // One call's view of the server, read once so that every item of a batch
  // sees the same accounts and policies. `policy` is PolicyFor's result,
  // reported only after the request has been validated.
  struct Call {
    // Held for the call only: a replaced state (and its keys) is released
    // when the last call that read it is done.
    std::shared_ptr<const ServingState> state;
    const authz::CallerIdentity& caller;
    absl::StatusOr<const authz::CallerPolicy*> policy;
  };

  // NewCall reads the current state and `caller`'s policy.
  Call NewCall(const authz::CallerIdentity& caller) const;

  // Mint signs one request of any kind (sign_request.h's RequestKind). It
  // writes the token into `response` only once it is signed: on any other
  // status `response` is untouched.
  template <typename Request>
  absl::Status Mint(const Request& request, const Call& call,
                    AuditRecord* audit, v1::TokenResponse* response) const;
  // MintOne is a single call's Mint, with the call's own view of the state.
  template <typename Request>
  absl::StatusOr<v1::TokenResponse> MintOne(const Request& request,
                                            const authz::CallerIdentity& caller,
                                            AuditRecord* audit) const;
  absl::Status MintItem(const v1::MintRequest& request, const Call& call,
                        AuditRecord* audit, v1::TokenResponse* response) const;

  // The signing limits for `policy`'s caller: a request without a lifetime
  // gets the default, shortened to fit the policy's max_ttl.
  token::SigningLimits LimitsFor(const authz::CallerPolicy* policy) const;
  // The account that signs, given what the keys hold for the request's
  // account (null: none): PERMISSION_DENIED (kAccountDenied) if it is
  // unknown or verify-only.
  static absl::StatusOr<const config::AccountKeys::Account*> SigningAccount(
      const config::AccountKeys::Account* account);
  // Takes one unit of the caller's rate, or says how long to wait.
  absl::Status TakeRate(const authz::CallerPolicy* policy,
                        const authz::CallerIdentity& caller) const;
  // Writes the response for a signed token into `response`; records its
  // fingerprint in `audit`.
  static void FillResponse(token::SignedToken signed_token,
                           token::Profile profile, AuditRecord* audit,
                           v1::TokenResponse* response);

  Options options_;
  config::Snapshot<ServingState> state_;
  mutable authz::RateLimiter rate_limiter_;
};

}  // namespace captoken::mint

#endif  // CAPTOKEN_SERVICE_MINT_TOKEN_MINTER_H_
