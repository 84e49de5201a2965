// File: loaded_config.h
// -----------------------------------------------------------------------------
//
// LoadConfig reads what the server serves: the config's settings and every
// account's keys, with each secret read from its source; or, without a
// config, the development account. Start-up and every reload go through it,
// so both accept and refuse a config alike, with the same messages.
//
// Account directories are read through a config::AccountDirectories that
// the caller keeps from one load to the next, so that a reload reads only
// the accounts that changed. An account of a directory that fails to read
// does not fail the load (it keeps its previous version, or is left out,
// and is reported through `on_refresh`); the directory itself missing, or
// an account SID in two places, does.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(LoadedConfig loaded,
//                             LoadConfig(config_path, /*listen_override=*/""));
//   mint::TokenMinter minter(options, std::move(loaded.state));

#ifndef CAPTOKEN_SERVICE_SERVE_LOADED_CONFIG_H_
#define CAPTOKEN_SERVICE_SERVE_LOADED_CONFIG_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "service/config/account_directories.h"
#include "service/config/server_config.h"
#include "service/mint/token_minter.h"

namespace captoken::serve {

struct LoadedConfig {
  config::ServerSettings settings;
  std::shared_ptr<const mint::ServingState> state;
  // True without a config: the public development account on loopback.
  bool development = false;
};

// LoadConfig reads the config at `config_path` (empty: development mode)
// and its secrets. A non-empty `listen_override` (--listen) replaces the
// listen address.
//
// `directories` (not owned; null: a fresh one, so every account directory
// is read in full) holds the account directories from the previous load;
// `on_refresh`, if set, is told what each directory's refresh did; `watch`
// (not owned; may be null) watches each directory and account before it is
// looked at (account_watch.h).
//
// Fails with the config's or the secret source's error (server_config.h,
// account_keys.h, account_directories.h), never quoting a secret; with
// INVALID_ARGUMENT if `listen_override` is not loopback and the config
// declares no mesh sidecar (plaintext is only served on loopback
// otherwise).
absl::StatusOr<LoadedConfig> LoadConfig(
    const std::string& config_path, const std::string& listen_override,
    config::AccountDirectories* directories = nullptr,
    const std::function<void(const config::AccountDirectorySettings&,
                             const config::AccountDirectory::Refreshed&)>&
        on_refresh = nullptr,
    config::AccountWatch* watch = nullptr);

// SecretNames names each secret by its place in the config
// ("accounts[0].api_keys[1].secret"), for the secret-age metric: never the
// account SID or the source. An account directory is one name
// ("account_directories[0]"), however many accounts it holds.
std::vector<std::string> SecretNames(const LoadedConfig& loaded);

// WatchedFiles are the files whose change should reload: the config itself
// and every secret file it names.
std::vector<std::string> WatchedFiles(const std::string& config_path,
                                      const config::ServerSettings& settings);

// WatchedDirectories are the account directories whose change should
// reload.
std::vector<std::string> WatchedDirectories(
    const config::ServerSettings& settings);

}  // namespace captoken::serve

#endif  // CAPTOKEN_SERVICE_SERVE_LOADED_CONFIG_H_
