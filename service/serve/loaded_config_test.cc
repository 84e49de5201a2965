// Tests for loaded_config.h: development mode, a config with its secrets
// read, the --listen override and its loopback rule, refusals that name
// the problem and not the secret, and the secret names and watched files
// derived from a config.

#include "service/serve/loaded_config.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/config/server_config.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace captoken::serve {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSid[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kKeySid[] = "SK0123456789abcdef0123456789abcdef";
constexpr char kSecret[] = "loaded-config-test-secret-1f3a";

// Writes `text` as a config file and returns its path.
std::string ConfigFile(absl::string_view name, absl::string_view text) {
  const std::string path = testing::TempPath(name);
  EXPECT_THAT(testing::WriteFile(path, text), IsOk());
  return path;
}

TEST(LoadConfig, WithoutAConfigServesTheDevelopmentAccountOnLoopback) {
  ASSERT_OK_AND_ASSIGN(LoadedConfig loaded, LoadConfig("", ""));
  EXPECT_TRUE(loaded.development);
  EXPECT_EQ(loaded.settings.listen_address, config::kDefaultListenAddress);
  ASSERT_NE(loaded.state, nullptr);
  const config::AccountKeys::Account* account =
      loaded.state->accounts->Find(config::kDevelopmentAccountSid);
  ASSERT_NE(account, nullptr);
  EXPECT_FALSE(account->verify_only);
  EXPECT_EQ(account->api_keys.size(), 1u);
  EXPECT_TRUE(loaded.state->callers->open());
  EXPECT_THAT(SecretNames(loaded),
              ElementsAre("development_account", "development_api_key"));
}

TEST(LoadConfig, ReadsTheConfigAndEverySecretItNames) {
  const std::string auth_token = testing::TempPath("auth-token");
  ASSERT_THAT(testing::WriteFile(auth_token, kSecret), IsOk());
  const std::string key_secret = testing::TempPath("key-secret");
  ASSERT_THAT(testing::WriteFile(key_secret, "loaded-config-key-secret"),
              IsOk());
  ASSERT_EQ(::setenv("LOADED_CONFIG_SECONDARY", "loaded-config-old", 1), 0);
  const std::string path = ConfigFile(
      "full.textproto",
      absl::StrCat("listen_address: \"127.0.0.1:0\"\n"
                   "accounts {\n  account_sid: \"",
                   kSid, "\"\n  auth_token { file: \"", auth_token,
                   "\" }\n"
                   "  secondary_auth_token { env: \"LOADED_CONFIG_SECONDARY\" "
                   "}\n  api_keys { sid: \"",
                   kKeySid, "\" secret { file: \"", key_secret, "\" } }\n}\n"));

  ASSERT_OK_AND_ASSIGN(LoadedConfig loaded, LoadConfig(path, ""));
  EXPECT_FALSE(loaded.development);
  EXPECT_EQ(loaded.settings.listen_address, "127.0.0.1:0");
  EXPECT_NE(loaded.state->accounts->Find(kSid), nullptr);
  EXPECT_EQ(loaded.state->accounts->size(), 1u);
  // Places in the config, never the SID or the source.
  EXPECT_THAT(
      SecretNames(loaded),
      ElementsAre("accounts[0].auth_token", "accounts[0].secondary_auth_token",
                  "accounts[0].api_keys[0].secret"));
  // The config and the secret files; an environment variable cannot change
  // under a running process.
  EXPECT_THAT(WatchedFiles(path, loaded.settings),
              ElementsAre(path, auth_token, key_secret));
}

TEST(LoadConfig, AnEmptySecretFileIsRefusedByItsPath) {
  const std::string auth_token = testing::TempPath("empty-auth-token");
  ASSERT_THAT(testing::WriteFile(auth_token, ""), IsOk());
  const std::string path = ConfigFile(
      "empty-secret.textproto",
      absl::StrCat("accounts { account_sid: \"", kSid,
                   "\" auth_token { file: \"", auth_token, "\" } }\n"));
  absl::StatusOr<LoadedConfig> loaded = LoadConfig(path, "");
  EXPECT_THAT(loaded, Not(IsOk()));
  // Named by its path, which the operator can fix.
  EXPECT_THAT(loaded.status().message(), HasSubstr(auth_token));
}

TEST(LoadConfig, AMissingConfigIsNotFound) {
  EXPECT_THAT(LoadConfig(testing::TempPath("no-such.textproto"), ""),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
}

TEST(LoadConfig, ListenOverridesTheAddressOnLoopbackOnly) {
  ASSERT_OK_AND_ASSIGN(LoadedConfig loaded, LoadConfig("", "127.0.0.1:0"));
  EXPECT_EQ(loaded.settings.listen_address, "127.0.0.1:0");

  EXPECT_THAT(LoadConfig("", "0.0.0.0:50051"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--listen: not a loopback address")));
}

}  // namespace
}  // namespace captoken::serve

namespace captoken::serve {
namespace {

TEST(LoadConfig, ReadsAnAccountDirectoryAndNamesItOnce) {
  const std::string root = testing::TempPath("accounts");
  ASSERT_EQ(::mkdir(root.c_str(), 0700), 0);
  const std::string account = absl::StrCat(root, "/", kSid);
  ASSERT_EQ(::mkdir(account.c_str(), 0700), 0);
  ASSERT_THAT(testing::WriteFile(account + "/auth_token", kSecret), IsOk());
  const std::string path = ConfigFile(
      "directory.textproto",
      absl::StrCat("account_directories { path: \"", root, "\" }\n"));

  std::vector<int64_t> files_read;
  config::AccountDirectories directories;
  auto record = [&](const config::AccountDirectorySettings&,
                    const config::AccountDirectory::Refreshed& refreshed) {
    files_read.push_back(refreshed.files_read);
  };
  ASSERT_OK_AND_ASSIGN(LoadedConfig loaded,
                       LoadConfig(path, "", &directories, record));
  EXPECT_NE(loaded.state->accounts->Find(kSid), nullptr);
  EXPECT_THAT(SecretNames(loaded), ElementsAre("account_directories[0]"));
  EXPECT_THAT(WatchedFiles(path, loaded.settings), ElementsAre(path));
  EXPECT_THAT(WatchedDirectories(loaded.settings), ElementsAre(root));
  // The same directories again: nothing read.
  ASSERT_OK_AND_ASSIGN(loaded, LoadConfig(path, "", &directories, record));
  EXPECT_THAT(files_read, ElementsAre(1, 0));
  // Without them, a load reads the directory in full.
  ASSERT_OK_AND_ASSIGN(loaded, LoadConfig(path, ""));
  EXPECT_NE(loaded.state->accounts->Find(kSid), nullptr);
}

TEST(LoadConfig, AMissingAccountDirectoryIsRefusedByItsPath) {
  const std::string path = ConfigFile(
      "missing-directory.textproto",
      "account_directories { path: \"/nonexistent/captoken/accounts\" }\n");
  EXPECT_THAT(LoadConfig(path, ""),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("account_directories[0]: account directory "
                                 "/nonexistent/captoken/accounts not found")));
}

}  // namespace
}  // namespace captoken::serve
