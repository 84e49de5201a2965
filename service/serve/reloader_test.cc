// Tests for reloader.h: a request runs the reload on the Reloader's thread,
// requests made during a reload fold into one more, Stop does not wait for
// a reload that is stuck, and nothing runs after Stop.

#include "service/serve/reloader.h"

#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace captoken::serve {
namespace {

// A reload that counts its runs and, while `hold` is set, waits in each
// run until released: a reload stuck in a read.
class FakeReload {
 public:
  void Run() {
    absl::MutexLock lock(&mutex_);
    ++runs_;
    auto released = [this]()
                        ABSL_SHARED_LOCKS_REQUIRED(mutex_) { return !hold_; };
    mutex_.Await(absl::Condition(&released));
  }

  void Hold() {
    absl::MutexLock lock(&mutex_);
    hold_ = true;
  }

  void Release() {
    absl::MutexLock lock(&mutex_);
    hold_ = false;
  }

  // Waits until the reload has started `runs` times.
  void AwaitRuns(int runs) {
    absl::MutexLock lock(&mutex_);
    auto reached = [this, runs]() ABSL_SHARED_LOCKS_REQUIRED(mutex_) {
      return runs_ >= runs;
    };
    mutex_.Await(absl::Condition(&reached));
  }

  int runs() {
    absl::MutexLock lock(&mutex_);
    return runs_;
  }

 private:
  absl::Mutex mutex_;
  int runs_ ABSL_GUARDED_BY(mutex_) = 0;
  bool hold_ ABSL_GUARDED_BY(mutex_) = false;
};

TEST(Reloader, ARequestRunsTheReload) {
  FakeReload reload;
  Reloader reloader([&] { reload.Run(); });
  reloader.Request();
  reload.AwaitRuns(1);
  EXPECT_TRUE(reloader.Stop(absl::InfiniteDuration()));
  EXPECT_EQ(reload.runs(), 1);
}

TEST(Reloader, RequestsDuringAReloadFoldIntoOneMore) {
  FakeReload reload;
  Reloader reloader([&] { reload.Run(); });
  reload.Hold();
  reloader.Request();
  reload.AwaitRuns(1);
  // Three SIGHUPs while the first reload is stuck...
  reloader.Request();
  reloader.Request();
  reloader.Request();
  reload.Release();
  // ... are one reload more, not three.
  reload.AwaitRuns(2);
  EXPECT_TRUE(reloader.Stop(absl::InfiniteDuration()));
  EXPECT_EQ(reload.runs(), 2);
}

TEST(Reloader, StopDoesNotWaitForAStuckReload) {
  FakeReload reload;
  Reloader reloader([&] { reload.Run(); });
  reload.Hold();
  reloader.Request();
  reload.AwaitRuns(1);
  // The reload never finishes by itself: Stop must come back anyway, and
  // say so, for the process to exit without it.
  EXPECT_FALSE(reloader.Stop(absl::Milliseconds(10)));
  // Released, the thread finishes and the destructor joins it.
  reload.Release();
}

TEST(Reloader, NothingRunsAfterStop) {
  FakeReload reload;
  {
    Reloader reloader([&] { reload.Run(); });
    EXPECT_TRUE(reloader.Stop(absl::ZeroDuration()));
    reloader.Request();
  }  // Joined: the thread has exited.
  EXPECT_EQ(reload.runs(), 0);
}

TEST(Reloader, FoldedRequestsAreFullIfAnyIs) {
  FakeReload reload;
  absl::Mutex mutex;
  std::vector<Reloader::Kind> kinds;
  Reloader reloader([&](Reloader::Kind kind) {
    {
      absl::MutexLock lock(&mutex);
      kinds.push_back(kind);
    }
    reload.Run();
  });
  reload.Hold();
  reloader.Request(Reloader::Kind::kNotified);
  reload.AwaitRuns(1);
  reloader.Request(Reloader::Kind::kNotified);
  reloader.Request(Reloader::Kind::kFull);
  reloader.Request(Reloader::Kind::kNotified);
  reload.Release();
  reload.AwaitRuns(2);
  reloader.Request(Reloader::Kind::kNotified);
  reload.AwaitRuns(3);
  EXPECT_TRUE(reloader.Stop(absl::InfiniteDuration()));
  absl::MutexLock lock(&mutex);
  EXPECT_EQ(kinds, (std::vector<Reloader::Kind>{Reloader::Kind::kNotified,
                                                Reloader::Kind::kFull,
                                                Reloader::Kind::kNotified}));
}

}  // namespace
}  // namespace captoken::serve
