// Tests for snapshot.h: a reader sees the initial value, then whatever was
// Set last, never a mix of two values, and two snapshots of the same type
// never hand out each other's value through the per-thread cache.

#include "service/snapshot.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace captoken::service {
namespace {

// Pair is consistent when both halves are equal; a torn read (half of one
// value, half of another) would show as a mismatch.
struct Pair {
  explicit Pair(int64_t value) : first(value), second(value) {}
  int64_t first;
  int64_t second;
};

std::shared_ptr<const Pair> MakePair(int64_t value) {
  return std::make_shared<const Pair>(value);
}

TEST(Snapshot, GetReturnsTheInitialValue) {
  Snapshot<std::string> snapshot(std::make_shared<const std::string>("one"));
  EXPECT_EQ(snapshot.Get(), "one");
  EXPECT_EQ(snapshot.Get(), "one");
}

TEST(Snapshot, SharedReturnsTheInitialValue) {
  auto initial = std::make_shared<const std::string>("one");
  Snapshot<std::string> snapshot(initial);
  EXPECT_EQ(snapshot.Shared(), initial);
}

TEST(Snapshot, GetSeesTheValueAfterSet) {
  Snapshot<std::string> snapshot(std::make_shared<const std::string>("one"));
  EXPECT_EQ(snapshot.Get(), "one");
  snapshot.Set(std::make_shared<const std::string>("two"));
  EXPECT_EQ(snapshot.Get(), "two");
  snapshot.Set(std::make_shared<const std::string>("three"));
  EXPECT_EQ(snapshot.Get(), "three");
  EXPECT_EQ(*snapshot.Shared(), "three");
}

TEST(Snapshot, SetOfAnEqualValueIsSeen) {
  // A new object with the same contents is still a new value.
  auto first = std::make_shared<const std::string>("same");
  auto second = std::make_shared<const std::string>("same");
  Snapshot<std::string> snapshot(first);
  EXPECT_EQ(&snapshot.Get(), first.get());
  snapshot.Set(second);
  EXPECT_EQ(&snapshot.Get(), second.get());
}

TEST(Snapshot, AnotherThreadSeesTheValueAfterSet) {
  Snapshot<std::string> snapshot(std::make_shared<const std::string>("one"));
  std::string seen_before;
  std::string seen_after;
  absl::Notification read_once;
  absl::Notification was_set;
  std::thread reader([&] {
    seen_before = snapshot.Get();  // fills this thread's cache
    read_once.Notify();
    was_set.WaitForNotification();
    seen_after = snapshot.Get();
  });
  read_once.WaitForNotification();
  snapshot.Set(std::make_shared<const std::string>("two"));
  was_set.Notify();
  reader.join();
  EXPECT_EQ(seen_before, "one");
  EXPECT_EQ(seen_after, "two");
}

TEST(Snapshot, GetKeepsTheValueAliveAfterItIsReplaced) {
  // The reference Get returns stays valid (until this thread's next Get on a
  // Snapshot of the same type), even though the snapshot dropped the value.
  Snapshot<std::string> snapshot(
      std::make_shared<const std::string>(std::string(100, 'a')));
  const std::string& value = snapshot.Get();
  snapshot.Set(std::make_shared<const std::string>("b"));
  EXPECT_EQ(value, std::string(100, 'a'));
}

TEST(Snapshot, TwoSnapshotsOfOneTypeNeverMixValues) {
  Snapshot<std::string> a(std::make_shared<const std::string>("a0"));
  Snapshot<std::string> b(std::make_shared<const std::string>("b0"));
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(a.Get(), absl::StrCat("a", i));
    EXPECT_EQ(b.Get(), absl::StrCat("b", i));
    EXPECT_EQ(a.Get(), absl::StrCat("a", i));
    EXPECT_EQ(a.Get(), absl::StrCat("a", i));
    EXPECT_EQ(b.Get(), absl::StrCat("b", i));
    EXPECT_EQ(b.Get(), absl::StrCat("b", i));
    if (i % 2 == 0) {
      a.Set(std::make_shared<const std::string>(absl::StrCat("a", i + 1)));
      b.Set(std::make_shared<const std::string>(absl::StrCat("b", i + 1)));
    } else {
      b.Set(std::make_shared<const std::string>(absl::StrCat("b", i + 1)));
      a.Set(std::make_shared<const std::string>(absl::StrCat("a", i + 1)));
    }
  }
}

