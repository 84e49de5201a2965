#include "service/serve/loaded_config.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "captoken/v1/config.pb.h"
#include "service/config/account_keys.h"
#include "service/token/api_key.h"
#include "service/token/crypto.h"
#include "service/token/status_macros.h"

namespace captoken::serve {
namespace {

// The development account's keys are built in, not read from a source.
absl::StatusOr<std::shared_ptr<const config::AccountKeys>>
DevelopmentAccounts() {
  CAPTOKEN_ASSIGN_OR_RETURN(
      token::HmacSha256Key key,
      token::HmacSha256Key::Create(config::kDevelopmentAuthToken));
  CAPTOKEN_ASSIGN_OR_RETURN(
      token::ApiKey api_key,
      token::ApiKey::Create(config::kDevelopmentApiKeySid,
                            config::kDevelopmentApiKeySecret));
  std::vector<config::AccountKeys::Account> accounts;
  config::AccountKeys::Account& account =
      accounts.emplace_back(config::AccountKeys::Account{
          std::string(config::kDevelopmentAccountSid), std::move(key),
          /*verify_only=*/false});
  account.api_keys.push_back({std::move(api_key), /*verify_only=*/false});
  return config::AccountKeys::FromAccounts(std::move(accounts));
}

}  // namespace

absl::StatusOr<LoadedConfig> LoadConfig(
    const std::string& config_path, const std::string& listen_override,
    config::AccountDirectories* directories,
    const std::function<void(const config::AccountDirectorySettings&,
                             const config::AccountDirectory::Refreshed&)>&
        on_refresh,
    config::AccountWatch* watch) {
  LoadedConfig loaded;
  std::shared_ptr<const config::AccountKeys> accounts;
  if (config_path.empty()) {
    loaded.development = true;
    loaded.settings = config::DevelopmentSettings();
    CAPTOKEN_ASSIGN_OR_RETURN(accounts, DevelopmentAccounts());
  } else {
    CAPTOKEN_ASSIGN_OR_RETURN(v1::ServerConfig config,
                              config::ReadServerConfigFile(config_path));
    CAPTOKEN_ASSIGN_OR_RETURN(loaded.settings,
                              config::ServerSettingsFromConfig(config));
    config::AccountDirectories fresh;
    if (directories == nullptr) directories = &fresh;
    CAPTOKEN_ASSIGN_OR_RETURN(
        std::vector<config::AccountKeys::DirectoryAccounts> held,
        directories->Refresh(
            loaded.settings.account_directories,
            [&](const config::AccountDirectorySettings& directory,
                const config::AccountDirectory::Refreshed& refreshed) {
              if (on_refresh) on_refresh(directory, refreshed);
            },
            watch));
    CAPTOKEN_ASSIGN_OR_RETURN(
        accounts,
        config::AccountKeys::Load(loaded.settings.accounts, std::move(held)));
  }
  loaded.state = std::make_shared<mint::ServingState>(
      mint::ServingState{std::move(accounts), loaded.settings.callers});
  if (!listen_override.empty()) {
    if (!config::IsLoopbackAddress(listen_override) &&
        !loaded.settings.behind_mesh_sidecar) {
      return absl::InvalidArgumentError(
          "--listen: not a loopback address; plaintext is only served on "
          "loopback unless the config declares a mesh sidecar");
    }
    loaded.settings.listen_address = listen_override;
  }
  return loaded;
}

std::vector<std::string> SecretNames(const LoadedConfig& loaded) {
  if (loaded.development) {
    return {"development_account", "development_api_key"};
  }
  std::vector<std::string> names;
  for (size_t i = 0; i < loaded.settings.accounts.size(); ++i) {
    const config::AccountSettings& account = loaded.settings.accounts[i];
    names.push_back(absl::StrCat("accounts[", i, "].auth_token"));
    if (account.secondary_auth_token.has_value()) {
      names.push_back(absl::StrCat("accounts[", i, "].secondary_auth_token"));
    }
    for (size_t j = 0; j < account.api_keys.size(); ++j) {
      names.push_back(
          absl::StrCat("accounts[", i, "].api_keys[", j, "].secret"));
    }
  }
  for (size_t i = 0; i < loaded.settings.account_directories.size(); ++i) {
    names.push_back(absl::StrCat("account_directories[", i, "]"));
  }
  return names;
}

std::vector<std::string> WatchedFiles(const std::string& config_path,
                                      const config::ServerSettings& settings) {
  std::vector<std::string> files = {config_path};
  for (const config::AccountSettings& account : settings.accounts) {
    if (account.auth_token.has_file()) {
      files.push_back(account.auth_token.file());
    }
    if (account.secondary_auth_token.has_value() &&
        account.secondary_auth_token->has_file()) {
      files.push_back(account.secondary_auth_token->file());
    }
    for (const config::ApiKeySettings& key : account.api_keys) {
      if (key.secret.has_file()) files.push_back(key.secret.file());
    }
  }
  return files;
}

std::vector<std::string> WatchedDirectories(
    const config::ServerSettings& settings) {
  std::vector<std::string> paths;
  for (const config::AccountDirectorySettings& directory :
       settings.account_directories) {
    paths.push_back(directory.path);
  }
  return paths;
}

}  // namespace captoken::serve
