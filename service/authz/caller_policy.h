// File: caller_policy.h
// -----------------------------------------------------------------------------
//
// Caller policies (captoken.v1.CallerPolicy in the config), compiled once and
// checked on every call. Default deny: a caller no policy names may do
// nothing. A policy limits the accounts a caller may use (for every kind of
// token: listed by SID, or named as sets of directory accounts,
// account_set.h), the kinds of token it may mint and verify (capability tokens
// only unless it says otherwise, so configs written before the other kinds keep
// their meaning), the scope kinds and client names of capability tokens,
// the grant kinds and identities of Access Tokens, the longest lifetime,
// and its rate.
//
// Account checks come first, and an account the caller may not use gets the
// same PERMISSION_DENIED as an account that does not exist, so a caller
// cannot probe which accounts the server holds.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(std::shared_ptr<const CallerPolicies> policies,
//                             CallerPolicies::Compile(config.callers()));
//   const CallerPolicy* policy = policies->Match(caller.identity);
//   CAPTOKEN_RETURN_IF_ERROR(policy->AuthorizeMint(spec, lifetime));

#ifndef CAPTOKEN_SERVICE_AUTHZ_CALLER_POLICY_H_
#define CAPTOKEN_SERVICE_AUTHZ_CALLER_POLICY_H_

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "captoken/v1/config.pb.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "re2/re2.h"
#include "service/authz/account_set.h"
#include "service/token/access_token_spec.h"
#include "service/token/capability_spec.h"
#include "service/token/taskrouter_spec.h"
#include "service/token/token_kind.h"

namespace captoken::authz {

// The message of every PERMISSION_DENIED about an account: the same whether
// the account is unknown, verify-only, or not the caller's.
inline constexpr absl::string_view kAccountDenied =
    "not permitted for this account, or the account does not exist";

// CallerPolicy is one compiled policy. Each refusal carries the
// RefusalReason (refusal_reason.h) of the rule that refused.
class CallerPolicy {
 public:
  // The policy as configured (for GetCallerPolicy).
  const v1::CallerPolicy& config() const { return config_; }

  // Covers reports whether this policy names `identity`.
  bool Covers(absl::string_view identity) const;

  // AuthorizeAccount fails with PERMISSION_DENIED (kAccountDenied) unless
  // the caller may use `account_sid`, whose `traits` (the account keys'
  // say; none for an account the server does not hold) the policy's
  // account sets are checked against.
  absl::Status AuthorizeAccount(absl::string_view account_sid,
                                const AccountTraits& traits = {}) const;

  // AuthorizeKind fails with PERMISSION_DENIED unless the caller may mint
  // and verify tokens of `kind`.
  absl::Status AuthorizeKind(token::TokenKind kind) const;

  // AuthorizeMint checks a whole capability request whose token would live
  // for `lifetime`: the account, the kind, each scope's kind, each client
  // name, and the lifetime. Fails with PERMISSION_DENIED.
  absl::Status AuthorizeMint(const token::CapabilitySpec& spec,
                             absl::Duration lifetime,
                             const AccountTraits& traits = {}) const;

  // AuthorizeTaskRouter checks a TaskRouter request: the account, the kind
  // and the lifetime. Fails with PERMISSION_DENIED.
  absl::Status AuthorizeTaskRouter(const token::TaskRouterSpec& spec,
                                   absl::Duration lifetime,
                                   const AccountTraits& traits = {}) const;

  // AuthorizeAccessToken checks an Access Token request: the account, the
  // kind, each grant's kind, the identity, and the lifetime. Fails with
  // PERMISSION_DENIED.
  absl::Status AuthorizeAccessToken(const token::AccessTokenSpec& spec,
                                    absl::Duration lifetime,
                                    const AccountTraits& traits = {}) const;

  // The policy's lifetime cap, if it has one.
  absl::optional<absl::Duration> max_ttl() const { return max_ttl_; }

  bool rate_limited() const { return per_second_ > 0; }
  double per_second() const { return per_second_; }
  double burst() const { return burst_; }

 private:
  friend class CallerPolicies;
  CallerPolicy() = default;

  absl::Status AuthorizeLifetime(absl::Duration lifetime) const;

  v1::CallerPolicy config_;
  std::unique_ptr<RE2> identity_pattern_;
  std::unique_ptr<RE2> client_name_pattern_;
  bool all_accounts_ = false;
  absl::flat_hash_set<std::string> accounts_;
  std::vector<AccountSet> account_sets_;
  bool incoming_ = false;
  bool outgoing_ = false;
  bool events_ = false;
  // Indexed by v1::TokenKindAllowed and v1::GrantKind.
  std::array<bool, v1::TokenKindAllowed_ARRAYSIZE> token_kinds_{};
  std::array<bool, v1::GrantKind_ARRAYSIZE> grant_kinds_{};
  std::unique_ptr<RE2> access_identity_pattern_;
  absl::optional<absl::Duration> max_ttl_;
  double per_second_ = 0;
  double burst_ = 0;
};

// CallerPolicies is the immutable list of a config's policies.
class CallerPolicies {
 public:
  // Compile checks and compiles `policies`.
  //
  // Fails with INVALID_ARGUMENT naming the field: a policy with no identity
  // or pattern, a pattern RE2 refuses, an account that is not an SID or "*",
  // an account set with neither directory nor label or a malformed label,
  // a scope, token or grant kind that is 0 or unknown, a max_ttl outside
  // (0, server_max_ttl], a rate that is not positive.
  static absl::StatusOr<std::shared_ptr<const CallerPolicies>> Compile(
      const google::protobuf::RepeatedPtrField<v1::CallerPolicy>& policies,
      absl::Duration server_max_ttl);

  // open reports whether there are no policies (every caller may do
  // everything: loopback development setups only).
  bool open() const { return policies_.empty(); }

  // Match returns the first policy that covers `identity`, or nullptr.
  const CallerPolicy* Match(absl::string_view identity) const;

 private:
  std::vector<std::unique_ptr<CallerPolicy>> policies_;
};

}  // namespace captoken::authz

#endif  // CAPTOKEN_SERVICE_AUTHZ_CALLER_POLICY_H_