TEST(Snapshot, ASnapshotCreatedLaterIsNotConfusedWithAnEarlierOne) {
  // The thread's cache holds the first snapshot's value; a second snapshot
  // of the same type must not be served from it.
  auto first = std::make_unique<Snapshot<std::string>>(
      std::make_shared<const std::string>("first"));
  EXPECT_EQ(first->Get(), "first");
  first.reset();
  Snapshot<std::string> second(std::make_shared<const std::string>("second"));
  EXPECT_EQ(second.Get(), "second");
}

TEST(Snapshot, ConcurrentReadersNeverSeeAMixedValue) {
  constexpr int kReaders = 4;
  constexpr int64_t kWrites = 20000;
  constexpr int kReadsPerReader = 200000;

  Snapshot<Pair> snapshot(MakePair(0));
  std::atomic<int64_t> torn{0};
  std::atomic<int64_t> went_back{0};
  std::atomic<int> readers_started{0};
  absl::Notification start;

  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&] {
      readers_started.fetch_add(1);
      start.WaitForNotification();
      int64_t last = 0;
      for (int i = 0; i < kReadsPerReader; ++i) {
        const Pair& pair = snapshot.Get();
        const int64_t first = pair.first;
        const int64_t second = pair.second;
        if (first != second) torn.fetch_add(1);
        // Values only grow, so a reader never sees an older one after a
        // newer one.
        if (first < last) went_back.fetch_add(1);
        last = first;
      }
    });
  }
  std::thread writer([&] {
    start.WaitForNotification();
    for (int64_t v = 1; v <= kWrites; ++v) snapshot.Set(MakePair(v));
  });
  start.Notify();
  writer.join();
  for (std::thread& reader : readers) reader.join();

  EXPECT_EQ(readers_started.load(), kReaders);
  EXPECT_EQ(torn.load(), 0);
  EXPECT_EQ(went_back.load(), 0);
  // After the writer is done, every thread sees the last value.
  EXPECT_EQ(snapshot.Get().first, kWrites);
  EXPECT_EQ(snapshot.Get().second, kWrites);
}

TEST(Snapshot, ConcurrentReadersOfTwoSnapshotsNeverMixThem) {
  // Two snapshots of one type, each written by its own thread with values
  // that carry the snapshot's identity: odd for `odd`, even for `even`.
  constexpr int kReaders = 3;
  constexpr int64_t kWrites = 10000;
  constexpr int kReadsPerReader = 100000;

  Snapshot<Pair> odd(MakePair(1));
  Snapshot<Pair> even(MakePair(0));
  std::atomic<int64_t> wrong{0};
  absl::Notification start;

  std::vector<std::thread> threads;
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&] {
      start.WaitForNotification();
      for (int i = 0; i < kReadsPerReader; ++i) {
        const Pair& o = odd.Get();
        if (o.first != o.second || o.first % 2 != 1) wrong.fetch_add(1);
        const Pair& e = even.Get();
        if (e.first != e.second || e.first % 2 != 0) wrong.fetch_add(1);
      }
    });
  }
  threads.emplace_back([&] {
    start.WaitForNotification();
    for (int64_t v = 1; v <= kWrites; ++v) odd.Set(MakePair(2 * v + 1));
  });
  threads.emplace_back([&] {
    start.WaitForNotification();
    for (int64_t v = 1; v <= kWrites; ++v) even.Set(MakePair(2 * v));
  });
  start.Notify();
  for (std::thread& thread : threads) thread.join();

  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(odd.Get().first, 2 * kWrites + 1);
  EXPECT_EQ(even.Get().first, 2 * kWrites);
}

}  // namespace
}  // namespace captoken::service
