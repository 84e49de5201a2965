// Tests for account_notifier.h, over a real directory: a file written in
// place, a file renamed into place, an account added and removed, an API
// key added, each name its account (and only it); a Kubernetes `..data`
// swap and an overflowing event queue ask for a full scan; a forgotten
// directory is not reported; the root's watch is what Covers reports.

#include "service/config/account_notifier.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/config/account_directory.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"

namespace captoken::config {
namespace {

using ::captoken::testing::FreshTestDirectory;
using ::captoken::testing::MakeTestDirectory;
using ::captoken::testing::ReplaceTestFile;
using ::captoken::testing::WriteTestFile;

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr char kSid1[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kSid2[] = "ACfedcba9876543210fedcba9876543210";
constexpr char kSid3[] = "AC11111111111111111111111111111111";
constexpr char kKeySid[] = "SK0123456789abcdef0123456789abcdef";

class AccountNotifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = FreshTestDirectory("notifier");
    for (const char* sid : {kSid1, kSid2}) {
      MakeTestDirectory(Account(sid));
      ReplaceTestFile(Account(sid) + "/auth_token", "secret");
    }
    absl::StatusOr<std::unique_ptr<AccountNotifier>> notifier =
        AccountNotifier::Create(absl::Milliseconds(5));
    ASSERT_TRUE(notifier.ok()) << notifier.status();
    notifier_ = *std::move(notifier);
    directory_ = std::make_unique<AccountDirectory>(
        AccountDirectorySettings{root_, "tenants"});
  }

  std::string Account(absl::string_view sid) {
    return absl::StrCat(root_, "/", sid);
  }

  // Watches the directory as a full refresh does, then starts.
  void WatchAndStart() {
    ASSERT_TRUE(directory_->Refresh(notifier_.get()).ok());
    ASSERT_TRUE(notifier_->Covers(root_));
    notifier_->Start([] {});
  }

  // What was reported, once something was and a further quiet moment
  // brought nothing more (so that a test sees the whole of one change).
  AccountNotifier::Changes Wait() {
    AccountNotifier::Changes all;
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (absl::Now() < deadline) {
      AccountNotifier::Changes changes = notifier_->TakeChanges();
      if (changes.empty() && !all.empty()) {
        absl::SleepFor(absl::Milliseconds(50));
        changes = notifier_->TakeChanges();
        if (changes.empty()) break;
      }
      for (auto& [root, sids] : changes.accounts) {
        for (std::string& sid : sids) {
          std::vector<std::string>& known = all.accounts[root];
          if (std::find(known.begin(), known.end(), sid) == known.end()) {
            known.push_back(std::move(sid));
          }
        }
      }
      for (auto& [root, why] : changes.full_scans) all.full_scans[root] = why;
      absl::SleepFor(absl::Milliseconds(5));
    }
    return all;
  }

