// Tests for file_watcher.h: rewriting a watched file, renaming another over
// it, swapping the symlink it is reached through (how Kubernetes updates a
// mounted secret) and removing it are each reported; nothing else is;
// SetFiles takes a new baseline (but keeps a directory's); account
// directories are watched by their scan; and the destructor does not wait
// out the interval. Waits are bounded condition waits, never sleeps.

#include "service/config/file_watcher.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_files.h"

namespace captoken::config {
namespace {

using ::captoken::testing::FreshTestDirectory;
using ::captoken::testing::ReplaceTestFile;
using ::captoken::testing::WriteTestFile;

constexpr absl::Duration kInterval = absl::Milliseconds(20);
// Long enough for a change to be noticed on a loaded machine.
constexpr absl::Duration kPatience = absl::Seconds(30);
// How long "nothing happens" is watched for: many intervals.
constexpr absl::Duration kQuietSpell = absl::Milliseconds(300);

// Counts the watcher's callbacks and lets a test wait for them.
class Changes {
 public:
  std::function<void()> Callback() {
    return [this] {
      std::function<void()> hook;
      {
        absl::MutexLock lock(&mutex_);
        ++count_;
        hook = on_first_;
        on_first_ = nullptr;
      }
      if (hook) hook();
    };
  }

  // Runs `hook` on the watcher's thread, inside the next callback.
  void OnNext(std::function<void()> hook) {
    absl::MutexLock lock(&mutex_);
    on_first_ = std::move(hook);
  }

  // Waits until there have been at least `n` callbacks, or `timeout`.
  bool WaitFor(int n, absl::Duration timeout) {
    absl::MutexLock lock(&mutex_);
    auto reached = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
      return count_ >= n;
    };
    return mutex_.AwaitWithTimeout(absl::Condition(&reached), timeout);
  }

  int count() {
    absl::MutexLock lock(&mutex_);
    return count_;
  }

