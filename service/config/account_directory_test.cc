// Tests for account_directory.h: the first refresh reads every account; a
// refresh reads only the accounts whose files changed identity (counted in
// files_read) and shares the map when nothing changed; added accounts are
// served and removed ones are not; an account that fails to read keeps its
// previous version (or, new, is not served), is reported once and stays
// counted as broken until it changes; labels are read beside the secret;
// hidden entries and a Kubernetes-style symlinked layout work; errors never
// hold a secret.

#include "service/config/account_directory.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/config/account_keys.h"
#include "service/token/api_key.h"
#include "service/token/crypto.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"

namespace captoken::config {
namespace {

using ::captoken::testing::FreshTestDirectory;
using ::captoken::testing::MakeTestDirectory;
using ::captoken::testing::ReplaceTestFile;

using ::captoken::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

constexpr char kSid1[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kSid2[] = "ACfedcba9876543210fedcba9876543210";
constexpr char kSid3[] = "AC11111111111111111111111111111111";
constexpr char kKeySid[] = "SK0123456789abcdef0123456789abcdef";

token::HmacSha256Key::Mac MacWith(absl::string_view secret) {
  return token::HmacSha256Key::Create(secret)->Compute("message");
}

class AccountDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override { root_ = FreshTestDirectory("account_dir"); }

  std::string Account(absl::string_view sid) {
    return absl::StrCat(root_, "/", sid);
  }

  // An account with only an auth token.
  void AddAccount(absl::string_view sid, absl::string_view secret) {
    MakeTestDirectory(Account(sid));
    ReplaceTestFile(Account(sid) + "/auth_token", secret);
  }

  // The auth token's MAC of "message" for `sid`, or nullopt if not served.
  absl::optional<token::HmacSha256Key::Mac> Served(AccountDirectory& directory,
                                                   absl::string_view sid) {
    auto accounts = directory.accounts();
    const AccountKeys::Account* account = accounts->Find(sid);
    if (account == nullptr) return absl::nullopt;
    return account->auth_token.Compute("message");
  }

  AccountDirectory NewDirectory() {
    return AccountDirectory({root_, "tenants"});
  }

  std::string root_;
};

TEST_F(AccountDirectoryTest, FirstRefreshReadsEveryAccountAndItsFiles) {
  AddAccount(kSid1, "one\n");
  AddAccount(kSid2, "two");
  ReplaceTestFile(Account(kSid2) + "/secondary_auth_token", "two-old");
  MakeTestDirectory(Account(kSid2) + "/api_keys");
  ReplaceTestFile(Account(kSid2) + "/api_keys/" + kKeySid, "key-secret");
  ReplaceTestFile(Account(kSid2) + "/labels",
                  "tier:gold\n# a comment\n\nregion=eu\n");
  AccountDirectory directory = NewDirectory();
  ASSERT_OK_AND_ASSIGN(AccountDirectory::Refreshed refreshed,
                       directory.Refresh());
  EXPECT_EQ(refreshed.accounts, 2);
  EXPECT_EQ(refreshed.added, 2);
  EXPECT_EQ(refreshed.files_read, 5);
  EXPECT_THAT(refreshed.problems, IsEmpty());
  EXPECT_EQ(Served(directory, kSid1), MacWith("one"));
  const AccountKeys::Account& two = *directory.accounts()->Find(kSid2);
  EXPECT_EQ(two.auth_token.Compute("message"), MacWith("two"));
  ASSERT_TRUE(two.secondary_auth_token.has_value());
  EXPECT_EQ(two.secondary_auth_token->Compute("message"), MacWith("two-old"));
  ASSERT_NE(two.SigningApiKey(kKeySid), nullptr);
  EXPECT_EQ(two.SigningApiKey(kKeySid)->hmac_key().Compute("message"),
            MacWith("key-secret"));
  EXPECT_THAT(two.labels, ElementsAre("region=eu", "tier:gold"));
  EXPECT_EQ(two.traits().directory, "tenants");
}

TEST_F(AccountDirectoryTest, UnchangedDirectoryReadsNothingAndKeepsTheMap) {
  AddAccount(kSid1, "one");
  AddAccount(kSid2, "two");
  AccountDirectory directory = NewDirectory();
  ASSERT_TRUE(directory.Refresh().ok());
  const auto before = directory.accounts();
  ASSERT_OK_AND_ASSIGN(AccountDirectory::Refreshed refreshed,
                       directory.Refresh());
  EXPECT_EQ(refreshed.files_read, 0);
  EXPECT_EQ(refreshed.added + refreshed.changed + refreshed.removed, 0);
  EXPECT_EQ(refreshed.accounts, 2);
  EXPECT_EQ(directory.accounts(), before);
}

TEST_F(AccountDirectoryTest, OnlyTheChangedAccountIsReadAgain) {
  AddAccount(kSid1, "one");
  AddAccount(kSid2, "two");
  AccountDirectory directory = NewDirectory();
  ASSERT_TRUE(directory.Refresh().ok());
  const auto before = directory.accounts();
  ReplaceTestFile(Account(kSid1) + "/auth_token", "one-rotated");
  ASSERT_OK_AND_ASSIGN(AccountDirectory::Refreshed refreshed,
                       directory.Refresh());
  EXPECT_EQ(refreshed.files_read, 1);
  EXPECT_EQ(refreshed.changed, 1);
  EXPECT_EQ(Served(directory, kSid1), MacWith("one-rotated"));
  // The unchanged account is the very same object.
  EXPECT_EQ(directory.accounts()->Find(kSid2), before->Find(kSid2));
  // Calls in flight keep the old map, with the old secret.
  EXPECT_EQ(before->Find(kSid1)->auth_token.Compute("message"), MacWith("one"));
}

TEST_F(AccountDirectoryTest, ARewriteInPlaceIsSeen) {
  AddAccount(kSid1, "one");
  AccountDirectory directory = NewDirectory();
  ASSERT_TRUE(directory.Refresh().ok());
  // Same inode, same size: the change time still moves.
  {
    std::ofstream file(Account(kSid1) + "/auth_token", std::ios::trunc);
    file << "two";
  }
  ASSERT_OK_AND_ASSIGN(AccountDirectory::Refreshed refreshed,
                       directory.Refresh());
  EXPECT_EQ(refreshed.files_read, 1);
  EXPECT_EQ(Served(directory, kSid1), MacWith("two"));
}

TEST_F(AccountDirectoryTest, AddedAccountsAreServedAndRemovedOnesAreNot) {
  AddAccount(kSid1, "one");
  AddAccount(kSid2, "two");
  AccountDirectory directory = NewDirectory();
  ASSERT_TRUE(directory.Refresh().ok());
  AddAccount(kSid3, "three");
  ASSERT_EQ(::unlink((Account(kSid2) + "/auth_token").c_str()), 0);
  ASSERT_EQ(::rmdir(Account(kSid2).c_str()), 0);
  ASSERT_OK_AND_ASSIGN(AccountDirectory::Refreshed refreshed,
                       directory.Refresh());
  EXPECT_EQ(refreshed.added, 1);
  EXPECT_EQ(refreshed.removed, 1);
  EXPECT_EQ(refreshed.files_read, 1);
  EXPECT_EQ(refreshed.accounts, 2);
  EXPECT_EQ(Served(directory, kSid3), MacWith("three"));
  EXPECT_FALSE(Served(directory, kSid2).has_value());
}

TEST_F(AccountDirectoryTest, ABrokenAccountKeepsItsPreviousVersion) {
  AddAccount(kSid1, "one");
  AddAccount(kSid2, "two");
  AccountDirectory directory = NewDirectory();
  ASSERT_TRUE(directory.Refresh().ok());
  const std::string oversized(5000, 'x');
  ReplaceTestFile(Account(kSid1) + "/auth_token", oversized);
  ASSERT_OK_AND_ASSIGN(AccountDirectory::Refreshed refreshed,
                       directory.Refresh());
  ASSERT_EQ(refreshed.problems.size(), 1u);
  EXPECT_EQ(refreshed.problems[0].account_sid, kSid1);
  EXPECT_TRUE(refreshed.problems[0].kept_previous);
  EXPECT_THAT(refreshed.problems[0].message,
              AllOf(HasSubstr(kSid1), HasSubstr("auth_token"),
                    HasSubstr("larger than 4 KiB"), Not(HasSubstr("xxxx"))));
  EXPECT_EQ(refreshed.broken, 1);
  EXPECT_EQ(refreshed.files_read, 1);
  EXPECT_EQ(Served(directory, kSid1), MacWith("one"));

  // Not read again, nor reported again, until it changes; still broken.
  ASSERT_OK_AND_ASSIGN(refreshed, directory.Refresh());
  EXPECT_THAT(refreshed.problems, IsEmpty());
  EXPECT_EQ(refreshed.files_read, 0);
  EXPECT_EQ(refreshed.broken, 1);

  ReplaceTestFile(Account(kSid1) + "/auth_token", "one-fixed");
  ASSERT_OK_AND_ASSIGN(refreshed, directory.Refresh());
  EXPECT_EQ(refreshed.broken, 0);
  EXPECT_EQ(refreshed.changed, 1);
  EXPECT_EQ(Served(directory, kSid1), MacWith("one-fixed"));
}

TEST_F(AccountDirectoryTest, ANewBrokenAccountIsNotServed) {
  AddAccount(kSid1, "one");
  MakeTestDirectory(Account(kSid2));  // No auth_token.
  MakeTestDirectory(Account(kSid3));
  ASSERT_EQ(::mkfifo((Account(kSid3) + "/auth_token").c_str(), 0600), 0);
  AccountDirectory directory = NewDirectory();
  ASSERT_OK_AND_ASSIGN(AccountDirectory::Refreshed refreshed,
                       directory.Refresh());
  EXPECT_EQ(refreshed.accounts, 1);
  EXPECT_EQ(refreshed.broken, 2);
  ASSERT_EQ(refreshed.problems.size(), 2u);
  for (const AccountDirectory::Problem& problem : refreshed.problems) {
    EXPECT_FALSE(problem.kept_previous);
    EXPECT_THAT(problem.message, HasSubstr(problem.account_sid));
  }
  EXPECT_FALSE(Served(directory, kSid2).has_value());
  EXPECT_FALSE(Served(directory, kSid3).has_value());
}

TEST_F(AccountDirectoryTest, AMalformedLabelIsABrokenAccount) {
  AddAccount(kSid1, "one");
  ReplaceTestFile(Account(kSid1) + "/labels", "good\nnot a label\n");
  AccountDirectory directory = NewDirectory();
  ASSERT_OK_AND_ASSIGN(AccountDirectory::Refreshed refreshed,
                       directory.Refresh());
  ASSERT_EQ(refreshed.problems.size(), 1u);
  EXPECT_THAT(refreshed.problems[0].message,
              AllOf(HasSubstr("line 2"), Not(HasSubstr("not a label\n"))));
  EXPECT_FALSE(Served(directory, kSid1).has_value());
}

TEST_F(AccountDirectoryTest, AnEmptyLabelsFileMeansNoLabels) {
  AddAccount(kSid1, "one");
  ReplaceTestFile(Account(kSid1) + "/labels", "");
  AccountDirectory directory = NewDirectory();
  ASSERT_OK_AND_ASSIGN(AccountDirectory::Refreshed refreshed,
                       directory.Refresh());
  EXPECT_THAT(refreshed.problems, IsEmpty());
  EXPECT_THAT(directory.accounts()->Find(kSid1)->labels, IsEmpty());
}

TEST_F(AccountDirectoryTest, StrayAndHiddenEntriesAreIgnored) {
  AddAccount(kSid1, "one");
  ReplaceTestFile(root_ + "/README", "not an account");
  MakeTestDirectory(root_ + "/not-a-sid");
  MakeTestDirectory(root_ + "/..data");
  ReplaceTestFile(root_ + "/" + kSid2, "a file, not a directory");
  AccountDirectory directory = NewDirectory();
  ASSERT_OK_AND_ASSIGN(AccountDirectory::Refreshed refreshed,
                       directory.Refresh());
  EXPECT_EQ(refreshed.accounts, 1);
  EXPECT_EQ(refreshed.ignored, 3);
  EXPECT_THAT(refreshed.problems, IsEmpty());
}

// The layout a projected Kubernetes Secret writes: the files in a
// timestamped directory, `..data` a link to it, each top-level entry a link
// through `..data`; an update writes a new timestamped directory and swaps
// `..data`.
TEST_F(AccountDirectoryTest, AKubernetesSecretMountAndItsUpdateAreRead) {
  MakeTestDirectory(root_ + "/..2026_01_01_v1");
  MakeTestDirectory(root_ + "/..2026_01_01_v1/" + kSid1);
  ReplaceTestFile(root_ + "/..2026_01_01_v1/" + kSid1 + "/auth_token", "one");
  ASSERT_EQ(::symlink("..2026_01_01_v1", (root_ + "/..data").c_str()), 0);
  ASSERT_EQ(
      ::symlink(absl::StrCat("..data/", kSid1).c_str(), Account(kSid1).c_str()),
      0);
  AccountDirectory directory = NewDirectory();
  ASSERT_OK_AND_ASSIGN(AccountDirectory::Refreshed refreshed,
                       directory.Refresh());
  EXPECT_EQ(refreshed.accounts, 1);
  EXPECT_EQ(refreshed.ignored, 0);
  EXPECT_EQ(Served(directory, kSid1), MacWith("one"));

  MakeTestDirectory(root_ + "/..2026_01_02_v2");
  MakeTestDirectory(root_ + "/..2026_01_02_v2/" + kSid1);
  ReplaceTestFile(root_ + "/..2026_01_02_v2/" + kSid1 + "/auth_token", "uno");
  ASSERT_EQ(::symlink("..2026_01_02_v2", (root_ + "/..data_tmp").c_str()), 0);
  ASSERT_EQ(
      ::rename((root_ + "/..data_tmp").c_str(), (root_ + "/..data").c_str()),
      0);
  ASSERT_OK_AND_ASSIGN(refreshed, directory.Refresh());
  EXPECT_EQ(refreshed.changed, 1);
  EXPECT_EQ(Served(directory, kSid1), MacWith("uno"));
}

TEST_F(AccountDirectoryTest, AMissingDirectoryFailsAndKeepsTheAccounts) {
  AddAccount(kSid1, "one");
  AccountDirectory directory = NewDirectory();
  ASSERT_TRUE(directory.Refresh().ok());
  const std::string moved = root_ + ".moved";
  ASSERT_EQ(::rename(root_.c_str(), moved.c_str()), 0);
  EXPECT_THAT(directory.Refresh(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(root_)));
  EXPECT_EQ(Served(directory, kSid1), MacWith("one"));
  ASSERT_EQ(::rename(moved.c_str(), root_.c_str()), 0);
}

// Records what a refresh watched; refuses accounts past `limit`, as the
// system's limit on watches would.
class RecordingWatch : public AccountWatch {
 public:
  explicit RecordingWatch(int limit = 1000) : limit_(limit) {}
  bool WatchDirectory(const std::string& root) override {
    roots.push_back(root);
    return true;
  }
  bool WatchAccount(const std::string& root, const std::string& account_path,
                    absl::string_view account_sid) override {
    EXPECT_EQ(account_path, absl::StrCat(root, "/", account_sid));
    accounts.emplace_back(account_sid);
    return static_cast<int>(accounts.size()) <= limit_;
  }
  bool WatchApiKeys(const std::string& root,
                    absl::string_view account_sid) override {
    api_keys.emplace_back(account_sid);
    return true;
  }
  std::vector<std::string> roots;
  std::vector<std::string> accounts;
  // The accounts whose api_keys directory was watched.
  std::vector<std::string> api_keys;

