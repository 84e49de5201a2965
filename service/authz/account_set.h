// File: account_set.h
// -----------------------------------------------------------------------------
//
// AccountSet (captoken.v1.AccountSet in a caller policy) names accounts
// without listing them: every account of an account directory, every
// account carrying a label, or both at once. A policy checks an account
// against its sets with what the account keys say of it (AccountTraits), so
// the check costs the same with ten accounts as with a million: it looks
// at the one account, never at the others.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(AccountSet set,
//                             AccountSet::Compile(config.account_sets(0)));
//   const std::vector<std::string> labels = {"tier:gold"};
//   bool in = set.Contains({.directory = "tenants", .labels = labels});

#ifndef CAPTOKEN_SERVICE_AUTHZ_ACCOUNT_SET_H_
#define CAPTOKEN_SERVICE_AUTHZ_ACCOUNT_SET_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "captoken/v1/config.pb.h"

namespace captoken::authz {

// AccountTraits is what a policy may know of an account besides its SID.
struct AccountTraits {
  // The name of the account directory it was read from; empty for an
  // account listed in the config.
  absl::string_view directory;
  // Its labels, sorted, without duplicates.
  absl::Span<const std::string> labels;
};

// IsAccountDirectoryName reports whether `name` may name an account
// directory: 1 to 64 letters, digits, ".", "_" or "-".
bool IsAccountDirectoryName(absl::string_view name);

// IsAccountLabel reports whether `label` is a well-formed label: 1 to 128
// letters, digits, ".", "_", "-", ":", "/" or "=".
bool IsAccountLabel(absl::string_view label);

class AccountSet {
 public:
  // Compile checks `config`.
  //
  // Fails with INVALID_ARGUMENT (a fixed phrase; the caller names the
  // field) if neither field is set or the label is malformed. Whether the
  // directory exists is the config's to check (server_config.h).
  static absl::StatusOr<AccountSet> Compile(const v1::AccountSet& config);

  // Contains reports whether an account with `traits` is in the set.
  bool Contains(const AccountTraits& traits) const;

 private:
  AccountSet(std::string directory, std::string label)
      : directory_(std::move(directory)), label_(std::move(label)) {}

  // Empty: any.
  std::string directory_;
  std::string label_;
};

}  // namespace captoken::authz

#endif  // CAPTOKEN_SERVICE_AUTHZ_ACCOUNT_SET_H_