 private:
  absl::Mutex mutex_;
  int count_ ABSL_GUARDED_BY(mutex_) = 0;
  std::function<void()> on_first_ ABSL_GUARDED_BY(mutex_);
};

TEST(FileWatcher, RewritingAFileWithADifferentSizeIsReported) {
  const std::string path =
      absl::StrCat(FreshTestDirectory("file_watcher"), "/auth-token");
  WriteTestFile(path, "first-secret");
  Changes changes;
  FileWatcher watcher(kInterval, changes.Callback());
  watcher.SetFiles({path});

  WriteTestFile(path, "a-longer-second-secret");
  EXPECT_TRUE(changes.WaitFor(1, kPatience));
}

TEST(FileWatcher, RenamingANewFileOverItIsReported) {
  // Same size, perhaps the same modification time: the inode differs.
  const std::string path =
      absl::StrCat(FreshTestDirectory("file_watcher"), "/auth-token");
  WriteTestFile(path, "secret-one");
  Changes changes;
  FileWatcher watcher(kInterval, changes.Callback());
  watcher.SetFiles({path});

  ReplaceTestFile(path, "secret-two");
  EXPECT_TRUE(changes.WaitFor(1, kPatience));
}

TEST(FileWatcher, SwappingTheSymlinkItIsReachedThroughIsReported) {
  // A Kubernetes secret volume: auth-token -> ..data/auth-token, and
  // ..data -> a timestamped directory that an update replaces atomically.
  const std::string dir = FreshTestDirectory("file_watcher");
  ASSERT_EQ(::mkdir(absl::StrCat(dir, "/..v1").c_str(), 0700), 0);
  ASSERT_EQ(::mkdir(absl::StrCat(dir, "/..v2").c_str(), 0700), 0);
  WriteTestFile(absl::StrCat(dir, "/..v1/auth-token"), "secret-one");
  WriteTestFile(absl::StrCat(dir, "/..v2/auth-token"), "secret-two");
  ASSERT_EQ(::symlink("..v1", absl::StrCat(dir, "/..data").c_str()), 0);
  const std::string path = absl::StrCat(dir, "/auth-token");
  ASSERT_EQ(::symlink("..data/auth-token", path.c_str()), 0);

  Changes changes;
  FileWatcher watcher(kInterval, changes.Callback());
  watcher.SetFiles({path});

  ASSERT_EQ(::symlink("..v2", absl::StrCat(dir, "/..data_tmp").c_str()), 0);
  ASSERT_EQ(::rename(absl::StrCat(dir, "/..data_tmp").c_str(),
                     absl::StrCat(dir, "/..data").c_str()),
            0);
  EXPECT_TRUE(changes.WaitFor(1, kPatience));
}

TEST(FileWatcher, ReplacingASymlinkToPointElsewhereIsReported) {
  const std::string dir = FreshTestDirectory("file_watcher");
  WriteTestFile(absl::StrCat(dir, "/a"), "secret-one");
  WriteTestFile(absl::StrCat(dir, "/b"), "secret-two");
  const std::string path = absl::StrCat(dir, "/link");
  ASSERT_EQ(::symlink("a", path.c_str()), 0);

  Changes changes;
  FileWatcher watcher(kInterval, changes.Callback());
  watcher.SetFiles({path});

  ASSERT_EQ(::symlink("b", absl::StrCat(dir, "/link.tmp").c_str()), 0);
  ASSERT_EQ(::rename(absl::StrCat(dir, "/link.tmp").c_str(), path.c_str()), 0);
  EXPECT_TRUE(changes.WaitFor(1, kPatience));
}

TEST(FileWatcher, RemovingAFileIsReported) {
  const std::string path =
      absl::StrCat(FreshTestDirectory("file_watcher"), "/auth-token");
  WriteTestFile(path, "secret");
  Changes changes;
  FileWatcher watcher(kInterval, changes.Callback());
  watcher.SetFiles({path});

  ASSERT_EQ(::unlink(path.c_str()), 0);
  EXPECT_TRUE(changes.WaitFor(1, kPatience));
}

TEST(FileWatcher, ChangeToAnyOfSeveralFilesIsReported) {
  const std::string dir = FreshTestDirectory("file_watcher");
  const std::string first = absl::StrCat(dir, "/first");
  const std::string second = absl::StrCat(dir, "/second");
  WriteTestFile(first, "one");
  WriteTestFile(second, "two");
  Changes changes;
  FileWatcher watcher(kInterval, changes.Callback());
  watcher.SetFiles({first, second});

  ReplaceTestFile(second, "two, changed");
  EXPECT_TRUE(changes.WaitFor(1, kPatience));
}

TEST(FileWatcher, AnAccountAddedToAWatchedDirectoryIsReported) {
  const std::string dir = FreshTestDirectory("file_watcher");
  const std::string account =
      absl::StrCat(dir, "/AC0123456789abcdef0123456789abcdef");
  Changes changes;
  FileWatcher watcher(kInterval, changes.Callback());
  watcher.SetFiles({}, {dir});

  ASSERT_EQ(::mkdir(account.c_str(), 0700), 0);
  WriteTestFile(absl::StrCat(account, "/auth_token"), "secret");
  EXPECT_TRUE(changes.WaitFor(1, kPatience));
}

TEST(FileWatcher, ASecretRewrittenInAWatchedDirectoryIsReported) {
  const std::string dir = FreshTestDirectory("file_watcher");
  const std::string account =
      absl::StrCat(dir, "/AC0123456789abcdef0123456789abcdef");
  ASSERT_EQ(::mkdir(account.c_str(), 0700), 0);
  WriteTestFile(absl::StrCat(account, "/auth_token"), "secret-one");
  Changes changes;
  FileWatcher watcher(kInterval, changes.Callback());
  watcher.SetFiles({}, {dir});

  // In place: the directory itself does not change, the file does.
  WriteTestFile(absl::StrCat(account, "/auth_token"), "secret-two");
  EXPECT_TRUE(changes.WaitFor(1, kPatience));
}

TEST(FileWatcher, AQuietDirectoryIsNotReported) {
  const std::string dir = FreshTestDirectory("file_watcher");
  const std::string account =
      absl::StrCat(dir, "/AC0123456789abcdef0123456789abcdef");
  ASSERT_EQ(::mkdir(account.c_str(), 0700), 0);
  WriteTestFile(absl::StrCat(account, "/auth_token"), "secret");
  Changes changes;
  FileWatcher watcher(kInterval, changes.Callback());
  watcher.SetFiles({}, {dir});
  EXPECT_FALSE(changes.WaitFor(1, kQuietSpell));
}

TEST(FileWatcher, NoChangeIsNotReported) {
  const std::string path =
      absl::StrCat(FreshTestDirectory("file_watcher"), "/auth-token");
  WriteTestFile(path, "secret");
  Changes changes;
  FileWatcher watcher(kInterval, changes.Callback());
  watcher.SetFiles({path, absl::StrCat(path, ".missing")});

  // Reading is not a change.
  std::ifstream file(path);
  std::string content;
  file >> content;
  EXPECT_EQ(content, "secret");
  EXPECT_FALSE(changes.WaitFor(1, kQuietSpell));
}

TEST(FileWatcher, OneChangeIsReportedOnce) {
  const std::string path =
      absl::StrCat(FreshTestDirectory("file_watcher"), "/auth-token");
  WriteTestFile(path, "secret-one");
  Changes changes;
  FileWatcher watcher(kInterval, changes.Callback());
  watcher.SetFiles({path});

  ReplaceTestFile(path, "secret-two");
  ASSERT_TRUE(changes.WaitFor(1, kPatience));
  EXPECT_FALSE(changes.WaitFor(2, kQuietSpell));
  EXPECT_EQ(changes.count(), 1);
}

TEST(FileWatcher, SetFilesTakesANewBaseline) {
  // The reload a change triggers re-reads the files and calls SetFiles; a
  // change made before that call is in the new baseline, not reported again.
  // (The hook runs on the watcher's thread, so no check can come between.)
  const std::string path =
      absl::StrCat(FreshTestDirectory("file_watcher"), "/auth-token");
  WriteTestFile(path, "secret-one");
  Changes changes;
  FileWatcher watcher(kInterval, changes.Callback());
  watcher.SetFiles({path});
  changes.OnNext([&] {
    ReplaceTestFile(path, "secret-three");
    watcher.SetFiles({path});
  });

  ReplaceTestFile(path, "secret-two");
  ASSERT_TRUE(changes.WaitFor(1, kPatience));
  EXPECT_FALSE(changes.WaitFor(2, kQuietSpell));

  // And the file is still watched from its new state.
  ReplaceTestFile(path, "secret-four");
  EXPECT_TRUE(changes.WaitFor(2, kPatience));
}

TEST(FileWatcher, SetFilesKeepsAWatchedDirectorysBaseline) {
  // Unlike a file, a directory is not read again by the reload that calls
  // SetFiles: the accounts it read are those of its own scan, so a change
  // made after that scan must still be reported.
  const std::string dir = FreshTestDirectory("file_watcher");
  Changes changes;
  FileWatcher watcher(kInterval, changes.Callback());
  watcher.SetFiles({}, {dir});
  changes.OnNext([&] {
    const std::string late =
        absl::StrCat(dir, "/AC11111111111111111111111111111111");
    ASSERT_EQ(::mkdir(late.c_str(), 0700), 0);
    watcher.SetFiles({}, {dir});
  });

  ASSERT_EQ(
      ::mkdir(absl::StrCat(dir, "/AC0123456789abcdef0123456789abcdef").c_str(),
              0700),
      0);
  ASSERT_TRUE(changes.WaitFor(1, kPatience));
  EXPECT_TRUE(changes.WaitFor(2, kPatience));
}

TEST(FileWatcher, SetFilesReplacesTheWatchedFiles) {
  const std::string dir = FreshTestDirectory("file_watcher");
  const std::string old_file = absl::StrCat(dir, "/old");
  const std::string new_file = absl::StrCat(dir, "/new");
  WriteTestFile(old_file, "old");
  WriteTestFile(new_file, "new");
  Changes changes;
  FileWatcher watcher(kInterval, changes.Callback());
  watcher.SetFiles({old_file});
  watcher.SetFiles({new_file});

  ReplaceTestFile(old_file, "old, changed");
  EXPECT_FALSE(changes.WaitFor(1, kQuietSpell));
  ReplaceTestFile(new_file, "new, changed");
  EXPECT_TRUE(changes.WaitFor(1, kPatience));
}

TEST(FileWatcher, WatchingNothingReportsNothing) {
  Changes changes;
  FileWatcher watcher(kInterval, changes.Callback());
  EXPECT_FALSE(changes.WaitFor(1, kQuietSpell));
}

TEST(FileWatcher, DestructorDoesNotWaitOutTheInterval) {
  const std::string path =
      absl::StrCat(FreshTestDirectory("file_watcher"), "/auth-token");
  WriteTestFile(path, "secret");
  auto watcher = std::make_unique<FileWatcher>(absl::Hours(1), [] {});
  watcher->SetFiles({path});

  auto destroyed = std::make_shared<absl::Notification>();
  std::thread destroyer([watcher = std::move(watcher), destroyed]() mutable {
    watcher.reset();
    destroyed->Notify();
  });
  const bool stopped = destroyed->WaitForNotificationWithTimeout(kPatience);
  EXPECT_TRUE(stopped) << "~FileWatcher waited for its hour-long interval";
  if (stopped) {
    destroyer.join();
  } else {
    destroyer.detach();  // Report the failure rather than hang.
  }
}

}  // namespace
}  // namespace captoken::config
