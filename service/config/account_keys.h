// File: account_keys.h
// -----------------------------------------------------------------------------
//
// AccountKeys is the immutable set of accounts a server signs for, each
// with its auth token prepared as an HMAC key and its API keys (for Access
// Tokens) prepared the same way. It is loaded once (at
// start-up, and again on reload) so that no request ever reads a secret
// from its source, and it is shared by reference: a request sees one whole
// set, never a mix.
//
// The accounts listed in the config are held here, shared by reference with
// the sets that replace this one when only a directory changed; those of
// account directories (account_directory.h) are held by reference, one
// immutable sharded map per directory (sharded_map.h), so that a reload in
// which a directory did not change shares its map instead of copying it, one
// in which an account changed copies one shard, and Find costs one hash
// lookup per source however many accounts there are.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(std::shared_ptr<const AccountKeys> keys,
//                             AccountKeys::Load(settings.accounts));
//   const AccountKeys::Account* account = keys->Find(sid);
//   const token::ApiKey* signer = account->SigningApiKey(request_key_sid);

#ifndef CAPTOKEN_SERVICE_CONFIG_ACCOUNT_KEYS_H_
#define CAPTOKEN_SERVICE_CONFIG_ACCOUNT_KEYS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "service/authz/account_set.h"
#include "service/config/server_config.h"
#include "service/config/sharded_map.h"
#include "service/token/api_key.h"
#include "service/token/crypto.h"

namespace captoken::config {

class AccountKeys {
 public:
  // ConfiguredApiKey is one of an account's API keys.
  struct ConfiguredApiKey {
    token::ApiKey key;
    // Verifies, never signs (a key being retired).
    bool verify_only = false;
  };

  struct Account {
    std::string account_sid;
    // Signs, and verifies.
    token::HmacSha256Key auth_token;
    bool verify_only = false;
    // Only verifies (the previous auth token during a rotation).
    absl::optional<token::HmacSha256Key> secondary_auth_token;
    // Access Tokens' keys, in config order (a directory's: by SID).
    std::vector<ConfiguredApiKey> api_keys;
    // The name of the account directory it was read from (shared by all of
    // that directory's accounts); null for an account listed in the config.
    std::shared_ptr<const std::string> directory;
    // Its labels (the directory's `labels` file), sorted, no duplicates.
    std::vector<std::string> labels;

    // What caller policies' account sets look at (account_set.h).
    authz::AccountTraits traits() const;

    // The keys a token of this account may be signed with, primary first.
    std::vector<const token::HmacSha256Key*> VerificationKeys() const;

    // SigningApiKey returns the key an Access Token for this account is
    // signed with: the key `sid` names, or with `sid` empty the first key
    // that may sign. nullptr if there is none, or it is verify-only.
    const token::ApiKey* SigningApiKey(absl::string_view sid) const;

    // VerificationApiKey returns the key `sid` names, verify-only keys
    // included, or nullptr.
    const token::ApiKey* VerificationApiKey(absl::string_view sid) const;
  };

  // AccountMap holds one directory's accounts by SID.
  using AccountMap = ShardedMap<Account>;

  // DirectoryAccounts are the accounts an account directory holds now.
  struct DirectoryAccounts {
    // Where they come from, for errors: "account_directories[0] /path".
    std::string source;
    std::shared_ptr<const AccountMap> accounts;
  };

  // Load reads every account's auth tokens and API key secrets from their
  // sources, and adds the accounts of `directories` (already read).
  //
  // Fails with the source's error (see secret_source.h), prefixed with the
  // account SID, which secret (and for an API key its SID) and the source
  // (variable name or path), never the secret; with INVALID_ARGUMENT if an
  // account SID is in two sources, naming both ("accounts[1]" and a
  // directory's `source`).
  static absl::StatusOr<std::shared_ptr<const AccountKeys>> Load(
      const std::vector<AccountSettings>& accounts,
      std::vector<DirectoryAccounts> directories = {});

  // WithDirectory returns a set equal to `base` but for directory `index`
  // (an index into the directories given to Load), whose accounts become
  // `accounts`: everything else is shared with `base`, nothing is read and
  // no account is looked at. `changed` are the SIDs that `accounts` added
  // or replaced: each is checked against the listed accounts and the other
  // directories, so a set with one account changed costs a few lookups, not
  // one per account.
  //
  // Fails with INVALID_ARGUMENT if a SID of `changed` is also in another
  // source, naming both as Load does; with OUT_OF_RANGE if `base` has no
  // directory `index`.
  static absl::StatusOr<std::shared_ptr<const AccountKeys>> WithDirectory(
      const AccountKeys& base, size_t index,
      std::shared_ptr<const AccountMap> accounts,
      const std::vector<std::string>& changed);

  // FromAccounts takes accounts that are already prepared (tests, and the
  // development account).
  static std::shared_ptr<const AccountKeys> FromAccounts(
      std::vector<Account> accounts);

  // Find returns the account with `account_sid`, or nullptr.
  const Account* Find(absl::string_view account_sid) const;

  // size counts every account, listed and from directories.
  size_t size() const;

 private:
  // The accounts listed in the config, and their index by SID: read once
  // per load of the config, shared by the sets made from it.
  struct Listed {
    std::vector<Account> accounts;
    absl::flat_hash_map<std::string, size_t> index;
  };

  explicit AccountKeys(std::vector<Account> accounts);
  AccountKeys(std::shared_ptr<const Listed> listed,
              std::vector<DirectoryAccounts> directories)
      : listed_(std::move(listed)), directories_(std::move(directories)) {}

  std::shared_ptr<const Listed> listed_;
  std::vector<DirectoryAccounts> directories_;
};

}  // namespace captoken::config

#endif  // CAPTOKEN_SERVICE_CONFIG_ACCOUNT_KEYS_H_