  std::string root_;
  std::unique_ptr<AccountDirectory> directory_;
  std::unique_ptr<AccountNotifier> notifier_;
};

TEST_F(AccountNotifierTest, AFileWrittenInPlaceNamesItsAccount) {
  WatchAndStart();
  WriteTestFile(Account(kSid1) + "/auth_token", "rotated");
  AccountNotifier::Changes changes = Wait();
  EXPECT_THAT(changes.full_scans, IsEmpty());
  EXPECT_THAT(changes.accounts[root_], UnorderedElementsAre(kSid1));
}

TEST_F(AccountNotifierTest, AFileRenamedIntoPlaceNamesItsAccount) {
  WatchAndStart();
  ReplaceTestFile(Account(kSid2) + "/secondary_auth_token", "old");
  AccountNotifier::Changes changes = Wait();
  EXPECT_THAT(changes.full_scans, IsEmpty());
  EXPECT_THAT(changes.accounts[root_], UnorderedElementsAre(kSid2));
}

TEST_F(AccountNotifierTest, AnAddedAccountIsNamedAndThenWatched) {
  WatchAndStart();
  MakeTestDirectory(Account(kSid3));
  EXPECT_THAT(Wait().accounts[root_], UnorderedElementsAre(kSid3));
  // Its own files are watched from then on.
  ReplaceTestFile(Account(kSid3) + "/auth_token", "three");
  AccountNotifier::Changes changes = Wait();
  EXPECT_THAT(changes.accounts[root_], UnorderedElementsAre(kSid3));
  EXPECT_TRUE(notifier_->Covers(root_));
}

TEST_F(AccountNotifierTest, ARemovedAccountIsNamed) {
  WatchAndStart();
  // Moved out whole, as a careful writer removes an account.
  ASSERT_EQ(::rename(Account(kSid1).c_str(), (root_ + ".gone").c_str()), 0);
  EXPECT_THAT(Wait().accounts[root_], UnorderedElementsAre(kSid1));
  // Deleted file by file.
  ASSERT_EQ(::unlink((Account(kSid2) + "/auth_token").c_str()), 0);
  ASSERT_EQ(::rmdir(Account(kSid2).c_str()), 0);
  AccountNotifier::Changes changes = Wait();
  EXPECT_THAT(changes.accounts[root_], UnorderedElementsAre(kSid2));
  EXPECT_THAT(changes.full_scans, IsEmpty());
}

TEST_F(AccountNotifierTest, AnApiKeyAddedAndChangedNamesItsAccount) {
  WatchAndStart();
  MakeTestDirectory(Account(kSid1) + "/api_keys");
  EXPECT_THAT(Wait().accounts[root_], UnorderedElementsAre(kSid1));
  // The new api_keys directory is watched: a key written into it is seen.
  ReplaceTestFile(Account(kSid1) + "/api_keys/" + kKeySid, "key");
  EXPECT_THAT(Wait().accounts[root_], UnorderedElementsAre(kSid1));
  WriteTestFile(Account(kSid1) + "/api_keys/" + kKeySid, "key-rotated");
  EXPECT_THAT(Wait().accounts[root_], UnorderedElementsAre(kSid1));
}

TEST_F(AccountNotifierTest, HiddenAndStrayEntriesAreNotReported) {
  WatchAndStart();
  ReplaceTestFile(root_ + "/README", "stray");
  MakeTestDirectory(root_ + "/.staging");
  // Then a real change, to know the others were handled first.
  WriteTestFile(Account(kSid2) + "/labels", "tier:gold\n");
  AccountNotifier::Changes changes = Wait();
  EXPECT_THAT(changes.full_scans, IsEmpty());
  EXPECT_THAT(changes.accounts[root_], UnorderedElementsAre(kSid2));
}

TEST_F(AccountNotifierTest, AKubernetesDataSwapAsksForAFullScan) {
  MakeTestDirectory(root_ + "/..2026_01_01_v1");
  ASSERT_EQ(::symlink("..2026_01_01_v1", (root_ + "/..data").c_str()), 0);
  WatchAndStart();
  MakeTestDirectory(root_ + "/..2026_01_02_v2");
  ASSERT_EQ(::symlink("..2026_01_02_v2", (root_ + "/..data_tmp").c_str()), 0);
  ASSERT_EQ(
      ::rename((root_ + "/..data_tmp").c_str(), (root_ + "/..data").c_str()),
      0);
  AccountNotifier::Changes changes = Wait();
  ASSERT_TRUE(changes.full_scans.contains(root_));
  EXPECT_THAT(changes.full_scans[root_], HasSubstr("..data"));
  EXPECT_FALSE(changes.accounts.contains(root_));
}

TEST_F(AccountNotifierTest, AnOverflowingQueueAsksForAFullScan) {
  ASSERT_TRUE(directory_->Refresh(notifier_.get()).ok());
  // Not started: events wait in the kernel's queue, which holds
  // fs.inotify.max_queued_events (16,384 by default). Alternating files,
  // so that the kernel cannot merge one event into the last.
  std::ifstream limit_file("/proc/sys/fs/inotify/max_queued_events");
  int limit = 16384;
  limit_file >> limit;
  for (int i = 0; i <= limit / 2 + 1; ++i) {
    for (const char* sid : {kSid1, kSid2}) {
      ASSERT_EQ(::chmod((Account(sid) + "/auth_token").c_str(),
                        i % 2 == 0 ? 0600 : 0640),
                0);
    }
  }
  notifier_->Start([] {});
  AccountNotifier::Changes changes = Wait();
  ASSERT_TRUE(changes.full_scans.contains(root_));
  EXPECT_THAT(changes.full_scans[root_], HasSubstr("overflowed"));
}

TEST_F(AccountNotifierTest, AForgottenDirectoryIsNotReported) {
  WatchAndStart();
  notifier_->KeepOnly({});
  EXPECT_FALSE(notifier_->Covers(root_));
  WriteTestFile(Account(kSid1) + "/auth_token", "rotated");
  // Nothing to wait for: a quiet moment, then nothing taken.
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_TRUE(notifier_->TakeChanges().empty());
}

TEST_F(AccountNotifierTest, ADirectoryThatCannotBeWatchedIsNotCovered) {
  EXPECT_FALSE(notifier_->WatchDirectory(root_ + "/missing"));
  EXPECT_FALSE(notifier_->Covers(root_ + "/missing"));
  EXPECT_FALSE(notifier_->Covers("/never/named"));
}

TEST(AccountNotifier, WatchLimitReadsTheSystemsLimit) {
  // Every Linux with inotify has the file; its value is the machine's.
  EXPECT_GT(AccountNotifier::WatchLimit(), 0);
}

}  // namespace
}  // namespace captoken::config
