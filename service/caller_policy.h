// File: caller_policy.h
// -----------------------------------------------------------------------------
//
// Caller policies (captoken.v1.CallerPolicy in the config), compiled once and
// checked on every call. Default deny: a caller no policy names may do
// nothing. A policy limits the accounts a caller may use, the scope kinds
// and client names it may request, the longest lifetime, and its rate.
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

#ifndef CAPTOKEN_SERVICE_CALLER_POLICY_H_
#define CAPTOKEN_SERVICE_CALLER_POLICY_H_

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
#include "service/token/capability_spec.h"

namespace captoken::service {

// The message of every PERMISSION_DENIED about an account: the same whether
// the account is unknown, verify-only, or not the caller's.
inline constexpr absl::string_view kAccountDenied =
    "not permitted for this account, or the account does not exist";

// CallerPolicy is one compiled policy.
class CallerPolicy {
 public:
  // The policy as configured (for GetCallerPolicy).
  const v1::CallerPolicy& config() const { return config_; }

  // Covers reports whether this policy names `identity`.
  bool Covers(absl::string_view identity) const;

  // AuthorizeAccount fails with PERMISSION_DENIED (kAccountDenied) unless
  // the caller may use `account_sid`.
  absl::Status AuthorizeAccount(absl::string_view account_sid) const;

  // AuthorizeMint checks a whole mint request whose token would live for
  // `lifetime`: the account, each scope's kind, each client name, and the
  // lifetime. Fails with PERMISSION_DENIED.
  absl::Status AuthorizeMint(const token::CapabilitySpec& spec,
                             absl::Duration lifetime) const;

  // The policy's lifetime cap, if it has one.
  absl::optional<absl::Duration> max_ttl() const { return max_ttl_; }

  bool rate_limited() const { return per_second_ > 0; }
  double per_second() const { return per_second_; }
  double burst() const { return burst_; }

 private:
  friend class CallerPolicies;
  CallerPolicy() = default;

  v1::CallerPolicy config_;
  std::unique_ptr<RE2> identity_pattern_;
  std::unique_ptr<RE2> client_name_pattern_;
  bool all_accounts_ = false;
  absl::flat_hash_set<std::string> accounts_;
  bool incoming_ = false;
  bool outgoing_ = false;
  bool events_ = false;
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
  // a scope kind of 0, a max_ttl outside (0, server_max_ttl], a rate that is
  // not positive.
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

}  // namespace captoken::service

#endif  // CAPTOKEN_SERVICE_CALLER_POLICY_H_
