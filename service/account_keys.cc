#include "service/account_keys.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "service/secrets/secret_source.h"
#include "service/token/secret.h"

namespace captoken::service {
namespace {

absl::StatusOr<token::HmacSha256Key> ReadKey(const v1::SecretSource& source,
                                             absl::string_view account_sid,
                                             absl::string_view which) {
  absl::StatusOr<token::Secret> secret =
      source.has_env() ? secrets::ReadSecretFromEnv(source.env())
                       : secrets::ReadSecretFromFile(source.file());
  absl::StatusOr<token::HmacSha256Key> key =
      secret.ok() ? token::HmacSha256Key::Create(secret->RevealSecretBytes())
                  : absl::StatusOr<token::HmacSha256Key>(secret.status());
  if (!key.ok()) {
    return absl::Status(key.status().code(),
                        absl::StrCat("account ", account_sid, ": ", which,
                                     ": ", key.status().message()));
  }
  return key;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const AccountKeys>> AccountKeys::Load(
    const std::vector<AccountSettings>& accounts) {
  std::vector<Account> loaded;
  loaded.reserve(accounts.size());
  for (const AccountSettings& settings : accounts) {
    absl::StatusOr<token::HmacSha256Key> key =
        ReadKey(settings.auth_token, settings.account_sid, "auth token");
    if (!key.ok()) return key.status();
    Account& account = loaded.emplace_back(
        Account{settings.account_sid, *std::move(key), settings.verify_only,
                absl::nullopt});
    if (settings.secondary_auth_token.has_value()) {
      absl::StatusOr<token::HmacSha256Key> secondary =
          ReadKey(*settings.secondary_auth_token, settings.account_sid,
                  "secondary auth token");
      if (!secondary.ok()) return secondary.status();
      account.secondary_auth_token.emplace(*std::move(secondary));
    }
  }
  return FromAccounts(std::move(loaded));
}

std::shared_ptr<const AccountKeys> AccountKeys::FromAccounts(
    std::vector<Account> accounts) {
  return std::shared_ptr<const AccountKeys>(
      new AccountKeys(std::move(accounts)));
}

AccountKeys::AccountKeys(std::vector<Account> accounts)
    : accounts_(std::move(accounts)) {
  for (size_t i = 0; i < accounts_.size(); ++i) {
    index_.emplace(accounts_[i].account_sid, i);
  }
}

std::vector<const token::HmacSha256Key*>
AccountKeys::Account::VerificationKeys() const {
  std::vector<const token::HmacSha256Key*> keys = {&auth_token};
  if (secondary_auth_token.has_value()) keys.push_back(&*secondary_auth_token);
  return keys;
}

const AccountKeys::Account* AccountKeys::Find(
    absl::string_view account_sid) const {
  auto it = index_.find(account_sid);
  return it == index_.end() ? nullptr : &accounts_[it->second];
}

}  // namespace captoken::service