 private:
  const int limit_;
};

TEST_F(AccountDirectoryTest, RefreshAccountsLooksOnlyAtTheNamedAccounts) {
  AddAccount(kSid1, "one");
  AddAccount(kSid2, "two");
  AccountDirectory directory = NewDirectory();
  ASSERT_TRUE(directory.Refresh().ok());
  const auto before = directory.accounts();
  ReplaceTestFile(Account(kSid1) + "/auth_token", "one-rotated");
  ReplaceTestFile(Account(kSid2) + "/auth_token", "two-rotated");
  // Only kSid1 is named: kSid2's change waits for its own notification.
  RecordingWatch watch;
  AccountDirectory::Refreshed refreshed =
      directory.RefreshAccounts({kSid1}, &watch);
  EXPECT_FALSE(refreshed.full_scan);
  EXPECT_EQ(refreshed.files_read, 1);
  EXPECT_EQ(refreshed.changed, 1);
  EXPECT_EQ(refreshed.accounts, 2);
  EXPECT_EQ(refreshed.unwatched, 0);
  EXPECT_THAT(refreshed.updated, ElementsAre(kSid1));
  EXPECT_THAT(watch.accounts, ElementsAre(kSid1));
  EXPECT_EQ(Served(directory, kSid1), MacWith("one-rotated"));
  EXPECT_EQ(Served(directory, kSid2), MacWith("two"));
  EXPECT_EQ(directory.accounts()->Find(kSid2), before->Find(kSid2));
  EXPECT_EQ(before->Find(kSid1)->auth_token.Compute("message"), MacWith("one"));

  // Named again without a change: nothing read.
  refreshed = directory.RefreshAccounts({kSid1});
  EXPECT_EQ(refreshed.files_read, 0);
  EXPECT_EQ(refreshed.changed, 0);
  EXPECT_EQ(refreshed.unwatched, -1);
}

TEST_F(AccountDirectoryTest, RefreshAccountsAddsAndRemoves) {
  AddAccount(kSid1, "one");
  AddAccount(kSid2, "two");
  AccountDirectory directory = NewDirectory();
  ASSERT_TRUE(directory.Refresh().ok());
  AddAccount(kSid3, "three");
  ReplaceTestFile(Account(kSid3) + "/labels", "tier:gold\n");
  ASSERT_EQ(::unlink((Account(kSid2) + "/auth_token").c_str()), 0);
  ASSERT_EQ(::rmdir(Account(kSid2).c_str()), 0);
  AccountDirectory::Refreshed refreshed =
      directory.RefreshAccounts({kSid2, kSid3});
  EXPECT_EQ(refreshed.added, 1);
  EXPECT_EQ(refreshed.removed, 1);
  EXPECT_EQ(refreshed.files_read, 2);
  EXPECT_EQ(refreshed.accounts, 2);
  EXPECT_THAT(refreshed.updated, ElementsAre(kSid3));
  EXPECT_EQ(Served(directory, kSid3), MacWith("three"));
  EXPECT_THAT(directory.accounts()->Find(kSid3)->labels,
              ElementsAre("tier:gold"));
  EXPECT_FALSE(Served(directory, kSid2).has_value());
  // A full scan afterwards agrees, and reads nothing.
  ASSERT_OK_AND_ASSIGN(refreshed, directory.Refresh());
  EXPECT_EQ(refreshed.files_read, 0);
  EXPECT_EQ(refreshed.added + refreshed.changed + refreshed.removed, 0);
  EXPECT_EQ(refreshed.accounts, 2);
}

TEST_F(AccountDirectoryTest, RefreshAccountsKeepsABrokenAccountAndCountsIt) {
  AddAccount(kSid1, "one");
  AccountDirectory directory = NewDirectory();
  ASSERT_TRUE(directory.Refresh().ok());
  ReplaceTestFile(Account(kSid1) + "/auth_token", std::string(5000, 'x'));
  AccountDirectory::Refreshed refreshed = directory.RefreshAccounts({kSid1});
  ASSERT_EQ(refreshed.problems.size(), 1u);
  EXPECT_TRUE(refreshed.problems[0].kept_previous);
  EXPECT_EQ(refreshed.broken, 1);
  EXPECT_THAT(refreshed.updated, IsEmpty());
  EXPECT_EQ(Served(directory, kSid1), MacWith("one"));
  // Removed while broken: no longer counted.
  ASSERT_EQ(::unlink((Account(kSid1) + "/auth_token").c_str()), 0);
  ASSERT_EQ(::rmdir(Account(kSid1).c_str()), 0);
  refreshed = directory.RefreshAccounts({kSid1});
  EXPECT_EQ(refreshed.broken, 0);
  EXPECT_EQ(refreshed.removed, 1);
  EXPECT_EQ(refreshed.accounts, 0);
}

TEST_F(AccountDirectoryTest, AFullScanWatchesEachAccountBeforeLookingAtIt) {
  AddAccount(kSid1, "one");
  AddAccount(kSid2, "two");
  AddAccount(kSid3, "three");
  AccountDirectory directory = NewDirectory();
  RecordingWatch watch(/*limit=*/2);
  ASSERT_OK_AND_ASSIGN(AccountDirectory::Refreshed refreshed,
                       directory.Refresh(&watch));
  EXPECT_THAT(watch.roots, ElementsAre(root_));
  EXPECT_EQ(watch.accounts.size(), 3u);
  EXPECT_EQ(refreshed.unwatched, 1);
  EXPECT_TRUE(refreshed.full_scan);
  EXPECT_EQ(refreshed.accounts, 3);
}

// The api_keys directory is watched only where there is one (watching it
// blind cost a failed system call per account), in a full scan and in a
// refresh of named accounts alike.
TEST_F(AccountDirectoryTest, OnlyAnExistingApiKeysDirectoryIsWatched) {
  AddAccount(kSid1, "one");
  AddAccount(kSid2, "two");
  MakeTestDirectory(Account(kSid2) + "/api_keys");
  ReplaceTestFile(Account(kSid2) + "/api_keys/" + kKeySid, "key-secret");
  AccountDirectory directory = NewDirectory();
  RecordingWatch full;
  ASSERT_TRUE(directory.Refresh(&full).ok());
  EXPECT_THAT(full.accounts, UnorderedElementsAre(kSid1, kSid2));
  EXPECT_THAT(full.api_keys, ElementsAre(kSid2));
  RecordingWatch named;
  directory.RefreshAccounts({kSid1, kSid2}, &named);
  EXPECT_THAT(named.accounts, ElementsAre(kSid1, kSid2));
  EXPECT_THAT(named.api_keys, ElementsAre(kSid2));
}

}  // namespace
}  // namespace captoken::config
